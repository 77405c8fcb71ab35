// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <string_view>

namespace aktoken::http {

// The value of a header as a trace may show it: credentials become "<redacted>" (Authorization
// keeps its scheme word, "Bearer <redacted>"), every other header is returned unchanged.
std::string redact_header(std::string_view name, std::string_view value);

// The body with the string value of every JSON member named "key" replaced by "<redacted>", at
// any depth; anything else, non-JSON and truncated text included, is kept byte for byte except
// that any `"key" : "..."` pattern still has its value redacted.
std::string redact_json_keys(std::string_view body);

}  // namespace aktoken::http
