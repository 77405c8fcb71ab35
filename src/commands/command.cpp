// SPDX-License-Identifier: MIT
#include "aktoken/commands/command.h"

#include "aktoken/util/error.h"
#include "commands/specs.h"

namespace aktoken::commands {
namespace {

const CommandSpec* const kCommands[] = {
    &get_command,      &update_command,     &list_command,    &create_command,      &delete_command,
    &view_key_command, &set_key_command,    &used_by_command, &whoami_command,      &check_command,
    &rotate_command,   &completion_command, &config_group,    &config_show_command, &config_path_command,
};

}  // namespace

Result Command::run(Context&) { throw Error(ErrorKind::internal, "this command runs without a server"); }

Result Command::run_local(LocalContext&) { throw Error(ErrorKind::internal, "this command needs a server"); }

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
