// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

#include "aktoken/util/error.h"
#include "aktoken/util/secret.h"
#include "aktoken/util/time.h"

// The grammar of every value a user types (flags, environment variables, config keys) and the one
// way to show a value in a message. Parsers return nullopt for a refused text and, when `problem`
// is given, set it to what would have been accepted ("expected ..."), ready for invalid_value().
// Durations and times are part of the grammar too: see parse_duration and parse_when in time.h.
namespace aktoken::util {

// The bounds of a number of seconds. The minimum is always 0, inclusive or not: a timeout of 0
// would never let a request finish, while a retry budget or lock wait of 0 means "none".
struct SecondsRange {
    bool zero_allowed = true;  // false: strictly more than 0
    double max = 86400;        // inclusive
};

// Parses a number of seconds: decimal digits with at most one dot ("30", "2.5", ".5", "5."), no
// sign, exponent, spaces, "inf" or "nan"; digits beyond the ninth after the dot are ignored.
// Problems: with zero_allowed "expected a number of seconds from 0 to <max>" for everything,
// otherwise "expected a positive number of seconds", or "at most <max> seconds" when too large.
std::optional<double> parse_seconds(std::string_view text, SecondsRange range, std::string* problem = nullptr);

// The bounds of a whole number and the words for it in messages.
struct CountRange {
    std::int64_t min = 0;
    std::optional<std::int64_t> max;  // inclusive; nullopt: up to INT64_MAX
    // What the number is: "a whole number", "a number of workers". Without a maximum the problem
    // is "expected <what>", so `what` must then say the minimum itself ("a positive integer").
    std::string_view what = "a whole number";
};

// Parses a whole number: decimal digits only (no sign, spaces or dot), leading zeros allowed.
// Problem: "expected <what> from <min> to <max>", or "expected <what>" without a maximum.
std::optional<std::int64_t> parse_count(std::string_view text, CountRange range, std::string* problem = nullptr);

// What parse_bool accepts, as a problem.
inline constexpr std::string_view bool_expected = "expected true, false, 1, 0, yes or no";

// Parses true/false, 1/0, yes/no, ignoring ASCII case. Problem: bool_expected.
std::optional<bool> parse_bool(std::string_view text, std::string* problem = nullptr);

// What parse_duration (time.h) accepts, as a problem.
inline constexpr std::string_view duration_expected = "expected a duration such as 14d, 12h, 1d12h";

// Tells whether text is valid UTF-8 (overlong forms, surrogates and code points above U+10FFFF
// are not).
bool is_valid_utf8(std::string_view text);

// Tells whether text holds a character that a terminal would act on rather than show: a C0
// control, DEL, a C1 control, a bidirectional control (U+202A-U+202E, U+2066-U+2069) or a byte
// that is not valid UTF-8.
bool has_control(std::string_view text);

// Returns text safe to print on a terminal as part of one line (the escaping of git and gh):
// \n, \r and \t as such; other C0 controls, DEL and bytes that are not valid UTF-8 as \xHH;
// C1 controls (U+0080-U+009F) and the bidirectional controls U+202A-U+202E and U+2066-U+2069 as
// \uHHHH; each character of `also` with a backslash in front. Other text, UTF-8 included, is
// kept as it is.
std::string escape_controls(std::string_view text, std::string_view also = {});

// Returns value in double quotes for a message, safe to print on a terminal: escape_controls
// with `"` and `\` escaped with a backslash too.
std::string quoted(std::string_view value);

// Builds `<name>: invalid value "<value>": <expected>` (value through quoted()) as an Error of
// `kind`: usage for a flag, config for an environment variable.
Error invalid_value_error(ErrorKind kind, std::string_view name, std::string_view value, std::string_view expected);

// Throws invalid_value_error(ErrorKind::usage, flag, value, expected).
[[noreturn]] void invalid_value(std::string_view flag, std::string_view value, std::string_view expected);

// A byte count as messages show it: "64 MiB", "4 KiB", "1000 bytes", "1 byte".
std::string byte_size_text(std::size_t bytes);

// Reads `in` to its end, refusing more than `cap` bytes with Error(kind) "cannot read <what>: more
// than <cap>" (the cap as "1 MiB", "4 KiB" or "100 bytes"), or "cannot read <what>" when the stream
// fails. Every buffer it drops on the way, partial or refused, is wiped.
Secret read_capped(std::istream& in, std::size_t cap, std::string_view what, ErrorKind kind = ErrorKind::config);

}  // namespace aktoken::util
