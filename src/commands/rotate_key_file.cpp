// SPDX-License-Identifier: MIT
// The key file protocol of rotate: PATH.pending written before set_key and renamed after it,
// PATH.lock held around the whole rotation, and what is checked of them before any request.
#include "commands/rotate_key_file.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include "aktoken/commands/keys.h"
#include "aktoken/commands/token_fields.h"
#include "aktoken/util/files.h"
#include "aktoken/util/random.h"
#include "aktoken/util/strings.h"
#include "aktoken/util/values.h"

namespace aktoken::commands {

// A pending key file is sent as the token's new key, so only one that aktoken itself can have
// written is trusted: anyone who may write to the key file's directory could plant one.
std::optional<util::Secret> read_pending_key(const std::string& pending) {
    constexpr std::string_view kNothingSent = "; nothing was sent: check where it came from, then remove it";
    std::optional<std::string> content;
    try {
        content = util::read_private_file(pending, "pending key file");
    } catch (const Error& e) {
        throw Error(e.kind(), fmt::format("{}{}", e.what(), kNothingSent));
    }
    if (!content) {
        return std::nullopt;
    }
    util::Secret key{std::string(*content)};
    util::wipe(*content);
    const std::string_view text = key.view();
    if (text.empty() || text.back() != '\n' || !util::is_generated_key_form(text.substr(0, text.size() - 1))) {
        throw Error(ErrorKind::config,
                    fmt::format("refusing pending key file {}: it does not hold a key as aktoken writes one ({} to "
                                "{} letters and digits, then a newline){}",
                                pending, util::min_key_length, util::max_key_length, kNothingSent));
    }
    return util::Secret(std::string(text.substr(0, text.size() - 1)));
}

// Answers that prove the server did not take the key; anything else leaves it unknown.
bool refused(const Error& e) {
    switch (e.kind()) {
        case ErrorKind::auth:
        case ErrorKind::permission:
        case ErrorKind::not_found:
        case ErrorKind::rejected:
        case ErrorKind::usage:
        case ErrorKind::config:
            return true;
        default:
            return false;
    }
}

std::string pending_path(const std::string& path) { return path + ".pending"; }

std::string lock_path(const std::string& path) { return path + ".lock"; }

// Everything about a key file and the files beside it that can go wrong is found before the
// first request: found after set_key, it would leave the server with a key nobody has.
void check_key_files(std::string_view value, const std::string& path) {
    check_output_file("--key-file", value, path);
    read_pending_key(pending_path(path));
    const std::string lock = lock_path(path);
    struct stat info {};
    if (::lstat(lock.c_str(), &info) == 0) {
        if (S_ISLNK(info.st_mode)) {
            throw Error(ErrorKind::config, fmt::format("refusing lock file {}: it is a symbolic link", lock));
        }
        if (!S_ISREG(info.st_mode)) {
            throw Error(ErrorKind::config, fmt::format("refusing lock file {}: it is not a regular file", lock));
        }
    }
}

bool same_path(const std::string& a, const std::string& b) {
    std::error_code error_a;
    std::error_code error_b;
    const std::filesystem::path absolute_a = std::filesystem::absolute(a, error_a).lexically_normal();
    const std::filesystem::path absolute_b = std::filesystem::absolute(b, error_b).lexically_normal();
    return !error_a && !error_b && absolute_a == absolute_b;
}

// Sends the key; when the outcome is unknown, asks the server which key it holds before giving up.
void send_key_confirmed(Context& context, const std::string& identifier, std::string_view key,
                        const std::optional<std::string>& pending) {
    try {
        send_key(context.client, identifier, key);
        return;
    } catch (const Error& e) {
        if (refused(e)) {
            if (pending) {
                ::unlink(pending->c_str());
            }
            throw;
        }
        try {
            if (fetch_key(context.client, identifier).view() == key) {
                return;
            }
        } catch (const Error&) {
            // view_key may be forbidden or the server still unreachable: the outcome stays unknown.
        }
        throw Error(
            e.kind(),
            fmt::format("could not confirm that token {} took its new key ({}){}", util::quoted(identifier), e.what(),
                        pending ? fmt::format("; {} is kept and the next run completes the rotation", *pending) : ""),
            e.status());
    }
}

// A run killed between writing PATH.pending and the rename left a key the server may hold:
// finish that rotation before anything else.
void complete_pending(Context& context, const std::string& identifier, const std::string& path) {
    const std::string pending = pending_path(path);
    const std::optional<util::Secret> key = read_pending_key(pending);
    if (!key) {
        return;
    }
    send_key_confirmed(context, identifier, key->view(), pending);
    util::rename_durably(pending, path);
    note(context,
         fmt::format("completed the interrupted rotation of token {} from {}", util::quoted(identifier), pending));
}

}  // namespace aktoken::commands
