// SPDX-License-Identifier: MIT
#pragma once

#include <istream>
#include <string>
#include <vector>

#include "aktoken/commands/context.h"

namespace aktoken::commands {

// How `aktoken delete` may ask for confirmation.
struct DeleteOptions {
    bool yes = false;             // --yes: do not ask
    bool ignore_missing = false;  // --ignore-missing: a 404 counts as success
    bool stdin_is_terminal = false;
    std::istream* answers = nullptr;  // where the confirmation is read from
};

// Refuses to go on without --yes when nobody can be asked (Error(usage)); checked before anything is sent.
void check_confirmation_possible(const DeleteOptions& options);

// `aktoken delete`: on a terminal names each token and what authentik deletes with it, asks,
// then deletes; reports each failure and goes on with the others.
Result run_delete(Context& context, const std::vector<std::string>& identifiers, const DeleteOptions& options);

}  // namespace aktoken::commands
