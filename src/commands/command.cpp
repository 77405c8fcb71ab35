// SPDX-License-Identifier: MIT
#include "aktoken/commands/command.h"

#include <fmt/format.h>

#include <algorithm>

#include "aktoken/util/error.h"
#include "aktoken/util/values.h"
#include "commands/specs.h"

namespace aktoken::commands {
namespace {

const CommandSpec* const kCommands[] = {
    &get_command,        &update_command,   &list_command,        &create_command,
    &delete_command,     &view_key_command, &set_key_command,     &used_by_command,
    &whoami_command,     &check_command,    &rotate_command,      &prune_command,
    &completion_command, &config_group,     &config_show_command, &config_path_command,
};

}  // namespace

Result Command::run(Context&) { throw Error(ErrorKind::internal, "this command runs without a server"); }

Result Command::run_local(LocalContext&) { throw Error(ErrorKind::internal, "this command needs a server"); }

output::Format format_for(const CommandSpec& spec, output::Format asked, bool from_flag, std::string_view where) {
    if (spec.formats.empty() || std::find(spec.formats.begin(), spec.formats.end(), asked) != spec.formats.end()) {
        return asked;
    }
    if (!from_flag) {
        return spec.formats.front();
    }
    std::string names;
    for (std::size_t i = 0; i < spec.formats.size(); ++i) {
        names += i == 0 ? "" : i + 1 == spec.formats.size() ? " or " : ", ";
        names += output::format_name(spec.formats[i]);
    }
    throw Error(ErrorKind::usage, fmt::format("{}: {} does not print {}: expected {}", where, spec.name,
                                              util::quoted(output::format_name(asked)), names));
}

std::span<const CommandSpec* const> command_table() { return kCommands; }

const CommandSpec* find_command(std::string_view name) {
    for (const CommandSpec* spec : kCommands) {
        if (spec->name == name) {
            return spec;
        }
    }
    return nullptr;
}

}  // namespace aktoken::commands
