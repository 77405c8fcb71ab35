// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string>

#include "aktoken/commands/context.h"
#include "aktoken/util/secret.h"

namespace aktoken::commands {

// Writes a key and a newline to PATH: mode 0600, written to a temporary file in the same
// directory and renamed over PATH, so a reader never sees half a key; a symlink is refused.
void write_key_file(const std::string& path, std::string_view key);

// Fetches a token's key, explaining a 403 with the permission it needs.
util::Secret fetch_key(api::Client& client, const std::string& identifier);

// `aktoken view-key`: prints only the key and a newline, or writes it to key_file.
Result run_view_key(Context& context, const std::string& identifier, const std::optional<std::string>& key_file);

// Where set-key reads the new key from: a file or standard input.
struct KeySource {
    std::optional<std::string> file;
    bool from_stdin = false;
};

// Reads and checks a key: no empty keys, no whitespace or control characters inside.
util::Secret read_key(const KeySource& source, std::istream& stdin_stream);

// Refuses empty keys and keys holding whitespace or control characters (Error(usage)).
void check_key(std::string_view key, std::string_view origin);

// Sends a key with set_key, explaining a 403 with the permission it needs.
void send_key(api::Client& client, const std::string& identifier, std::string_view key);

// `aktoken set-key`.
Result run_set_key(Context& context, const std::string& identifier, const util::Secret& key);

}  // namespace aktoken::commands
