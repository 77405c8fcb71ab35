// SPDX-License-Identifier: MIT
#include "aktoken/cli/run.h"

#include <fmt/format.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <iostream>
#include <memory>
#include <mutex>
#include <sstream>

#include "aktoken/cli/report.h"
#include "aktoken/commands/check.h"
#include "aktoken/commands/config_info.h"
#include "aktoken/commands/create.h"
#include "aktoken/commands/delete.h"
#include "aktoken/commands/get.h"
#include "aktoken/commands/info.h"
#include "aktoken/commands/keys.h"
#include "aktoken/commands/list.h"
#include "aktoken/commands/parallel.h"
#include "aktoken/commands/rotate.h"
#include "aktoken/commands/token_fields.h"
#include "aktoken/commands/update.h"
#include "aktoken/config/settings.h"
#include "aktoken/http/curl_multi.h"
#include "aktoken/http/curl_transport.h"
#include "aktoken/http/retry.h"
#include "aktoken/output/terminal.h"
#include "aktoken/util/files.h"
#include "aktoken/version.h"
#include "cli/completion_scripts.h"
#include "cli/invocation.h"

namespace aktoken::cli {
namespace {

extern "C" void on_signal(int signal_number) {
    util::unlink_registered_temp_files();
    static const char newline = '\n';
    [[maybe_unused]] auto ignored = ::write(STDERR_FILENO, &newline, 1);
    ::_exit(128 + signal_number);
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
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
}

// Errors are JSON when -o json was asked for, even when parsing failed before -o was read.
bool argv_asks_for_json(int argc, const char* const* argv) {
    bool json = false;
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        if ((arg == "-o" || arg == "--output") && i + 1 < argc) {
            json = std::string_view(argv[i + 1]) == "json";
        } else if (arg == "-ojson" || arg == "--output=json") {
            json = true;
        } else if (arg.substr(0, 2) == "-o" || arg.substr(0, 9) == "--output=") {
            json = false;
        }
    }
    return json;
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
                            commands::quoted(settings.output.value), output::format_names()));
}

// The command's own checks, which need no configuration: bad input fails before anything else.
struct Prepared {
    commands::UpdatePlan update;
    commands::ListPlan list;
    commands::CreatePlan create;
    commands::RotatePlan rotate;
    commands::CheckPlan check;
    commands::DeleteOptions delete_options;
    std::optional<util::Secret> new_key;
    int parallel = 4;
};

// The identifiers of a bulk command, from its arguments and --from-file; at least one.
std::vector<std::string> bulk_identifiers(const std::vector<std::string>& arguments, const Invocation& inv,
                                          bool required = true) {
    if (inv.from_file == "-" && inv.settings.token_file == "-") {
        throw Error(ErrorKind::usage, "--from-file - and --token-file - cannot both read standard input");
    }
    std::vector<std::string> identifiers = commands::collect_identifiers(arguments, inv.from_file, std::cin);
    // An empty --from-file is refused even where identifiers are optional (check): a generated
    // list that came out empty must not turn into "every token".
    if (identifiers.empty() && (required || inv.from_file)) {
        throw Error(ErrorKind::usage,
                    inv.from_file ? fmt::format("--from-file: {} holds no identifier", *inv.from_file)
                                  : std::string("IDENTIFIER is required"));
    }
    return identifiers;
}

