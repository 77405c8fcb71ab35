// SPDX-License-Identifier: MIT
#include "options.h"

#include <charconv>
#include <fstream>
#include <sstream>
#include <string_view>

#include <fmt/format.h>

#include "seed.h"

namespace sandbox {
namespace {

std::optional<std::int64_t> parse_count(std::string_view text, std::int64_t min, std::int64_t max) {
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value < min || value > max) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

std::string usage_text() {
  return R"(Usage: aktoken-sandbox [OPTIONS]
In-memory HTTP server that answers like authentik's tokens API (/api/v3), for tests and demos.

Options:
  --host HOST                        address to bind (default 127.0.0.1)
  --port N                           port to bind; 0 picks a free port (default 0)
  --seed FILE                        users and tokens as JSON (default: the built-in seed)
  --default-token-duration DURATION  e.g. 30m, 1h, 2d, 1d12h; units s m h d w (default 30m)
  --latency-ms N                     sleep N ms before answering each API request (default 0)
  --max-page-size N                  cap on page_size; 0 means no cap (default 100)
  --now RFC3339                      freeze the clock at this instant (default: real clock)
  --fault SPEC                       MODE[:COUNT[:ARG]], repeatable; modes 503 500 429 502 drop
                                     delay truncate apply-then-drop
  --request-log FILE                 also append every recorded API request as a JSON line
  --threads N                        worker threads, one per open connection (default 64)
  --help                             show this help and exit

Prints "aktoken-sandbox listening on http://HOST:PORT" once bound; exits 0 on SIGTERM/SIGINT.
See sandbox/README.md for the control API under /_sandbox/.
)";
}

ParsedOptions parse_options(int argc, char** argv) {
  ServerOptions options;
  std::optional<std::string> seed_file;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::optional<std::string> inline_value;
    if (const auto eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      inline_value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    }
    if (arg == "--help" || arg == "-h") {
      return HelpRequested{};
    }
    auto value = [&]() -> std::optional<std::string> {
      if (inline_value) {
        return inline_value;
      }
      if (i + 1 < argc) {
        return std::string(argv[++i]);
      }
      return std::nullopt;
    };
    const auto v = value();
    if (!v) {
      if (arg == "--host" || arg == "--port" || arg == "--seed" || arg == "--default-token-duration" ||
          arg == "--latency-ms" || arg == "--max-page-size" || arg == "--now" || arg == "--fault" ||
          arg == "--request-log" || arg == "--threads") {
        return UsageError{fmt::format("option {} needs a value", arg)};
      }
      return UsageError{fmt::format("unknown option {}", arg)};
    }
    if (arg == "--host") {
      options.host = *v;
    } else if (arg == "--port") {
      const auto port = parse_count(*v, 0, 65535);
      if (!port) {
        return UsageError{fmt::format("--port: invalid port \"{}\"", *v)};
      }
      options.port = static_cast<int>(*port);
    } else if (arg == "--seed") {
      seed_file = *v;
    } else if (arg == "--default-token-duration") {
      const auto duration = parse_duration(*v);
      if (!duration || *duration <= 0) {
        return UsageError{fmt::format("--default-token-duration: invalid duration \"{}\" (e.g. 30m, 1d12h)", *v)};
      }
      options.default_duration = *duration;
    } else if (arg == "--latency-ms") {
      const auto ms = parse_count(*v, 0, 3'600'000);
      if (!ms) {
        return UsageError{fmt::format("--latency-ms: invalid value \"{}\"", *v)};
      }
      options.latency_ms = *ms;
    } else if (arg == "--max-page-size") {
      const auto n = parse_count(*v, 0, INT64_MAX);
      if (!n) {
        return UsageError{fmt::format("--max-page-size: invalid value \"{}\"", *v)};
      }
      options.max_page_size = *n;
    } else if (arg == "--now") {
      const auto now = parse_django_datetime(*v);
      if (!now) {
        return UsageError{fmt::format("--now: invalid date-time \"{}\"", *v)};
      }
      options.now = now;
    } else if (arg == "--fault") {
      const auto fault = parse_fault_spec(*v);
      if (!fault) {
        return UsageError{fmt::format("--fault: invalid spec \"{}\" (MODE[:COUNT[:ARG]])", *v)};
      }
      options.faults.push_back(*fault);
    } else if (arg == "--request-log") {
      options.request_log = *v;
    } else if (arg == "--threads") {
      const auto n = parse_count(*v, 1, 4096);
      if (!n) {
        return UsageError{fmt::format("--threads: invalid value \"{}\"", *v)};
      }
      options.threads = static_cast<int>(*n);
    } else {
      return UsageError{fmt::format("unknown option {}", arg)};
    }
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
