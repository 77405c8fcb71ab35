// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "aktoken/util/process.h"
#include "unit/temp_dir.h"

using namespace aktoken::util;
using namespace std::chrono_literals;

namespace {

using test::TempDir;
using How = ProcessEnd::How;

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

std::set<std::string> lines_starting_with(const std::string& text, const std::string& prefix) {
    std::set<std::string> found;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (line.rfind(prefix, 0) == 0) {
            found.insert(line);
        }
    }
    return found;
}

ShellCommand shell(std::string command, std::string_view input = {}) {
    ShellCommand result;
    result.command = std::move(command);
    result.input = input;
    return result;
}

// Redirects a descriptor of this process to a file for as long as it lives.
class RedirectedDescriptor {
public:
    RedirectedDescriptor(int fd, const std::string& path) : fd_(fd), saved_(::dup(fd)) {
        REQUIRE(saved_ >= 0);
        const int file = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        REQUIRE(file >= 0);
        REQUIRE(::dup2(file, fd_) == fd_);
        ::close(file);
    }
    ~RedirectedDescriptor() {
        ::dup2(saved_, fd_);
        ::close(saved_);
    }
    RedirectedDescriptor(const RedirectedDescriptor&) = delete;
    RedirectedDescriptor& operator=(const RedirectedDescriptor&) = delete;

private:
    int fd_;
    int saved_;
};

// Puts SIGPIPE back to its default, which kills, for as long as it lives: earlier tests (libcurl's
// GlobalInit) may have left it ignored, which would hide a SIGPIPE run_shell_command let through.
class DefaultSigpipe {
public:
    DefaultSigpipe() {
        struct sigaction action {};
        action.sa_handler = SIG_DFL;
        sigemptyset(&action.sa_mask);
        REQUIRE(::sigaction(SIGPIPE, &action, &saved_) == 0);
    }
    ~DefaultSigpipe() { ::sigaction(SIGPIPE, &saved_, nullptr); }
    DefaultSigpipe(const DefaultSigpipe&) = delete;
    DefaultSigpipe& operator=(const DefaultSigpipe&) = delete;

private:
    struct sigaction saved_ {};
};

// The commands below would run 30 s unless ended: returning well before that proves they were,
// with room for a loaded machine (no test here measures speed).
constexpr double kFarBelowTheSleep = 8;

