// SPDX-License-Identifier: MIT
#include "aktoken/commands/keys.h"

#include <fmt/format.h>
#include <unistd.h>

#include <istream>
#include <iterator>

#include "aktoken/commands/token_fields.h"
#include "aktoken/json/codec.h"
#include "aktoken/util/files.h"
#include "aktoken/util/strings.h"

namespace aktoken::commands {
namespace {

// A bare "permission denied" leaves the operator guessing which permission is missing.
Error with_permission_hint(const Error& e, const std::string& hint) {
    if (e.kind() != ErrorKind::permission) {
        return e;
    }
    return Error(e.kind(), fmt::format("{}; {}", e.what(), hint), e.status(), e.fields());
}

}  // namespace

void write_key_file(const std::string& path, std::string_view key) {
    std::string content(key);
    content += '\n';
    try {
        util::write_file_atomic(path, content, 0600);
    } catch (...) {
        util::wipe(content);
        throw;
    }
    util::wipe(content);
}

util::Secret fetch_key(api::Client& client, const std::string& identifier) {
    try {
        return client.view_key(identifier);
    } catch (const Error& e) {
        throw with_permission_hint(
            e, "viewing a key needs the permission authentik_core.view_token_key on the token (superusers have it, "
               "and so does a token's creator)");
    }
}

Result run_view_key(Context& context, const std::string& identifier, const std::optional<std::string>& key_file) {
    util::Secret key = fetch_key(context.client, identifier);
    if (key_file) {
        write_key_file(*key_file, key.view());
    } else {
        context.out << key.view() << '\n';
    }
    return {};
}

void check_key(std::string_view key, std::string_view origin) {
    if (key.empty()) {
        throw Error(ErrorKind::usage, fmt::format("the key from {} is empty", origin));
    }
    for (char c : key) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte <= 0x20 || byte == 0x7f) {
            throw Error(ErrorKind::usage,
                        fmt::format("the key from {} holds whitespace or control characters; a key is one word of "
                                    "printable characters",
                                    origin));
        }
    }
}

util::Secret read_key(const KeySource& source, std::istream& stdin_stream) {
    std::string raw;
    std::string origin;
    if (source.file) {
        origin = *source.file;
        raw = util::read_secret_file(*source.file, "key file");
    } else {
        origin = "standard input";
        raw.assign(std::istreambuf_iterator<char>(stdin_stream), std::istreambuf_iterator<char>());
    }
    util::Secret key{std::string(util::trim_right(raw))};
    util::wipe(raw);
    check_key(key.view(), origin);
    return key;
}

void send_key(api::Client& client, const std::string& identifier, std::string_view key) {
    try {
        client.set_key(identifier, key);
    } catch (const Error& e) {
        throw with_permission_hint(e,
                                   "setting a key needs the permission authentik_core.set_token_key (superusers have "
                                   "it; token owners do not by default)");
    }
}

Result run_set_key(Context& context, const std::string& identifier, const util::Secret& key) {
    send_key(context.client, identifier, key.view());
    if (context.format == output::Format::json) {
        context.out << fmt::format("{{\n  \"identifier\": {},\n  \"key_set\": true\n}}\n", json::quote(identifier));
    } else {
        context.out << fmt::format("key of token {} set\n", quoted(identifier));
    }
    return {};
}

}  // namespace aktoken::commands
