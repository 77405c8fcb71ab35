// SPDX-License-Identifier: MIT
// rotate's key file protocol (rotate_key_file.cpp), private to src/commands.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "aktoken/commands/context.h"
#include "aktoken/util/error.h"
#include "aktoken/util/secret.h"

namespace aktoken::commands {

// Answers that prove the server did not take the key; anything else leaves it unknown.
bool refused(const Error& e);

// The key of a pending key file, nullopt when there is none. Only a file aktoken can have written
// is trusted (a regular file of the user's, mode 0600, one generated key and a newline): anything
// else is refused with Error(config), since anyone who may write to the directory could plant one.
std::optional<util::Secret> read_pending_key(const std::string& pending);

// PATH.pending: the new key, written before set_key and renamed over PATH once it is confirmed.
std::string pending_path(const std::string& path);

// PATH.lock: held for the whole rotation to PATH.
std::string lock_path(const std::string& path);

// Refuses (Error(config)) a key file, pending file or lock file that cannot be used, before the
// first request. `value` is the --key-file value as given, for the message.
void check_key_files(std::string_view value, const std::string& path);

// Whether two paths are the same once made absolute and normalised (no links resolved).
bool same_path(const std::string& a, const std::string& b);

// Sends the key; when the outcome is unknown, asks the server which key it holds before giving
// up. A refusal removes `pending`; an unknown outcome keeps it for the next run.
void send_key_confirmed(Context& context, const std::string& identifier, std::string_view key,
                        const std::optional<std::string>& pending);

// Finishes a rotation a killed run left in PATH.pending (a trusted one only), before anything else.
void complete_pending(Context& context, const std::string& identifier, const std::string& path);

}  // namespace aktoken::commands