// Whether a process is gone or a zombie nobody reaped yet (a container's init may never reap), as
// seen within a second: SIGKILL takes effect at once, but asynchronously.
bool ends_soon(const std::string& pid) {
    for (int attempt = 0; attempt < 100; ++attempt) {
        const std::string stat = slurp("/proc/" + pid + "/stat");
        const auto state_at = stat.rfind(") ");
        if (stat.empty() || (state_at != std::string::npos && stat.substr(state_at + 2, 1) == "Z")) {
            return true;
        }
        std::this_thread::sleep_for(10ms);
    }
    return false;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

TEST_CASE("process: describe names each way a command ends") {
    struct Case {
        ProcessEnd end;
        std::string text;
        bool succeeded;
    };
    const std::vector<Case> cases = {
        {{How::exited, 0, "", 0ms}, "exited with status 0", true},
        {{How::exited, 3, "", 0ms}, "exited with status 3", false},
        {{How::signalled, 9, "", 0ms}, "was killed by signal 9 (SIGKILL)", false},
        {{How::signalled, 15, "", 0ms}, "was killed by signal 15 (SIGTERM)", false},
        {{How::signalled, 200, "", 0ms}, "was killed by signal 200", false},
        {{How::timed_out, 0, "", 60000ms}, "timed out after 60 s and was killed", false},
        {{How::timed_out, 0, "", 200ms}, "timed out after 0.2 s and was killed", false},
        {{How::not_started, 0, "Resource temporarily unavailable", 0ms},
         "could not be started: Resource temporarily unavailable",
         false},
    };
    for (const auto& c : cases) {
        CAPTURE(c.text);
        CHECK(c.end.describe() == c.text);
        CHECK(c.end.succeeded() == c.succeeded);
    }
}

TEST_CASE("process: the exit status of the command") {
    const ProcessEnd success = run_shell_command(shell("exit 0"));
    CHECK(success.how == How::exited);
    CHECK(success.code == 0);
    CHECK(success.succeeded());

    const ProcessEnd failure = run_shell_command(shell("exit 3"));
    CHECK(failure.how == How::exited);
    CHECK(failure.code == 3);
    CHECK_FALSE(failure.succeeded());
    CHECK(failure.describe() == "exited with status 3");

    const ProcessEnd missing = run_shell_command(shell("/nonexistent/aktoken-consumer 2>/dev/null"));
    CHECK(missing.how == How::exited);
    CHECK(missing.code == 127);
}

TEST_CASE("process: the input arrives on standard input byte for byte, then end of file") {
    const TempDir dir;
    const std::vector<std::string> inputs = {
        "ak-key-0123456789\n",
        "no newline at the end",
        std::string("a\0b\r\n\xff", 6),
        "",
    };
    for (const auto& input : inputs) {
        CAPTURE(input);
        const ProcessEnd end = run_shell_command(shell("cat > '" + (dir / "received") + "'", input));
        CHECK(end.describe() == "exited with status 0");
        CHECK(slurp(dir / "received") == input);
    }
}

TEST_CASE("process: a command that does not read its input does not take the caller down with SIGPIPE") {
    const DefaultSigpipe default_sigpipe;
    const std::string large(std::size_t{1024} * 1024, 'k');

    const ProcessEnd end = run_shell_command(shell("exit 0", large));
    CHECK(end.describe() == "exited with status 0");
    sigset_t pending;
    sigpending(&pending);
    CHECK(sigismember(&pending, SIGPIPE) == 0);

    // Nor does one that neither reads nor exits hold the caller past the time-out.
    ShellCommand stalled = shell("sleep 30", large);
    stalled.timeout = 200ms;
    const auto start = std::chrono::steady_clock::now();
    CHECK(run_shell_command(stalled).describe() == "timed out after 0.2 s and was killed");
    CHECK(seconds_since(start) < kFarBelowTheSleep);
}

TEST_CASE(
    "process: the environment is aktoken's with set_env and without unset_env; the input is in neither "
    "it nor argv") {
    const TempDir dir;
    REQUIRE(::setenv("AKTOKEN_TEST_SECRET", "given-to-aktoken", 1) == 0);
    REQUIRE(::setenv("AKTOKEN_TEST_REPLACED", "old", 1) == 0);
    REQUIRE(::setenv("AKTOKEN_TEST_KEPT", "kept", 1) == 0);
    const std::string input = "ak-input-that-stays-on-stdin";
    ShellCommand command = shell(
        "env > '" + (dir / "env") + "'; cat /proc/$$/cmdline > '" + (dir / "cmdline") + "'; cat > /dev/null", input);
    command.set_env = {{"AKTOKEN_TEST_SET", "visible"}, {"AKTOKEN_TEST_REPLACED", "new"}};
    command.unset_env = {"AKTOKEN_TEST_SECRET"};

    const ProcessEnd end = run_shell_command(command);
    ::unsetenv("AKTOKEN_TEST_SECRET");
    ::unsetenv("AKTOKEN_TEST_REPLACED");
    ::unsetenv("AKTOKEN_TEST_KEPT");

    CHECK(end.describe() == "exited with status 0");
    const std::string environment = slurp(dir / "env");
    CHECK(lines_starting_with(environment, "AKTOKEN_TEST_") ==
          std::set<std::string>{"AKTOKEN_TEST_KEPT=kept", "AKTOKEN_TEST_REPLACED=new", "AKTOKEN_TEST_SET=visible"});
    CHECK(environment.find(input) == std::string::npos);
    const std::string cmdline = slurp(dir / "cmdline");
    CHECK(cmdline == std::string("sh\0-c\0", 6) + command.command + std::string(1, '\0'));
    CHECK(cmdline.find(input) == std::string::npos);
}

TEST_CASE("process: a variable name that would set another variable is refused before anything runs") {
    ShellCommand command = shell("exit 0");
    command.set_env = {{"A=B", "value"}};
    CHECK(run_shell_command(command).describe() == "could not be started: Invalid argument");
}

TEST_CASE("process: standard output goes to standard error, standard error stays, nothing else is inherited") {
    const TempDir dir;
    // A descriptor without close-on-exec, as a careless library might leave one.
    const int leaked = ::open("/dev/null", O_RDONLY);
    REQUIRE(leaked > 2);
    ProcessEnd end;
    {
        const RedirectedDescriptor stdout_file(STDOUT_FILENO, dir / "stdout");
        const RedirectedDescriptor stderr_file(STDERR_FILENO, dir / "stderr");
        // (`; true` keeps the shell from becoming ls, and ls without a redirection lists only what
        // the shell holds.)
        end = run_shell_command(shell("echo to-stdout; echo to-stderr >&2; ls /proc/$$/fd; true"));
    }
    ::close(leaked);
    CHECK(end.describe() == "exited with status 0");
    CHECK(slurp(dir / "stdout") == "");
    CHECK(slurp(dir / "stderr") == "to-stdout\nto-stderr\n0\n1\n2\n");
}

TEST_CASE("process: a command killed by a signal") {
    const ProcessEnd end = run_shell_command(shell("kill -9 $$"));
    CHECK(end.how == How::signalled);
    CHECK(end.code == 9);
    CHECK(end.describe() == "was killed by signal 9 (SIGKILL)");
}

TEST_CASE("process: a time-out ends the command and everything it started") {
    const TempDir dir;
    ShellCommand command = shell("sleep 30 & echo $! > '" + (dir / "background") + "'; wait");
    command.timeout = 200ms;
    const auto start = std::chrono::steady_clock::now();
    const ProcessEnd end = run_shell_command(command);
    const double seconds = seconds_since(start);
    CHECK(end.how == How::timed_out);
    CHECK(end.describe() == "timed out after 0.2 s and was killed");
    CHECK(seconds >= 0.2);
    CHECK(seconds < kFarBelowTheSleep);
    const std::string background = slurp(dir / "background");
    REQUIRE(background.size() > 1);
    CHECK(ends_soon(background.substr(0, background.size() - 1)));
}

TEST_CASE("process: a command that ignores SIGTERM gets SIGKILL after the grace") {
    ShellCommand command = shell("trap '' TERM; sleep 30");
    command.timeout = 200ms;
    command.termination_grace = 300ms;
    const auto start = std::chrono::steady_clock::now();
    const ProcessEnd end = run_shell_command(command);
    const double seconds = seconds_since(start);
    CHECK(end.describe() == "timed out after 0.2 s and was killed");
    CHECK(seconds >= 0.5);
    CHECK(seconds < kFarBelowTheSleep);
}

TEST_CASE("process: terminate_running_shell_command sends SIGTERM to the running command") {
    terminate_running_shell_command();  // none running: nothing happens

    std::atomic<bool> returned{false};
    // Called until the command has returned, since it cannot tell when the command has started.
    std::thread interrupter([&returned] {
        while (!returned.load()) {
            terminate_running_shell_command();
            std::this_thread::sleep_for(20ms);
        }
    });
    ShellCommand command = shell("sleep 30");
    command.timeout = 10s;
    const auto start = std::chrono::steady_clock::now();
    const ProcessEnd end = run_shell_command(command);
    returned.store(true);
    interrupter.join();
    CHECK(end.describe() == "was killed by signal 15 (SIGTERM)");
    CHECK(seconds_since(start) < kFarBelowTheSleep);
}

TEST_CASE("process: a command that keeps reading a large input is still held to its time-out") {
    std::string lines;
    for (int line = 0; line < 200000; ++line) {
        lines += "line\n";
    }
    // dash's read takes a byte per system call from a pipe: far more than 200 ms for a megabyte.
    ShellCommand command = shell("while read -r line; do :; done", lines);
    command.timeout = 200ms;
    const auto start = std::chrono::steady_clock::now();
    CHECK(run_shell_command(command).describe() == "timed out after 0.2 s and was killed");
    CHECK(seconds_since(start) < kFarBelowTheSleep);
}
