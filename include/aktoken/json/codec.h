// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aktoken/model/token.h"
#include "aktoken/util/secret.h"

// The only module that sees RapidJSON. Decoders accept what authentik sends (unknown fields
// are ignored) and throw aktoken::Error(ErrorKind::server) for anything else: not JSON,
// nested deeper than kMaxDepth, or of the wrong shape.
namespace aktoken::json {

inline constexpr int kMaxDepth = 64;

// A Token object.
model::Token decode_token(std::string_view body);

// A paginated token list.
model::Page<model::Token> decode_token_page(std::string_view body);

// A paginated user list.
model::Page<model::User> decode_user_page(std::string_view body);

// The `{"user": {...}}` answer of /core/users/me/.
model::User decode_me(std::string_view body);

// version_current from the answer of admin/version/ ("2026.5.6").
std::string decode_version(std::string_view body);

// The `{"key": "..."}` answer of view_key.
util::Secret decode_key(std::string_view body);

// The array answered by used_by.
std::vector<model::UsedBy> decode_used_by(std::string_view body);

// The answer of /admin/settings/ (only the members aktoken reads).
model::Settings decode_settings(std::string_view body);

// An error answer; nullopt when the body is not a JSON object.
std::optional<model::ErrorBody> decode_error(std::string_view body);

// The JSON body of a sparse write: exactly the engaged members, timestamps as
// YYYY-MM-DDTHH:MM:SSZ. Pretty-printed with two-space indentation when asked.
std::string encode_patch(const model::TokenPatch& patch, bool pretty = false);

// The body of set_key.
util::Secret encode_set_key(std::string_view key);

// Re-indents a JSON text with two spaces (for -o json and --dry-run).
std::string pretty(std::string_view json_text);

// A pretty JSON array of the given JSON texts (each an object as received).
std::string pretty_array(const std::vector<std::string>& json_texts);

// Adds a "key" member to a JSON object text (for `create --show-key -o json`).
std::string with_key(std::string_view object_text, std::string_view key);

}  // namespace aktoken::json
