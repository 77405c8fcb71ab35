// SPDX-License-Identifier: MIT
#include "integration/harness.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "rapidjson/document.h"

namespace harness {
namespace {

struct Pipe {
    int fds[2] = {-1, -1};
    Pipe() {
        if (::pipe2(fds, O_CLOEXEC) != 0) {
            throw std::runtime_error("pipe failed");
        }
    }
};

std::vector<char*> c_strings(std::vector<std::string>& strings) {
    std::vector<char*> result;
    result.reserve(strings.size() + 1);
    for (std::string& s : strings) {
        result.push_back(s.data());
    }
    result.push_back(nullptr);
    return result;
}

pid_t spawn(const std::string& program, const std::vector<std::string>& args, const Env& env, int in_fd, int out_fd,
            int err_fd) {
    std::vector<std::string> argv_strings{program};
    argv_strings.insert(argv_strings.end(), args.begin(), args.end());
    std::vector<std::string> env_strings;
    if (env.find("PATH") == env.end()) {
        env_strings.push_back("PATH=/usr/local/bin:/usr/bin:/bin");
    }
    for (const auto& [name, value] : env) {
        env_strings.push_back(name);
        env_strings.back().append("=").append(value);
    }
    auto argv = c_strings(argv_strings);
    auto envp = c_strings(env_strings);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in_fd, 0);
    posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
    posix_spawn_file_actions_adddup2(&actions, err_fd, 2);
    pid_t pid = -1;
    int rc = posix_spawn(&pid, program.c_str(), &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        throw std::runtime_error("cannot start " + program + ": " + std::strerror(rc));
    }
    return pid;
}

rapidjson::Document parse_json(const std::string& text) {
    rapidjson::Document doc;
    doc.Parse(text.c_str());
    if (doc.HasParseError()) {
        throw std::runtime_error("sandbox answered invalid JSON: " + text.substr(0, 200));
    }
    return doc;
}

std::string string_of(const rapidjson::Value& object, const char* name) {
    auto it = object.FindMember(name);
    if (it == object.MemberEnd() || !it->value.IsString()) {
        return {};
    }
    return {it->value.GetString(), it->value.GetStringLength()};
}

}  // namespace

RunResult run_program(const std::string& program, const std::vector<std::string>& args, const Env& env,
                      const std::string& input, int timeout_seconds) {
    Pipe in;
    Pipe out;
    Pipe err;
    pid_t pid = spawn(program, args, env, in.fds[0], out.fds[1], err.fds[1]);
    ::close(in.fds[0]);
    ::close(out.fds[1]);
    ::close(err.fds[1]);
    ::signal(SIGPIPE, SIG_IGN);
    if (!input.empty()) {
        [[maybe_unused]] auto written = ::write(in.fds[1], input.data(), input.size());
    }
    ::close(in.fds[1]);

    RunResult result;
    pollfd fds[2] = {{out.fds[0], POLLIN, 0}, {err.fds[0], POLLIN, 0}};
    std::string* sinks[2] = {&result.out, &result.err};
    int open_streams = 2;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
    while (open_streams > 0) {
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(pid, SIGKILL);
            break;
        }
        if (::poll(fds, 2, 1000) <= 0) {
            continue;
        }
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd >= 0 && (fds[i].revents & (POLLIN | POLLHUP)) != 0) {
                char buffer[65536];
                ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
                if (n > 0) {
                    sinks[i]->append(buffer, static_cast<std::size_t>(n));
                } else {
                    ::close(fds[i].fd);
                    fds[i].fd = -1;
                    --open_streams;
                }
            }
        }
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (WIFEXITED(status)) {
        result.exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        result.exit_code = 128 + WTERMSIG(status);
    }
    return result;
}

