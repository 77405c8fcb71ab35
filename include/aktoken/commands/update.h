// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "aktoken/commands/context.h"

namespace aktoken::commands {

// The flags of `aktoken update` as the user gave them, not yet checked.
struct UpdateFlags {
    std::vector<std::string> identifiers;
    std::optional<std::string> description;
    std::optional<std::string> expires;
    std::optional<std::string> intent;
    std::optional<std::string> user;
    std::optional<std::string> new_identifier;
    std::optional<std::string> managed;
    bool expiring = false;
    bool no_expiring = false;
    bool no_managed = false;
    bool no_preserve = false;
    bool dry_run = false;
    bool strict = false;
    bool allow_expiry_reset = false;
};

// The checked request: the sparse body holding exactly the fields the user gave.
struct UpdatePlan {
    std::vector<std::string> identifiers;
    model::TokenPatch patch;
    // --user USERNAME: looked up (GET /core/users/) into patch.user when the run starts.
    std::optional<std::string> user_name;
    bool preserve = true;
    bool dry_run = false;
    bool strict = false;
    bool allow_expiry_reset = false;  // write even where authentik resets or ignores an api expiry
};

// Checks every flag and builds the plan; throws Error(usage) before anything is sent.
UpdatePlan plan_update(const UpdateFlags& flags, util::Timestamp now);

// Adds the token's current intent and user where the patch does not set them, because
// authentik otherwise resets intent to api and hands the token to the caller.
void preserve_owner_and_intent(model::TokenPatch& patch, const model::Token& current);

// A field whose stored value differs from the one asked for.
struct Override {
    std::string field;
    std::string requested;
    std::string stored;
    std::string reason;  // empty when unknown
};

// Compares every field the patch sets with the token the server returned.
std::vector<Override> find_overrides(const model::TokenPatch& asked, const model::Token& stored);

// One line describing an override, for warnings and --strict errors.
std::string describe(const Override& override_);

// Looks plan.user_name up into plan.patch.user (one GET /core/users/), before run_update.
void resolve_user(Context& context, UpdatePlan& plan);

// `aktoken update`: for each token GET (unless --no-preserve), PATCH, compare; print the tokens.
Result run_update(Context& context, const UpdatePlan& plan);

}  // namespace aktoken::commands
