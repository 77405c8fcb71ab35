// SPDX-License-Identifier: MIT
#include "options.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <charconv>
#include <fstream>
#include <sstream>
#include <string_view>

#include "seed.h"

namespace sandbox {
namespace {

constexpr const char* kDescription =
    "In-memory HTTP server that answers like authentik's tokens API (/api/v3), for tests and demos.";
constexpr const char* kFooter =
    R"(Prints "aktoken-sandbox listening on http://HOST:PORT" once bound; exits 0 on SIGTERM/SIGINT.
See sandbox/README.md for the control API under /_sandbox/.)";

// A value refused by an option's own check: the message is the whole usage error.
struct Refused {
    std::string message;
};

std::optional<std::int64_t> parse_count(std::string_view text, std::int64_t min, std::int64_t max) {
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || value < min || value > max) {
        return std::nullopt;
    }
    return value;
}

// Every option once: its name, help and value check in one place, which both the parser and the
// help text read.
void define_options(CLI::App& app, ServerOptions& options, std::optional<std::string>& seed_file) {
    const auto count = [&app](const char* name, const char* help, std::int64_t min, std::int64_t max,
                              const std::function<void(std::int64_t)>& store) {
        app.add_option_function<std::string>(
               name,
               [name, min, max, store](const std::string& text) {
                   const auto value = parse_count(text, min, max);
                   if (!value) {
                       throw Refused{fmt::format("{}: invalid value \"{}\"", name, text)};
                   }
                   store(*value);
               },
               help)
            ->type_name("N");
    };
    app.add_option("--host", options.host, "address to bind (default 127.0.0.1)")->type_name("HOST");
    app.add_option_function<std::string>(
           "--port",
           [&options](const std::string& text) {
               const auto port = parse_count(text, 0, 65535);
               if (!port) {
                   throw Refused{fmt::format("--port: invalid port \"{}\"", text)};
               }
               options.port = static_cast<int>(*port);
           },
           "port to bind; 0 picks a free port (default 0)")
        ->type_name("N");
    app.add_option_function<std::string>(
           "--seed", [&seed_file](const std::string& text) { seed_file = text; },
           "users and tokens as JSON (default: the built-in seed)")
        ->type_name("FILE");
    app.add_option_function<std::string>(
           "--default-token-duration",
           [&options](const std::string& text) {
               const auto duration = parse_duration(text);
               if (!duration || *duration <= 0) {
                   throw Refused{
                       fmt::format("--default-token-duration: invalid duration \"{}\" (e.g. 30m, 1d12h)", text)};
               }
               options.default_duration = *duration;
           },
           "e.g. 30m, 1h, 2d, 1d12h; units s m h d w (default 30m)")
        ->type_name("DURATION");
    count("--latency-ms", "sleep N ms before answering each API request (default 0)", 0, 3'600'000,
          [&options](std::int64_t n) { options.latency_ms = n; });
    count("--max-page-size", "cap on page_size; 0 means no cap (default: the version's, 100 from 2025.12)", 0,
          INT64_MAX, [&options](std::int64_t n) { options.max_page_size = n; });
    app.add_option_function<std::string>(
           "--now",
           [&options](const std::string& text) {
               const auto now = parse_django_datetime(text);
               if (!now) {
                   throw Refused{fmt::format("--now: invalid date-time \"{}\"", text)};
               }
               options.now = now;
           },
           "freeze the clock at this instant (default: real clock)")
        ->type_name("RFC3339");
    app.add_option_function<std::vector<std::string>>(
           "--fault",
           [&options](const std::vector<std::string>& specs) {
               for (const std::string& text : specs) {
                   const auto fault = parse_fault_spec(text);
                   if (!fault) {
                       throw Refused{fmt::format("--fault: invalid spec \"{}\" (MODE[:COUNT[:ARG]])", text)};
                   }
                   options.faults.push_back(*fault);
               }
           },
           "MODE[:COUNT[:ARG]], repeatable; modes 503 500 429 502 drop delay truncate apply-then-drop apply-then-delay")
        ->type_name("SPEC")
        ->allow_extra_args(false);
    app.add_option("--request-log", options.request_log, "also append every recorded API request as a JSON line")
        ->type_name("FILE");
    app.add_option_function<std::string>(
           "--authentik-version",
           [&options](const std::string& text) {
               const auto rules = find_version(text);
               if (!rules) {
                   throw Refused{
                       fmt::format("--authentik-version: unknown version \"{}\" (one of {})", text, version_names())};
               }
               options.version = *rules;
           },
           fmt::format("the authentik release to behave like: {} (default {})", version_names(), newest_version().name))
        ->type_name("VERSION");
    app.add_flag_callback(
        "--no-housekeeping", [&options] { options.housekeeping = false; },
        "never run the expiry housekeeping on the clock, only on POST /_sandbox/housekeeping");
    app.add_flag_callback(
        "--unstable-ties", [&options] { options.unstable_ties = true; },
        "order tokens with equal sort keys randomly on every list request, as PostgreSQL may");
    count("--threads", "worker threads, one per open connection (default 64)", 1, 4096,
          [&options](std::int64_t n) { options.threads = static_cast<int>(n); });
}

// The app with every option bound; the targets must outlive it.
std::unique_ptr<CLI::App> make_app(ServerOptions& options, std::optional<std::string>& seed_file) {
    auto app = std::make_unique<CLI::App>(kDescription, "aktoken-sandbox");
    app->set_help_flag("-h,--help", "show this help and exit");
    app->get_formatter()->column_width(36);
    app->footer(kFooter);
    define_options(*app, options, seed_file);
    return app;
}

}  // namespace

std::string usage_text() {
    ServerOptions options;
    std::optional<std::string> seed_file;
    return make_app(options, seed_file)->help();
}

ParsedOptions parse_options(int argc, char** argv) {
    ServerOptions options;
    std::optional<std::string> seed_file;
    const auto app = make_app(options, seed_file);
    try {
        app->parse(argc, argv);
    } catch (const CLI::CallForHelp&) {
        return HelpRequested{};
    } catch (const CLI::ParseError& e) {
        return UsageError{e.what()};
    } catch (const Refused& refused) {
        return UsageError{refused.message};
    }
    try {
        if (seed_file) {
            std::ifstream in(*seed_file, std::ios::binary);
            if (!in) {
                return UsageError{fmt::format("--seed: cannot read {}", *seed_file)};
            }
            std::ostringstream text;
            text << in.rdbuf();
            options.seed = parse_seed(text.str());
        } else {
            options.seed = default_seed();
        }
        // Catch duplicates now rather than at startup.
        Store probe;
        probe.load(options.seed);
    } catch (const std::runtime_error& e) {
        return UsageError{fmt::format("--seed: {}", e.what())};
    }
    return options;
}

}  // namespace sandbox