Prepared prepare(Invocation& inv, util::Timestamp now) {
    Prepared prepared;
    if (inv.parallel) {
        prepared.parallel = commands::parallel_value(*inv.parallel);
    }
    switch (inv.command) {
        case CommandName::get:
            inv.identifiers = bulk_identifiers(inv.identifiers, inv);
            commands::check_identifiers(inv.identifiers);
            break;
        case CommandName::view_key:
            commands::check_identifiers(inv.identifiers);
            if (inv.key_file) {
                commands::check_output_file("--key-file", *inv.key_file, *inv.key_file);
            }
            break;
        case CommandName::used_by:
            commands::check_identifiers(inv.identifiers);
            break;
        case CommandName::update:
            inv.update.identifiers = bulk_identifiers(inv.update.identifiers, inv);
            prepared.update = commands::plan_update(inv.update, now);
            break;
        case CommandName::list:
            prepared.list = commands::plan_list(inv.list);
            break;
        case CommandName::create:
            prepared.create = commands::plan_create(inv.create, now);
            break;
        case CommandName::delete_:
            inv.identifiers = bulk_identifiers(inv.identifiers, inv);
            commands::check_identifiers(inv.identifiers);
            prepared.delete_options = {inv.yes, inv.ignore_missing, output::is_terminal(STDIN_FILENO), &std::cin};
            commands::check_confirmation_possible(prepared.delete_options);
            break;
        case CommandName::set_key:
            commands::check_identifiers(inv.identifiers);
            if (inv.key_stdin && inv.settings.token_file == "-") {
                throw Error(ErrorKind::usage, "--key-stdin and --token-file - cannot both read standard input");
            }
            prepared.new_key = commands::read_key({inv.key_file, inv.key_stdin}, std::cin);
            break;
        case CommandName::rotate:
            inv.rotate.identifiers = bulk_identifiers(inv.rotate.identifiers, inv);
            prepared.rotate = commands::plan_rotate(inv.rotate, now);
            break;
        case CommandName::check:
            inv.check.identifiers = bulk_identifiers(inv.check.identifiers, inv, false);
            prepared.check = commands::plan_check(inv.check);
            break;
        case CommandName::completion:
            if (completion_script(inv.shell).empty()) {
                commands::invalid_value("SHELL", inv.shell, "expected bash, zsh or fish");
            }
            break;
        case CommandName::whoami:
        case CommandName::config_show:
        case CommandName::config_path:
            break;
    }
    return prepared;
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

// --retries > AKTOKEN_RETRIES > 3; --retry-max-time.
http::RetryPolicy retry_policy(const Invocation& inv, const config::Environment& env) {
    http::RetryPolicy policy;
    if (inv.retries) {
        auto retries = http::parse_retries(*inv.retries);
        if (!retries) {
            commands::invalid_value("--retries", *inv.retries,
                                    fmt::format("expected a whole number from 0 to {}", http::max_retries));
        }
        policy.retries = *retries;
    } else if (auto value = env("AKTOKEN_RETRIES")) {
        auto retries = http::parse_retries(*value);
        if (!retries) {
            throw Error(ErrorKind::config, fmt::format("AKTOKEN_RETRIES: invalid value {}: expected a whole number "
                                                       "from 0 to {}",
                                                       commands::quoted(*value), http::max_retries));
        }
        policy.retries = *retries;
    }
    if (inv.retry_max_time) {
        auto seconds = http::parse_retry_max_time(*inv.retry_max_time);
        if (!seconds) {
            commands::invalid_value("--retry-max-time", *inv.retry_max_time,
                                    "expected a number of seconds from 0 to 86400");
        }
        policy.max_time_seconds = *seconds;
    }
    return policy;
}

int execute(const Invocation& inv, Prepared& prepared, util::Timestamp now, bool& json_errors) {
    const config::Environment env = config::process_environment();
    const config::Settings settings = config::resolve(inv.settings, env);
    const output::Format format = resolve_format(settings);
    json_errors = format == output::Format::json;
    if (inv.command == CommandName::config_show) {
        config::Origin profile_origin;
        if (inv.settings.profile) {
            profile_origin = {config::Source::flag, "--profile"};
        } else if (env("AKTOKEN_PROFILE")) {
            profile_origin = {config::Source::environment, "AKTOKEN_PROFILE"};
        }
        std::cout << commands::config_show(settings, profile_origin, format);
        return 0;
    }
    if (inv.command == CommandName::config_path) {
        std::cout << commands::config_path(settings);
        return 0;
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
        std::cerr << "aktoken: " << output::paint("warning:", 33, err_color)
                  << " TLS certificate verification is off (" << settings.insecure.origin.where << ")\n";
    }
    const http::RetryPolicy policy = retry_policy(inv, env);
    http::GlobalInit curl_global;
    auto credentials = std::make_shared<api::Credentials>(
        [&settings, &env]() { return config::read_token(settings.token, env, std::cin); });
    http::CurlMulti pages(options, policy, prepared.parallel, options.trace);
    Session session(options, policy, base_url, credentials, &pages);
    api::Client& client = session.client();

    output::Style style;
    style.terminal = output::is_terminal(STDOUT_FILENO);
    style.color = color_allowed(STDOUT_FILENO, inv.no_color, env);
    style.now = now;
    commands::Context context{client, format, style, std::cout, std::cerr, err_color};
    context.parallel = prepared.parallel;
    context.sessions = [&]() -> std::unique_ptr<api::Session> {
        return std::make_unique<Session>(options, policy, base_url, credentials);
    };

    commands::Result result;
    switch (inv.command) {
        case CommandName::get:
            result = commands::run_get(context, inv.identifiers);
            break;
        case CommandName::update:
            result = commands::run_update(context, prepared.update);
            break;
        case CommandName::list:
            result = commands::run_list(context, prepared.list,
                                        style.terminal ? output::terminal_width(STDOUT_FILENO) : 0);
            break;
        case CommandName::create:
            result = commands::run_create(context, std::move(prepared.create));
            break;
        case CommandName::delete_:
            result = commands::run_delete(context, inv.identifiers, prepared.delete_options);
            break;
        case CommandName::view_key:
            result = commands::run_view_key(context, inv.identifiers.front(), inv.key_file);
            break;
        case CommandName::set_key:
            result = commands::run_set_key(context, inv.identifiers.front(), *prepared.new_key);
            break;
        case CommandName::used_by:
            result = commands::run_used_by(context, inv.identifiers.front());
            break;
        case CommandName::whoami:
            result = commands::run_whoami(context);
            break;
        case CommandName::rotate:
            prepared.rotate.mask_for_github = env("GITHUB_ACTIONS") == "true";
            result = commands::run_rotate(context, prepared.rotate);
            break;
        case CommandName::check:
            return commands::run_check(context, prepared.check);
        case CommandName::completion:
        case CommandName::config_show:
        case CommandName::config_path:
            break;  // handled before any connection was set up
    }
    std::cout.flush();
    for (const Error& error : result.errors) {
        report(std::cerr, error, json_errors, err_color);
    }
    return worst_exit_code(result.errors);
}

}  // namespace

int run(int argc, char** argv) {
    forbid_core_dumps();
    install_signal_handlers();
    bool json_errors = argv_asks_for_json(argc, argv);
    const bool err_color = false;
    // A monitoring system must read any failure of `check`, bad flags included, as UNKNOWN (3).
    const bool monitoring = command_word(argc, argv) == "check";
    const auto exit_for = [monitoring](const Error& e) {
        return monitoring ? commands::kCheckUnknown : exit_code(e.kind());
    };
    try {
        Invocation inv = parse_arguments(argc, argv, std::cout);
        if (inv.exit_now) {
            return *inv.exit_now;
        }
        const util::Timestamp now = util::now();
        Prepared prepared = prepare(inv, now);
        if (inv.command == CommandName::completion) {
            std::cout << completion_script(inv.shell);
            return 0;
        }
        return execute(inv, prepared, now, json_errors);
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
