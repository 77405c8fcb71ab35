// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "aktoken/commands/context.h"
#include "aktoken/util/secret.h"

namespace aktoken::commands {

// The flags of `aktoken rotate` as the user gave them.
struct RotateFlags {
    std::vector<std::string> identifiers;
    std::optional<std::string> if_expiring_within;
    std::optional<std::string> length;
    std::optional<std::string> key_file;
    bool show_key = false;
    std::optional<std::string> expires;
    bool verify = false;
    std::optional<std::string> lock;
    std::optional<std::string> lock_timeout;
    std::optional<std::string> overlap;
    bool no_expiring = false;
    std::optional<std::string> exec;
    std::optional<std::string> exec_timeout;
    // Where a token's lock lives when no --key-file names PATH.lock (from the environment).
    std::optional<std::string> lock_directory;
};

// The checked request.
struct RotatePlan {
    std::vector<std::string> identifiers;
    std::optional<std::chrono::seconds> if_expiring_within;
    std::size_t length = 60;
    std::optional<std::string> key_file;  // may hold {} for the identifier
    bool show_key = false;
    std::optional<model::Nullable<util::Timestamp>> expires;  // the renewal asked for app passwords
    bool verify = false;
    std::optional<std::string> lock;
    std::chrono::milliseconds lock_timeout{0};
    bool mask_for_github = false;  // GITHUB_ACTIONS=true: ::add-mask::KEY on stderr before a key
    // --overlap: a successor token takes over the name; the old one keeps its key this long.
    std::optional<std::chrono::seconds> overlap;
    bool no_expiring = false;         // --overlap: the successor never expires
    std::optional<std::string> exec;  // delivers each new key on the command's stdin
    std::chrono::milliseconds exec_timeout{60000};
    // --overlap without --key-file: the directory of the per-token lock files.
    std::optional<std::string> lock_directory;
};

// Checks every flag; throws Error(usage) before anything is sent.
RotatePlan plan_rotate(const RotateFlags& flags, util::Timestamp now);

// The key file of one token: the pattern with {} replaced by the identifier.
std::string key_file_for(const std::string& pattern, const std::string& identifier);

// What happened to one token.
struct Rotation {
    std::string identifier;
    std::string result;  // rotated, skipped, failed
    std::string reason;
    std::optional<util::Timestamp> expires;
    std::string key_went_to;          // "", a path, "stdout" or both
    std::optional<util::Secret> key;  // kept only for --show-key
    std::string retired;              // --overlap: the name the old generation got
    std::optional<util::Timestamp> retired_until;
};

// `aktoken rotate`: for each token, a new key that is never lost (PATH.pending first, then
// set_key, then the rename), the expiry renewed, and the run's own token switched over.
Result run_rotate(Context& context, const RotatePlan& plan);

}  // namespace aktoken::commands
