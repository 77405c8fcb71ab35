// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string>

#include "aktoken/commands/context.h"

namespace aktoken::commands {

// The flags of `aktoken create` as the user gave them.
struct CreateFlags {
    std::string identifier;
    std::optional<std::string> intent;
    std::optional<std::string> user;  // a pk or a username
    std::optional<std::string> description;
    std::optional<std::string> expires;
    bool no_expiring = false;
    std::optional<std::string> managed;
    bool if_not_exists = false;
    bool show_key = false;
    std::optional<std::string> key_file;
    bool strict = false;
    bool allow_expiry_reset = false;
};

// The checked request.
struct CreatePlan {
    model::TokenPatch fields;              // identifier, intent, ... as they will be sent
    std::optional<std::string> user_name;  // to turn into a pk first
    bool if_not_exists = false;
    bool show_key = false;
    std::optional<std::string> key_file;
    bool strict = false;
    bool mask_for_github = false;  // GITHUB_ACTIONS=true: ::add-mask::KEY on stderr before a key
};

// Checks every flag; throws Error(usage) before anything is sent.
CreatePlan plan_create(const CreateFlags& flags, util::Timestamp now);

// `aktoken create`: POST, compare what was stored with what was asked, then the key if asked.
Result run_create(Context& context, CreatePlan plan);

}  // namespace aktoken::commands
