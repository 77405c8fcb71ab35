// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string>

#include "aktoken/commands/command.h"
#include "aktoken/commands/context.h"
#include "aktoken/util/secret.h"

namespace aktoken::commands {

// Writes a key and a newline to PATH: mode 0600, written to a temporary file in the same
// directory and renamed over PATH, so a reader never sees half a key; a symlink is refused.
void write_key_file(const std::string& path, std::string_view key);

// Whether keys are masked before they are printed: under GitHub Actions (GITHUB_ACTIONS=true).
bool masks_keys(const Preparation& preparation);

// Under GitHub Actions (`masked`), registers `key` as a secret with the runner before it is
// printed: `::add-mask::KEY` on the error stream, which the runner reads for workflow commands
// like stdout (actions/runner, Runner.Worker/Handlers/ScriptHandler.cs), so stdout keeps its
// format for jq and friends.
void mask_key(Context& context, bool masked, std::string_view key);

// Writes `text`, which holds a key, to the context's output and flushes it at once, so that a
// key stdout cannot take is known while the user can still be told where else it is. Returns
// why the write failed, or nullopt.
std::optional<std::string> print_key_text(Context& context, std::string_view text);

// The error for a key that could not be printed (Error(internal)): "<what> could not be written
// to standard output (<reason>); <recovery>".
Error undelivered_key(std::string_view what, std::string_view reason, std::string_view recovery);

// The recovery for a key the server holds: "the server holds it: read it with `aktoken view-key ID`".
std::string view_key_recovery(const std::string& identifier);

// Fetches a token's key, explaining a 403 with the permission it needs.
util::Secret fetch_key(api::Client& client, const std::string& identifier);

// `aktoken view-key`: prints only the key and a newline (masked first when `mask`), or writes it
// to key_file.
Result run_view_key(Context& context, const std::string& identifier, const std::optional<std::string>& key_file,
                    bool mask = false);

// Where set-key reads the new key from: a file or standard input.
struct KeySource {
    std::optional<std::string> file;
    bool from_stdin = false;
};

// Reads and checks a key: no empty keys, no whitespace or control characters inside.
util::Secret read_key(const KeySource& source, std::istream& stdin_stream);

// set-key --key-stdin on a terminal: asks for the key on standard error with the terminal's echo
// off (as `gh secret set` does), reads one line and checks it.
util::Secret ask_key(const std::string& identifier, const Preparation& preparation);

// Refuses empty keys and keys holding whitespace or control characters (Error(usage)).
void check_key(std::string_view key, std::string_view origin);

// Sends a key with set_key, explaining a 403 with the permission it needs.
void send_key(api::Client& client, const std::string& identifier, std::string_view key);

// `aktoken set-key`.
Result run_set_key(Context& context, const std::string& identifier, const util::Secret& key);

}  // namespace aktoken::commands
