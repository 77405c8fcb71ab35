// SPDX-License-Identifier: MIT
// rotate --overlap and rotate --exec (rotate_overlap.cpp), private to src/commands.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "aktoken/commands/context.h"
#include "aktoken/commands/rotate.h"
#include "aktoken/commands/write_rules.h"
#include "aktoken/config/settings.h"

namespace aktoken::commands {

// Why a token is rotated now ("requested", or how its expiry is within --if-expiring-within), or
// nullopt with `skip_reason` set when it is not due.
std::optional<std::string> due_reason(const RotatePlan& plan, const model::Token& token, util::Timestamp now,
                                      std::string& skip_reason);

// Refuses (Error(usage)) an identifier --overlap cannot rotate: one whose generations' names
// would not fit authentik's 255 characters, or one that is itself a generation.
void check_rotatable_name(const std::string& identifier);

// Where --overlap without --key-file keeps its lock files: $XDG_RUNTIME_DIR/aktoken, else
// $XDG_STATE_HOME/aktoken, else ~/.local/state/aktoken; nullopt when none is set.
std::optional<std::string> overlap_lock_directory(const config::Environment& environment);

// Runs --exec with `key` on its stdin; returns why the delivery failed, or nullopt.
std::optional<std::string> deliver_key(const RotatePlan& plan, const std::string& identifier, std::string_view key,
                                       const std::optional<util::Timestamp>& expires);

// rotate --overlap of one token: a successor takes over the identifier once its key is written,
// verified and delivered, and the old token keeps its key as a retired generation until the
// overlap ends. A run that finds a rotation a killed run left behind finishes it (or removes a
// successor it cannot use) first.
Rotation rotate_with_overlap(Context& context, const RotatePlan& plan, const std::string& identifier,
                             DefaultDuration& durations);

}  // namespace aktoken::commands
