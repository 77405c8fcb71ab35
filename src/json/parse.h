// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <string_view>

#include "json/rapidjson.h"

namespace aktoken::json {

// Throws Error(server) "unexpected answer from the server: <what>".
[[noreturn]] void bad_shape(const std::string& what);

// Parses a JSON text with the depth cap and UTF-8 validation (unless `validate_encoding` is false:
// the caller validates each part itself, to name the part that is broken); throws Error(server)
// otherwise. Of two members of one name, only the last is kept, as authentik's Python reads them.
rapidjson::Document parse(std::string_view text, bool validate_encoding = true);

// A JSON text as written, with the C1 controls and the bidirectional controls (U+202A-U+202E,
// U+2066-U+2069) in its strings escaped as \uHHHH: the same value, but one that cannot act on a
// terminal. RapidJSON escapes only C0 controls and would otherwise pass them through raw.
std::string escape_terminal_controls(std::string json_text);

}  // namespace aktoken::json