namespace {

// A pseudo-terminal of `columns` columns: the master side for the test, the slave for the program.
std::pair<int, int> open_terminal(int columns) {
    int master = -1;
    int slave = -1;
    winsize size{};
    size.ws_row = 40;
    size.ws_col = static_cast<unsigned short>(columns);
    if (::openpty(&master, &slave, nullptr, nullptr, &size) != 0) {
        throw std::runtime_error("openpty failed");
    }
    ::fcntl(master, F_SETFD, FD_CLOEXEC);
    ::fcntl(slave, F_SETFD, FD_CLOEXEC);
    return {master, slave};
}

// Reads what the terminal shows until the program has exited (or 60 s), calling `on_output`
// before each wait for more; then closes the terminal and reaps the program.
void read_terminal(int master, pid_t pid, RunResult& result, const std::function<void()>& on_output = {}) {
    pollfd fd{master, POLLIN, 0};
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
        if (on_output) {
            on_output();
        }
        if (::poll(&fd, 1, 1000) <= 0) {
            continue;
        }
        char buffer[4096];
        ssize_t n = ::read(master, buffer, sizeof buffer);
        if (n <= 0) {
            break;  // EIO once the program has exited and closed the terminal
        }
        result.out.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(master);
    int status = 0;
    ::waitpid(pid, &status, 0);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

RunResult run_on_terminal(const std::string& program, const std::vector<std::string>& args, const Env& env,
                          const std::string& input, int columns) {
    const auto [master, slave] = open_terminal(columns);
    RunResult result;
    pollfd fd{master, POLLIN, 0};
    // Typed before the program starts, and the terminal's echo read back before it starts too:
    // the echo then comes before anything the program prints. (The kernel echoes asynchronously;
    // typed afterwards, or not waited for, the echo raced the program's prompt.)
    if (!input.empty()) {
        [[maybe_unused]] auto written = ::write(master, input.data(), input.size());
        const std::string echo = on_terminal(input);
        const auto echo_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (result.out.size() < echo.size() && std::chrono::steady_clock::now() < echo_deadline) {
            if (::poll(&fd, 1, 100) > 0) {
                char buffer[4096];
                ssize_t n = ::read(master, buffer, std::min(sizeof buffer, echo.size() - result.out.size()));
                if (n <= 0) {
                    break;
                }
                result.out.append(buffer, static_cast<std::size_t>(n));
            }
        }
    }
    const pid_t pid = spawn(program, args, env, slave, slave, slave);
    ::close(slave);
    read_terminal(master, pid, result);
    return result;
}

RunResult answer_on_terminal(const std::string& program, const std::vector<std::string>& args, const Env& env,
                             const std::string& prompt, const std::function<void()>& at_prompt,
                             const std::string& answer) {
    const auto [master, slave] = open_terminal(120);
    const pid_t pid = spawn(program, args, env, slave, slave, slave);
    ::close(slave);
    RunResult result;
    bool answered = false;
    read_terminal(master, pid, result, [&, master = master] {
        if (!answered && result.out.find(prompt) != std::string::npos) {
            at_prompt();
            [[maybe_unused]] auto written = ::write(master, answer.data(), answer.size());
            answered = true;
        }
    });
    return result;
}

Background::Background(const std::string& program, const std::vector<std::string>& args, const Env& env) {
    int devnull = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    pid_ = spawn(program, args, env, devnull, devnull, devnull);
    ::close(devnull);
}

Background::~Background() {
    if (pid_ > 0 && status_ < 0) {
        ::kill(pid_, SIGKILL);
        wait();
    }
}

void Background::kill(int signal_number) {
    if (!finished()) {
        ::kill(pid_, signal_number);
    }
}

bool Background::finished() {
    if (status_ >= 0) {
        return true;
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        return true;
    }
    return false;
}

int Background::wait() {
    if (status_ < 0) {
        int status = 0;
        ::waitpid(pid_, &status, 0);
        status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    return status_;
}

bool eventually(const std::function<bool()>& condition, double seconds) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < deadline) {
        if (condition()) {
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return condition();
}

TempDir::TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "aktoken-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
        throw std::runtime_error("mkdtemp failed");
    }
    path_ = pattern;
}

TempDir::~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

std::string TempDir::write(const std::string& name, const std::string& content, unsigned mode) const {
    std::filesystem::path file = std::filesystem::path(path_) / name;
    std::filesystem::create_directories(file.parent_path());
    {
        std::ofstream stream(file, std::ios::binary | std::ios::trunc);
        stream << content;
    }
    ::chmod(file.c_str(), mode);
    return file.string();
}

Sandbox::Sandbox(const std::vector<std::string>& extra_args) {
    Pipe out;
    int devnull = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    std::vector<std::string> args{"--port", "0"};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    // ctest runs the cases that depend on authentik's behaviour once more against another release.
    const char* version = std::getenv("AKTOKEN_TEST_AUTHENTIK_VERSION");
    if (version != nullptr && *version != '\0' &&
        std::find(extra_args.begin(), extra_args.end(), "--authentik-version") == extra_args.end()) {
        args.emplace_back("--authentik-version");
        args.emplace_back(version);
    }
    if (std::find(extra_args.begin(), extra_args.end(), "--now") == extra_args.end()) {
        args.emplace_back("--no-housekeeping");
    }
    pid_ = spawn(AKTOKEN_SANDBOX_BINARY, args, {}, devnull, out.fds[1], STDERR_FILENO);
    ::close(out.fds[1]);
    ::close(devnull);
    std::string line;
    char c = 0;
    while (::read(out.fds[0], &c, 1) == 1 && c != '\n') {
        line += c;
    }
    ::close(out.fds[0]);
    const std::string marker = "listening on ";
    auto at = line.find(marker);
    if (at == std::string::npos) {
        throw std::runtime_error("aktoken-sandbox did not start: " + line);
    }
    url_ = line.substr(at + marker.size());
    port_ = std::stoi(url_.substr(url_.rfind(':') + 1));
}

void Sandbox::stop() {
    if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
    }
}

