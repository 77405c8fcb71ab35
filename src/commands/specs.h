// SPDX-License-Identifier: MIT
#pragma once

#include "aktoken/commands/command.h"

// The rows of the command table, each defined in its command's file.
namespace aktoken::commands {

extern const CommandSpec get_command;
extern const CommandSpec update_command;
extern const CommandSpec list_command;
extern const CommandSpec create_command;
extern const CommandSpec delete_command;
extern const CommandSpec view_key_command;
extern const CommandSpec set_key_command;
extern const CommandSpec used_by_command;
extern const CommandSpec whoami_command;
extern const CommandSpec check_command;
extern const CommandSpec rotate_command;
extern const CommandSpec prune_command;
extern const CommandSpec completion_command;
extern const CommandSpec config_group;
extern const CommandSpec config_show_command;
extern const CommandSpec config_path_command;

}  // namespace aktoken::commands
