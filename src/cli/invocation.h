// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "aktoken/commands/update.h"
#include "aktoken/config/settings.h"

namespace aktoken::cli {

// The command the user chose.
enum class CommandName { get, update };

// Everything the command line said, as plain data; filled by parse_arguments.
struct Invocation {
    config::CommandLine settings;
    bool no_color = false;
    bool verbose = false;
    CommandName command = CommandName::get;
    std::vector<std::string> identifiers;
    commands::UpdateFlags update;
    // Set when help or the version was printed: exit with this status at once.
    std::optional<int> exit_now;
};

// Parses argv with CLI11; help and version go to `out`. Throws Error(usage) on bad arguments.
Invocation parse_arguments(int argc, const char* const* argv, std::ostream& out);

}  // namespace aktoken::cli