Sandbox::~Sandbox() {
    if (pid_ > 0) {
        // Not SIGTERM: the sandbox then finishes every request it is serving, and a request held
        // by a delay fault (the client long gone) would hold up the test. It keeps nothing to
        // save; its clean shutdown is the shell tests' business.
        ::kill(pid_, SIGKILL);
        int status = 0;
        ::waitpid(pid_, &status, 0);
    }
}

std::string Sandbox::control_get(const std::string& what) const {
    httplib::Client client("127.0.0.1", port_);
    auto response = client.Get(("/_sandbox/" + what).c_str());
    if (!response) {
        throw std::runtime_error("sandbox control GET failed");
    }
    return response->body;
}

std::string Sandbox::control_post(const std::string& what, const std::string& body) const {
    httplib::Client client("127.0.0.1", port_);
    auto response = client.Post(("/_sandbox/" + what).c_str(), body, "application/json");
    if (!response) {
        throw std::runtime_error("sandbox control POST failed");
    }
    return response->body;
}

void Sandbox::set_clock(const std::string& now) const {
    const std::string answer = control_post("clock", "{\"now\":\"" + now + "\"}");
    if (answer.find("\"now\"") == std::string::npos) {
        throw std::runtime_error("sandbox refused the clock: " + answer);
    }
}

HttpAnswer Sandbox::api(const std::string& method, const std::string& path, const std::string& authorization,
                        const std::string& body) const {
    httplib::Client client("127.0.0.1", port_);
    httplib::Headers headers;
    if (!authorization.empty()) {
        headers.emplace("Authorization", authorization);
    }
    httplib::Request request;
    request.method = method;
    request.path = "/api/v3" + path;
    request.headers = headers;
    if (!body.empty()) {
        request.body = body;
        request.set_header("Content-Type", "application/json");
    }
    auto response = client.send(request);
    if (!response) {
        throw std::runtime_error("sandbox API request failed: " + method + " " + path);
    }
    return {response->status, response->get_header_value("Content-Type"), response->body};
}

