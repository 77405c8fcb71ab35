// SPDX-License-Identifier: MIT
// Time as authentik (Django, Python) reads and writes it.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sandbox {

// Microseconds since the Unix epoch, UTC: Python's datetime resolution.
using Micros = std::int64_t;

inline constexpr Micros micros_per_second = 1'000'000;

// Parses what Django's parse_datetime accepts (Python 3.11 fromisoformat, then Django's regex);
// naive values are UTC as in authentik (TIME_ZONE="UTC").
std::optional<Micros> parse_django_datetime(std::string_view text);

// DRF's output: 2026-07-23T10:00:00Z, with .ffffff only when microseconds are non-zero.
std::string format_iso(Micros t);

// Python's str() of an aware UTC datetime: 2026-07-23 10:00:00[.ffffff]+00:00.
std::string format_python(Micros t);

// The --default-token-duration syntax: 30m, 1h, 2d, 1d12h (units s m h d w).
std::optional<Micros> parse_duration(std::string_view text);

// authentik's timedelta_from_string: "hours=2;minutes=30" (weeks, days, hours, minutes,
// seconds, milliseconds, microseconds; unknown keys skipped; none valid is an error).
std::optional<Micros> parse_timedelta_string(std::string_view text);

// The same format written: 30 minutes is "minutes=30", 36 hours "days=1;hours=12".
std::string format_timedelta_string(Micros duration);

// The real clock, or a frozen instant set by --now or the control API.
class Clock {
public:
    Micros now() const;
    void freeze(std::optional<Micros> at);

private:
    static constexpr Micros real_clock = INT64_MIN;
    std::atomic<Micros> frozen_{real_clock};
};

}  // namespace sandbox
