// SPDX-License-Identifier: MIT
// The command line of aktoken-sandbox.
#pragma once

#include <optional>
#include <string>
#include <variant>

#include "server.h"

namespace sandbox {

struct HelpRequested {};
struct UsageError {
    std::string message;
};

using ParsedOptions = std::variant<ServerOptions, HelpRequested, UsageError>;

// Parses argv (seed files are read here, so a bad seed is a usage error too).
ParsedOptions parse_options(int argc, char** argv);

std::string usage_text();

}  // namespace sandbox
