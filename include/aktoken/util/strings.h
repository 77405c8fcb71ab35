// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aktoken::util {

// Returns text without leading and trailing ASCII whitespace (space, \t, \n, \v, \f, \r).
std::string_view trim(std::string_view text);

// Returns text without trailing ASCII whitespace.
std::string_view trim_right(std::string_view text);

// Splits text at every separator; "" gives one empty field and "a," gives "a" and "".
std::vector<std::string> split(std::string_view text, char separator);

// Joins the parts with the separator between them.
std::string join(const std::vector<std::string>& parts, std::string_view separator);

// Returns text with ASCII letters lower-cased; other bytes are kept as they are.
std::string to_lower(std::string_view text);

// Compares ASCII case-insensitively (other bytes must be equal).
bool iequals(std::string_view a, std::string_view b);

// Tells whether text is a valid authentik token identifier: 1 to 255 of [-a-zA-Z0-9_].
bool is_valid_identifier(std::string_view text);

// Parses a decimal integer greater than zero (digits only, no sign or spaces); nullopt if malformed
// or larger than INT64_MAX.
std::optional<std::int64_t> parse_positive_int(std::string_view text);

}  // namespace aktoken::util