std::vector<Recorded> Sandbox::requests() const {
    rapidjson::Document doc = parse_json(control_get("requests"));
    std::vector<Recorded> result;
    for (const auto& item : doc.GetArray()) {
        result.push_back({string_of(item, "method"), string_of(item, "path"), string_of(item, "query"),
                          string_of(item, "body"), string_of(item, "fault")});
    }
    return result;
}

void Sandbox::clear_requests() const {
    httplib::Client client("127.0.0.1", port_);
    client.Delete("/_sandbox/requests");
}

Stats Sandbox::stats() const {
    rapidjson::Document doc = parse_json(control_get("stats"));
    return {doc["requests"].GetInt(), doc["connections"].GetInt(), doc["api_connections"].GetInt()};
}

void Sandbox::reset() const { control_post("reset", ""); }

void Sandbox::fault(const std::string& mode, int count, int arg) const {
    control_post("faults", "{\"mode\":\"" + mode + "\",\"count\":" + std::to_string(count) +
                               ",\"arg\":" + std::to_string(arg) + "}");
}

void Sandbox::fault_on(const std::string& method, const std::string& path, const std::string& mode, int count,
                       int arg) const {
    const std::string answer = control_post("faults", "{\"mode\":\"" + mode + "\",\"count\":" + std::to_string(count) +
                                                          ",\"arg\":" + std::to_string(arg) + ",\"method\":\"" +
                                                          method + "\",\"path\":\"/api/v3" + path + "\"}");
    if (!answer.empty()) {
        throw std::runtime_error("sandbox refused the fault: " + answer);
    }
}

void Sandbox::clear_faults() const {
    httplib::Client client("127.0.0.1", port_);
    client.Delete("/_sandbox/faults");
}

std::optional<std::string> Sandbox::key_of(const std::string& identifier) const {
    rapidjson::Document doc = parse_json(control_get("tokens"));
    for (const auto& item : doc.GetArray()) {
        if (string_of(item, "identifier") == identifier) {
            return string_of(item, "key");
        }
    }
    return std::nullopt;
}

std::vector<std::string> request_lines(const Sandbox& sandbox) {
    std::vector<std::string> lines;
    for (const Recorded& r : sandbox.requests()) {
        lines.push_back(r.method + " " + r.path + (r.query.empty() ? "" : "?" + r.query) +
                        (r.fault.empty() ? "" : " (" + r.fault + ")"));
    }
    return lines;
}

Env aktoken_env(const Sandbox& sandbox, const std::string& token, const TempDir& home) {
    Env env{{"HOME", home.path()}, {"AUTHENTIK_URL", sandbox.url()}};
    if (!token.empty()) {
        env["AUTHENTIK_TOKEN"] = token;
    }
    return env;
}

namespace {

// A key-like word: 32 or more letters and digits with upper case, lower case and digits mixed,
// as authentik and aktoken generate them.
bool holds_generated_key(const std::string& text) {
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = start;
        bool upper = false;
        bool lower = false;
        bool digit = false;
        while (end < text.size() && std::isalnum(static_cast<unsigned char>(text[end])) != 0) {
            upper = upper || std::isupper(static_cast<unsigned char>(text[end])) != 0;
            lower = lower || std::islower(static_cast<unsigned char>(text[end])) != 0;
            digit = digit || std::isdigit(static_cast<unsigned char>(text[end])) != 0;
            ++end;
        }
        if (end - start >= 32 && upper && lower && digit) {
            return true;
        }
        start = end + 1;
    }
    return false;
}

}  // namespace

