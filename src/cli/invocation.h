// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "aktoken/commands/check.h"
#include "aktoken/commands/create.h"
#include "aktoken/commands/keys.h"
#include "aktoken/commands/list.h"
#include "aktoken/commands/rotate.h"
#include "aktoken/commands/update.h"
#include "aktoken/config/settings.h"

namespace aktoken::cli {

// The command the user chose.
enum class CommandName {
    get, update, list, create, delete_, view_key, set_key, used_by, whoami, rotate, check, completion, config_show,
    config_path
};

// Everything the command line said, as plain data; filled by parse_arguments.
struct Invocation {
    config::CommandLine settings;
    std::optional<std::string> retries;         // --retries
    std::optional<std::string> retry_max_time;  // --retry-max-time
    bool no_color = false;
    bool verbose = false;
    CommandName command = CommandName::get;
    std::vector<std::string> identifiers;  // get, delete, and the one of view-key, set-key, used-by
    std::optional<std::string> parallel;   // --parallel of list, get, update, delete, rotate, check
    std::optional<std::string> from_file;  // --from-file of get, update, delete, rotate, check
    commands::UpdateFlags update;
    commands::ListFlags list;
    commands::CreateFlags create;
    commands::RotateFlags rotate;
    commands::CheckFlags check;
    bool yes = false;             // delete
    bool ignore_missing = false;  // delete
    std::optional<std::string> key_file;  // view-key, set-key
    bool key_stdin = false;               // set-key
    std::string shell;  // completion
    // Set when help or the version was printed: exit with this status at once.
    std::optional<int> exit_now;
};

// The command word of argv (the first word that is not an option or an option's value), or "".
std::string command_word(int argc, const char* const* argv);

// Parses argv with CLI11; help and version go to `out`. Throws Error(usage) on bad arguments.
Invocation parse_arguments(int argc, const char* const* argv, std::ostream& out);

}  // namespace aktoken::cli
