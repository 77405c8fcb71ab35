// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace aktoken::util {

// A point in time in UTC with the precision authentik stores (microseconds).
using Timestamp = std::chrono::sys_time<std::chrono::microseconds>;

// The current time from the system clock.
Timestamp now();

// Parses what authentik emits and accepts: YYYY-MM-DD(T| )HH:MM[:SS[.fraction]] then Z, ±HH:MM or
// nothing (naive, read as UTC); fraction digits beyond six are truncated. nullopt if invalid.
std::optional<Timestamp> parse_timestamp(std::string_view text);

// Formats as YYYY-MM-DDTHH:MM:SSZ, dropping any fraction of a second.
std::string format_timestamp(Timestamp t);

// Formats as authentik does: YYYY-MM-DDTHH:MM:SS[.uuuuuu]Z, the fraction only when non-zero.
std::string format_timestamp_exact(Timestamp t);

// Parses a duration such as 30d, +12h, 1d12h or 1w2d3h4m5s (units w d h m s, each at most once, in
// that order); nullopt if malformed or longer than 1000 years.
std::optional<std::chrono::seconds> parse_duration(std::string_view text);

// Parses an --expires value: a time parse_timestamp accepts, a date YYYY-MM-DD (midnight UTC) or a
// duration after `now` (truncated to whole seconds). nullopt if invalid; then `problem`, when given,
// holds a short phrase saying what is wrong and what is accepted, ready for invalid_value().
std::optional<Timestamp> parse_when(std::string_view text, Timestamp now, std::string* problem);

// Describes target relative to now with its largest unit and the next one when non-zero, truncated:
// "in 3d 4h", "in 45m", "expired 2h ago", "now".
std::string format_relative(Timestamp target, Timestamp now);

// format_relative for a time that is no expiry: "2h ago" instead of "expired 2h ago".
std::string format_relative_plain(Timestamp target, Timestamp now);

// Formats a duration compactly with units d h m s ("30m", "1d12h", "0s"); parse_duration reads it
// back for non-negative values.
std::string format_duration(std::chrono::seconds duration);

}  // namespace aktoken::util