RunResult aktoken(const std::vector<std::string>& args, const Env& env, const std::string& input) {
    RunResult result = run_program(AKTOKEN_BINARY, args, env, input);
    // No key may ever reach the error stream: not the seed's, not one aktoken generated.
    for (const char* key :
         {"akadmin-secret-key-0001", "alice-secret-key-0002", "alice-secret-key-0003", "bob-secret-key-0004",
          "bob-secret-key-0005", "outpost-secret-key-0006", "alice-secret-key-0009"}) {
        if (result.err.find(key) != std::string::npos) {
            throw std::runtime_error(std::string("a key reached stderr: ") + key);
        }
    }
    if (auto token = env.find("AUTHENTIK_TOKEN");
        token != env.end() && token->second.size() >= 16 && result.err.find(token->second) != std::string::npos) {
        throw std::runtime_error("the API token reached stderr");
    }
    if (holds_generated_key(result.err)) {
        throw std::runtime_error("something that looks like a generated key reached stderr: " + result.err);
    }
    return result;
}

SkippedSleeps::SkippedSleeps(const TempDir& dir) : record_(dir.path() + "/skipped-sleeps") {}

Env SkippedSleeps::apply(Env env) const {
    env["LD_PRELOAD"] = AKTOKEN_SKIP_SLEEPS_LIBRARY;
    env["AKTOKEN_TEST_SLEEP_RECORD"] = record_;
    // A sanitizer build of aktoken refuses to start with a library loaded ahead of its runtime.
    env["ASAN_OPTIONS"] = "verify_asan_link_order=0";
    return env;
}

Env frozen_clock(Env env, long long epoch_seconds) {
    env["LD_PRELOAD"] = AKTOKEN_FAKE_CLOCK_LIBRARY;
    env["AKTOKEN_TEST_NOW"] = std::to_string(epoch_seconds);
    env["ASAN_OPTIONS"] = "verify_asan_link_order=0";
    return env;
}

std::vector<double> SkippedSleeps::take() const {
    std::vector<double> sleeps;
    std::ifstream stream(record_);
    for (double seconds = 0; stream >> seconds;) {
        sleeps.push_back(seconds);
    }
    std::filesystem::remove(record_);
    return sleeps;
}

std::string error_line(const std::string& message) { return "aktoken: error: " + message + "\n"; }

void check_failed(const RunResult& r, int exit_code, const std::string& err) {
    CHECK(r.exit_code == exit_code);
    CHECK(r.out == "");
    CHECK(r.err == err);
}

void check_succeeded_quietly(const RunResult& r, const std::string& out) {
    CHECK(r.exit_code == 0);
    CHECK(r.out == out);
    CHECK(r.err == "");
}

std::string on_terminal(const std::string& text) {
    std::string shown;
    for (char c : text) {
        shown += c == '\n' ? std::string("\r\n") : std::string(1, c);
    }
    return shown;
}

void add_tokens(const Sandbox& sandbox, const std::string& json_array) { sandbox.control_post("tokens", json_array); }

int file_mode(const std::string& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
        return -1;
    }
    return static_cast<int>(st.st_mode & 07777);
}

std::string read_file(const std::string& path) {
    std::ifstream stream(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(stream), std::istreambuf_iterator<char>()};
}

void expect_refused(const Sandbox& sandbox, const TempDir& home, const std::vector<Refusal>& refusals) {
    for (const Refusal& refusal : refusals) {
        CAPTURE(refusal.err);
        check_failed(aktoken(refusal.args, aktoken_env(sandbox, kAdminKey, home)), 2, error_line(refusal.err));
    }
    CHECK(sandbox.requests().empty());
}

std::pair<int, int> bind_loopback_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        throw std::runtime_error(std::string("cannot bind a loopback port: ") + std::strerror(errno));
    }
    return {fd, ntohs(address.sin_port)};
}

int closed_port() {
    // A bound socket that is not listening answers a connection with a reset, as a closed port
    // does. It is never closed (close-on-exec, so programs started by the test do not hold it):
    // once released, the port could be handed to another program that listens on it.
    return bind_loopback_port().second;
}

}  // namespace harness
