// SPDX-License-Identifier: MIT
// JSON in and out: authentik's response shapes (key order included) and request-body parsing
// with Python-style error messages.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "json.h"
#include "model.h"

namespace sandbox {

// DRF's validation error body: field name -> messages, in serializer field order.
using FieldErrors = std::vector<std::pair<std::string, std::vector<std::string>>>;

struct PageWindow {
    std::int64_t count = 0;
    std::int64_t number = 1;
    std::int64_t num_pages = 1;
    std::int64_t per_page = 20;
    std::size_t begin = 0;  // first result index (0-based)
    std::size_t end = 0;    // one past the last
};

void write_user(JsonWriter& w, const User& user);
void write_token(JsonWriter& w, const Token& token, const User& owner, bool with_key);
void write_pagination(JsonWriter& w, const PageWindow& page);

std::string token_json(const Token& token, const User& owner);
std::string user_self_json(const User& user);
std::string used_by_json(const Token& token);
std::string key_json(const std::string& key);
std::string detail_json(std::string_view detail);
std::string errors_json(const FieldErrors& errors);
std::string string_json(std::string_view text);

// Parses a body iteratively (deep nesting cannot overflow the stack). On failure returns the
// message Python's json module would give, e.g. "Expecting value: line 1 column 1 (char 0)".
std::optional<std::string> parse_json(std::string_view text, rapidjson::Document& doc);

// The member `name` of an object, or null when absent or when `value` is not an object.
const rapidjson::Value* find_member(const rapidjson::Value& value, const char* name);

// Python's type(x).__name__ for a JSON value: str, int, float, bool, list, dict, NoneType.
std::string python_type_name(const rapidjson::Value& value);
// Python's str(x) for a scalar JSON value (True, 5, 1.5, text).
std::string python_str(const rapidjson::Value& value);

}  // namespace sandbox
