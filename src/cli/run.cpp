// SPDX-License-Identifier: MIT
#include "aktoken/cli/run.h"

#include <fmt/format.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <iostream>
#include <memory>
#include <mutex>

#include "aktoken/commands/command.h"
#include "aktoken/config/settings.h"
#include "aktoken/http/curl_multi.h"
#include "aktoken/http/curl_transport.h"
#include "aktoken/http/retry.h"
#include "aktoken/output/terminal.h"
#include "aktoken/util/files.h"
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

void install_signal_handlers() {
    struct sigaction action {};
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    for (int signal_number : {SIGINT, SIGTERM}) {
        signal_exit_codes[signal_number] = signal_exit_code(signal_number);
        sigaction(signal_number, &action, nullptr);
    }
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

// A client with its own connection (libcurl handle) and retries; `concurrent` (the run's
// libcurl multi handle) serves the list pages of the run's main client.
class Session : public api::Session {
public:
    Session(const http::TransportOptions& options, const http::RetryPolicy& policy, const std::string& base_url,
            std::shared_ptr<api::Credentials> credentials, http::ConcurrentTransport* concurrent = nullptr)
        : curl_(options),
          retrying_(curl_, policy, options.trace),
          client_(retrying_, base_url, std::move(credentials), concurrent) {}
    api::Client& client() override { return client_; }

private:
    http::CurlTransport curl_;
    http::RetryingTransport retrying_;
    api::Client client_;
};

// Sets up what the command's phase needs and runs it; `json_errors` follows -o once it is known.
commands::Result execute(Invocation& inv, util::Timestamp now, const config::Environment& env, bool& json_errors) {
    const commands::Phase phase = inv.spec->phase;
    if (phase == commands::Phase::none) {
        commands::LocalContext local{std::cout, output::Format::table, style_for(inv, env, now), nullptr};
        return inv.command->run_local(local);
    }
    const config::Settings settings = config::resolve(inv.settings, env);
    const output::Format format = resolve_format(settings);
    json_errors = format == output::Format::json;
    if (phase == commands::Phase::config) {
        commands::LocalContext local{std::cout, format, style_for(inv, env, now), &settings};
        return inv.command->run_local(local);
    }

    const std::string base_url = config::require_url(settings).value;
    const bool err_color = color_allowed(STDERR_FILENO, inv.no_color, env);
    http::TransportOptions options;
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
            std::cerr << line << '\n';
        };
    }
    if (options.insecure) {
        std::cerr << "aktoken: " << output::paint("warning:", 33, err_color) << " TLS certificate verification is off ("
                  << settings.insecure.origin.where << ")\n";
    }
    http::RetryPolicy policy;
    policy.retries = settings.retries.value;
    if (settings.retry_max_time) {
        policy.max_time_seconds = settings.retry_max_time->value;
    }
    http::GlobalInit curl_global;
    auto credentials = std::make_shared<api::Credentials>(
        [&settings, &env]() { return config::read_token(settings.token, env, std::cin); });
    const int parallel = inv.command->parallel();
    http::CurlMulti pages(options, policy, parallel, options.trace);
    Session session(options, policy, base_url, credentials, &pages);

    commands::Context context{session.client(), format, style_for(inv, env, now), std::cout, std::cerr, err_color};
    context.parallel = parallel;
    context.sessions = [&]() -> std::unique_ptr<api::Session> {
        return std::make_unique<Session>(options, policy, base_url, credentials);
    };
    return inv.command->run(context);
}

}  // namespace

int run(int argc, char** argv) {
    util::reserve_standard_descriptors();
    forbid_core_dumps();
    install_signal_handlers();
    Invocation inv;
    bool json_errors = false;
    const bool err_color = false;
    // A command may give every error one exit status (check: UNKNOWN, 3, bad flags included).
    const auto exit_for = [&inv](const Error& e) {
        return inv.spec != nullptr && inv.spec->error_status != 0 ? inv.spec->error_status : exit_code(e.kind());
    };
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
        const commands::Preparation preparation{now, std::cin, output::is_terminal(STDIN_FILENO),
                                                inv.settings.token_file == "-", env};
        inv.command->prepare(preparation);
        const commands::Result result = execute(inv, now, env, json_errors);
        std::cout.flush();
        for (const Error& error : result.errors) {
            report(std::cerr, error, json_errors, err_color, exit_for(error));
        }
        return result.errors.empty()
                   ? result.status
                   : std::max(result.status,
                              inv.spec->error_status != 0 ? inv.spec->error_status : worst_exit_code(result.errors));
    } catch (const Error& e) {
        std::cout.flush();
        report(std::cerr, e, json_errors, err_color, exit_for(e));
        return exit_for(e);
    } catch (const std::exception& e) {
        std::cout.flush();
        const Error internal(ErrorKind::internal, fmt::format("internal error: {}", e.what()));
        report(std::cerr, internal, json_errors, err_color, exit_for(internal));
        return exit_for(internal);
    }
}

}  // namespace aktoken::cli
