// SPDX-License-Identifier: MIT
#pragma once

#include <memory>
#include <optional>
#include <ostream>
#include <string>

#include "aktoken/commands/command.h"
#include "aktoken/config/settings.h"

namespace aktoken::cli {

// Everything the command line said, as plain data; filled by parse_arguments.
struct Invocation {
    config::CommandLine settings;
    bool no_color = false;
    bool verbose = false;
    // The command's row, known as soon as its name was read (also when parsing then fails).
    const commands::CommandSpec* spec = nullptr;
    std::unique_ptr<commands::Command> command;  // with its flags filled in
    // Set when help, the version or __describe was printed: exit with this status at once.
    std::optional<int> exit_now;
    // After a usage error about a word no command takes (an unknown command or flag, an argument
    // too many, a missing command): the line that points to the help ("Run 'aktoken list
    // --help'."), printed after the error unless errors are JSON.
    std::string usage_hint;
};

// Parses argv with CLI11 into `invocation`; help and version go to `out`. Throws Error(usage) on
// bad arguments, with whatever was read before the failure left in `invocation`.
void parse_arguments(int argc, const char* const* argv, std::ostream& out, Invocation& invocation);

}  // namespace aktoken::cli
