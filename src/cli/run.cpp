// SPDX-License-Identifier: MIT
#include "aktoken/cli/run.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <malloc.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <streambuf>

#include "aktoken/commands/command.h"
#include "aktoken/config/settings.h"
#include "aktoken/http/curl_hub.h"
#include "aktoken/http/curl_multi.h"
#include "aktoken/http/curl_transport.h"
#include "aktoken/http/retry.h"
#include "aktoken/output/list.h"
#include "aktoken/output/terminal.h"
#include "aktoken/util/files.h"
#include "aktoken/util/process.h"
#include "aktoken/util/secret.h"
#include "aktoken/util/strings.h"
#include "aktoken/util/values.h"
#include "aktoken/version.h"
#include "cli/invocation.h"
#include "cli/report.h"

namespace aktoken::cli {
namespace {

// Filled in before the handlers are installed: a signal handler may only read it.
int signal_exit_codes[65] = {};

extern "C" void on_signal(int signal_number) {
    util::unlink_registered_temp_files();
    // A rotate --exec command runs in a process group of its own, which Ctrl-C does not reach.
    util::terminate_running_shell_command();
    // Ctrl-C at set-key's hidden prompt must not leave the terminal without echo.
    util::restore_terminal();
    static const char newline = '\n';
    [[maybe_unused]] auto ignored = ::write(STDERR_FILENO, &newline, 1);
    ::_exit(signal_exit_codes[signal_number]);
}

// Keys live in this process's memory: no core dump may carry them to disk.
void forbid_core_dumps() {
    const rlimit none{0, 0};
    ::setrlimit(RLIMIT_CORE, &none);
    ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

// glibc gives each --parallel worker a malloc arena of its own, and an arena keeps what it freed:
// 16 workers reading large answers held about 100 MiB for nothing. Two arenas serve them as well.
void share_malloc_arenas() { ::mallopt(M_ARENA_MAX, 2); }

void install_signal_handlers() {
    struct sigaction action {};
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    for (int signal_number : {SIGINT, SIGTERM}) {
        signal_exit_codes[signal_number] = signal_exit_code(signal_number);
        sigaction(signal_number, &action, nullptr);
    }
}

// A standard stream that was closed when aktoken started would be the next file it opens (a
// socket, a key file), and output meant for it would land there: /dev/null takes the place.
// Standard output gets it read-only, so that a write to it still fails as on a closed stream.
void occupy_closed_standard_streams() {
    for (const int fd : {STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO}) {
        if (::fcntl(fd, F_GETFD) == -1 && errno == EBADF) {
            const int null = ::open("/dev/null", fd == STDERR_FILENO ? O_WRONLY : O_RDONLY);
            if (null >= 0 && null != fd) {
                ::dup2(null, fd);
                ::close(null);
            }
        }
    }
}

// std::cout's buffer: it writes fd 1 itself and keeps the errno of the first failure, which
// stdio would leave to be overwritten by the next system call. Every byte it held (a key, say)
// is wiped once written.
class StdoutBuffer final : public std::streambuf {
public:
    StdoutBuffer() { setp(buffer_.data(), buffer_.data() + buffer_.size()); }
    ~StdoutBuffer() override { explicit_bzero(buffer_.data(), buffer_.size()); }
    StdoutBuffer(const StdoutBuffer&) = delete;
    StdoutBuffer& operator=(const StdoutBuffer&) = delete;

    // The errno of the first failed write; 0 when every write succeeded.
    int error() const { return error_; }

protected:
    int_type overflow(int_type ch) override {
        if (!drain()) {
            return traits_type::eof();
        }
        if (!traits_type::eq_int_type(ch, traits_type::eof())) {
            *pptr() = traits_type::to_char_type(ch);
            pbump(1);
        }
        return traits_type::not_eof(ch);
    }

    int sync() override { return drain() ? 0 : -1; }

private:
    bool drain() {
        const char* next = pbase();
        auto left = static_cast<std::size_t>(pptr() - pbase());
        while (left > 0 && error_ == 0) {
            const ssize_t written = ::write(STDOUT_FILENO, next, left);
            if (written < 0) {
                if (errno != EINTR) {
                    error_ = errno;
                }
                continue;
            }
            next += written;
            left -= static_cast<std::size_t>(written);
        }
        explicit_bzero(pbase(), static_cast<std::size_t>(pptr() - pbase()));
        setp(buffer_.data(), buffer_.data() + buffer_.size());
        return error_ == 0;
    }

    std::array<char, 8192> buffer_{};
    int error_ = 0;
};

// What the run printed must have arrived: a full disk, a closed or broken pipe is an error, never
// an exit 0 with the output lost (coreutils' close_stdout). Closing fd 1 reports what a network
// file system held back until then.
// The errno of the first failed write to standard output, its flush or its close; 0 for none.
int stdout_error(const StdoutBuffer& buffer) {
    std::cout.flush();
    int error = buffer.error();
    if (error == 0 && ::close(STDOUT_FILENO) != 0 && errno != EINTR) {
        error = errno;
    }
    if (error == 0 && !std::cout.good()) {
        error = EIO;
    }
    return error;
}

// The API token travels in a header: over plain http anyone on the path can read it. Loopback
// stays quiet (a local proxy, a test server).
std::optional<std::string> plain_text_host(std::string_view base_url) {
    constexpr std::string_view scheme = "http://";
    if (base_url.substr(0, scheme.size()) != scheme) {
        return std::nullopt;
    }
    const std::string_view authority =
        base_url.substr(scheme.size(), base_url.find('/', scheme.size()) - scheme.size());
    std::string_view host = authority;
    if (!host.empty() && host.front() == '[') {
        host = host.substr(0, host.find(']') + 1);
    } else {
        host = host.substr(0, host.find(':'));
    }
    const std::string lower = util::to_lower(host);
    const bool loopback_v4 =
        lower.substr(0, 4) == "127." && lower.find_first_not_of("0123456789.") == std::string::npos;
    if (lower == "localhost" || lower == "[::1]" || loopback_v4) {
        return std::nullopt;
    }
    return std::string(authority);
}

bool color_allowed(int fd, bool no_color_flag, const config::Environment& env) {
    if (no_color_flag || ::isatty(fd) == 0) {
        return false;
    }
    auto no_color = env("NO_COLOR");
    auto term = env("TERM");
    return !(no_color && !no_color->empty()) && !(term && *term == "dumb");
}

output::Format resolve_format(const config::Settings& settings) {
    if (auto format = output::parse_format(settings.output.value)) {
        return *format;
    }
    const bool from_flag = settings.output.origin.source == config::Source::flag;
    throw Error(from_flag ? ErrorKind::usage : ErrorKind::config,
                fmt::format("{}: invalid output format {}: expected {}", settings.output.origin.where,
                            util::quoted(settings.output.value), output::format_names()));
}

output::Style style_for(const Invocation& inv, const config::Environment& env, util::Timestamp now) {
    output::Style style;
    style.terminal = output::is_terminal(STDOUT_FILENO);
    style.color = color_allowed(STDOUT_FILENO, inv.no_color, env);
    style.now = now;
    style.width = style.terminal ? output::terminal_width(STDOUT_FILENO) : 0;
    return style;
}

// Each retry is announced, -v or not: a run that waits on a slow or booting server must not look
// hung. Workers of --parallel retry at the same time: one line at a time.
void retry_note(std::string_view line) {
    static std::mutex mutex;
    std::lock_guard<std::mutex> lock(mutex);
    // The cause may quote the server (an error detail).
    std::cerr << output::escape_cell(line) << '\n';
}

// A client with its own connection (libcurl handle) and retries; `concurrent` (the run's
// libcurl multi handle) serves the list pages of the run's main client.
class Session : public api::Session {
public:
    Session(const http::TransportOptions& options, const http::RetryPolicy& policy, const http::RetryNote& note,
            const std::string& base_url, std::shared_ptr<api::Credentials> credentials,
            http::ConcurrentTransport* concurrent = nullptr)
        : curl_(options),
          retrying_(curl_, policy, note),
          client_(retrying_, base_url, std::move(credentials), concurrent) {}
    api::Client& client() override { return client_; }

private:
    http::CurlTransport curl_;
    http::RetryingTransport retrying_;
    api::Client client_;
};

// The exit status of a failure: a command may give every error one status (check: UNKNOWN, 3,
// bad flags included).
int exit_for(const Invocation& inv, ErrorKind kind) {
    return inv.spec != nullptr && inv.spec->error_status != 0 ? inv.spec->error_status : exit_code(kind);
}

// Sets up what the command's phase needs and runs it; `json_errors` follows -o once it is known.
commands::Result execute(Invocation& inv, util::Timestamp now, const config::Environment& env, bool& json_errors) {
    const commands::Phase phase = inv.spec->phase;
    if (phase == commands::Phase::none) {
        commands::LocalContext local{std::cout, output::Format::table, style_for(inv, env, now), nullptr};
        return inv.command->run_local(local);
    }
    const config::Settings settings = config::resolve(inv.settings, env);
    const output::Format format =
        commands::format_for(*inv.spec, resolve_format(settings), settings.output.origin.source == config::Source::flag,
                             settings.output.origin.where);
    json_errors = format == output::Format::json;
    if (phase == commands::Phase::config) {
        commands::LocalContext local{std::cout, format, style_for(inv, env, now), &settings};
        return inv.command->run_local(local);
    }

    const config::Setting<std::string>& url = config::require_url(settings);
    const std::string base_url = url.value;
    const bool err_color = color_allowed(STDERR_FILENO, inv.no_color, env);
    // Before the options: the hub they hold closes its connections before libcurl's cleanup.
    http::GlobalInit curl_global;
    http::TransportOptions options;
    // Every transport of the run on one multi handle: over HTTP/2 one connection for the run.
    options.hub = std::make_shared<http::CurlHub>();
    options.timeout_seconds = settings.timeout.value;
    if (settings.ca_file) {
        options.ca_file = settings.ca_file->value;
    }
    options.insecure = settings.insecure.value;
    options.user_agent = std::string("aktoken/") + version();
    if (inv.verbose) {
        // Workers of --parallel trace at the same time: one line at a time.
        options.trace = [](std::string_view line) {
            static std::mutex mutex;
            std::lock_guard<std::mutex> lock(mutex);
            // Traces show the server's headers and bodies.
            std::cerr << output::escape_cell(line) << '\n';
        };
    }
    if (options.insecure) {
        std::cerr << "aktoken: " << output::paint("warning:", 33, err_color) << " TLS certificate verification is off ("
                  << settings.insecure.origin.where << ")\n";
    }
    http::RetryPolicy policy;
    policy.retries = settings.retries.value;
    policy.note_refusals = inv.verbose;
    if (settings.retry_max_time) {
        policy.max_time_seconds = settings.retry_max_time->value;
    }
    // The token is read when the first request needs it, once: the moment it is about to travel,
    // and the one to warn at (a dry run sends nothing and gets no warning).
    auto credentials = std::make_shared<api::Credentials>([&settings, &env, &url, err_color]() {
        util::Secret token = config::read_token(settings.token, env, std::cin);
        if (const auto host = plain_text_host(url.value)) {
            std::cerr << "aktoken: " << output::paint("warning:", 33, err_color) << " the API token goes to "
                      << output::escape_cell(*host) << " in plain text (http://, " << url.origin.where
                      << "); use https://\n";
        }
        return token;
    });
    const int parallel = inv.command->parallel();
    // A retry that ends well is no news to a --quiet cron job.
    const http::RetryNote note = settings.quiet.value ? http::RetryNote{} : http::RetryNote(retry_note);
    http::CurlMulti pages(options, policy, parallel, note);
    Session session(options, policy, note, base_url, credentials, &pages);

    commands::Context context{session.client(), format, style_for(inv, env, now), std::cout, std::cerr, err_color};
    context.parallel = parallel;
    context.quiet = settings.quiet.value;
    context.report_error = [&inv, json = json_errors](std::ostream& err, const Error& error) {
        report(err, error, json, false, exit_for(inv, error.kind()));
    };
    context.sessions = [&]() -> std::unique_ptr<api::Session> {
        return std::make_unique<Session>(options, policy, note, base_url, credentials);
    };
    return inv.command->run(context);
}

// The run up to the command's end; `json_errors` and `inv` tell run() how to report a failure
// to write standard output afterwards.
int run_command(int argc, char** argv, Invocation& inv, bool& json_errors) {
    const bool err_color = false;
    try {
        try {
            parse_arguments(argc, argv, std::cout, inv);
        } catch (const Error&) {
            json_errors = inv.settings.output == "json";
            throw;
        }
        if (inv.exit_now) {
            return *inv.exit_now;
        }
        json_errors = inv.settings.output == "json";
        const util::Timestamp now = util::now();
        const config::Environment env = config::process_environment();
        const commands::Preparation preparation{
            now, std::cin, output::is_terminal(STDIN_FILENO), inv.settings.token_file == "-", env, &std::cerr};
        inv.command->prepare(preparation);
        const commands::Result result = execute(inv, now, env, json_errors);
        std::cout.flush();
        int status = result.status;
        for (const Error& error : result.errors) {
            report(std::cerr, error, json_errors, err_color, exit_for(inv, error.kind()));
            status = std::max(status, exit_for(inv, error.kind()));
        }
        for (const ErrorKind kind : result.reported) {
            status = std::max(status, exit_for(inv, kind));
        }
        return status;
    } catch (const Error& e) {
        std::cout.flush();
        report(std::cerr, e, json_errors, err_color, exit_for(inv, e.kind()));
        if (!json_errors && !inv.usage_hint.empty()) {
            std::cerr << inv.usage_hint << '\n';
        }
        return exit_for(inv, e.kind());
    } catch (const std::exception& e) {
        std::cout.flush();
        const Error internal(ErrorKind::internal, fmt::format("internal error: {}", e.what()));
        report(std::cerr, internal, json_errors, err_color, exit_for(inv, internal.kind()));
        return exit_for(inv, internal.kind());
    }
}

}  // namespace

int run(int argc, char** argv) {
    forbid_core_dumps();
    share_malloc_arenas();
    occupy_closed_standard_streams();
    install_signal_handlers();
    StdoutBuffer stdout_buffer;
    std::cout.rdbuf(&stdout_buffer);
    if (output::is_terminal(STDOUT_FILENO)) {
        // Shown as it comes, as stdio does on a terminal.
        std::cout << std::unitbuf;
    }
    Invocation inv;
    bool json_errors = false;
    int status = run_command(argc, argv, inv, json_errors);
    const int error = stdout_error(stdout_buffer);
    if (error == EPIPE) {
        // The reader went away (`aktoken list | head -1`): end quietly, as a program killed by
        // SIGPIPE does, since nobody is left to read more.
        status = std::max(status, signal_exit_code(SIGPIPE));
    } else if (error != 0 && status != exit_code(ErrorKind::output)) {
        // (A command that already said which output it could not deliver, a key, is not repeated.)
        const Error failure(ErrorKind::output,
                            fmt::format("cannot write to standard output: {}", std::strerror(error)));
        const int failure_status = exit_for(inv, failure.kind());
        report(std::cerr, failure, json_errors, false, failure_status);
        status = std::max(status, failure_status);
    }
    std::cout.rdbuf(nullptr);
    return status;
}

}  // namespace aktoken::cli
