// SPDX-License-Identifier: MIT
#include "aktoken/util/time.h"

#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <stdexcept>

#include "aktoken/util/values.h"

namespace aktoken::util {

namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::microseconds;
using std::chrono::minutes;
using std::chrono::seconds;

// Which part of a timestamp-shaped text is wrong, so parse_when can say more than "invalid".
enum class Problem { none, shape, date, time, offset };

struct ParsedTimestamp {
    Timestamp value{};
    Problem problem = Problem::shape;
    std::string_view part;  // the offending part for date, time and offset problems
};

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly `width` digits at pos; fixed widths are what rejects "2025-3-1".
bool read_digits(std::string_view text, std::size_t& pos, std::size_t width, int& out) {
    if (text.size() - pos < width) {
        return false;
    }
    int value = 0;
    for (std::size_t i = 0; i < width; ++i) {
        const char c = text[pos + i];
        if (!is_digit(c)) {
            return false;
        }
        value = value * 10 + (c - '0');
    }
    pos += width;
    out = value;
    return true;
}

bool read_char(std::string_view text, std::size_t& pos, char expected) {
    if (pos < text.size() && text[pos] == expected) {
        ++pos;
        return true;
    }
    return false;
}

// Reads the date part shared by timestamps and bare dates; false when the shape is wrong.
bool read_date(std::string_view text, std::size_t& pos, std::chrono::year_month_day& ymd) {
    int y = 0;
    int m = 0;
    int d = 0;
    if (!read_digits(text, pos, 4, y) || !read_char(text, pos, '-') || !read_digits(text, pos, 2, m) ||
        !read_char(text, pos, '-') || !read_digits(text, pos, 2, d)) {
        return false;
    }
    ymd = std::chrono::year{y} / std::chrono::month{static_cast<unsigned>(m)} /
          std::chrono::day{static_cast<unsigned>(d)};
    return true;
}

// Python's datetime has no year 0, so authentik would reject it even though ymd.ok() accepts it.
bool is_calendar_date(const std::chrono::year_month_day& ymd) { return ymd.ok() && ymd.year() >= std::chrono::year{1}; }

ParsedTimestamp parse_timestamp_detail(std::string_view text) {
    ParsedTimestamp result;
    std::size_t pos = 0;
    std::chrono::year_month_day ymd;
    if (!read_date(text, pos, ymd)) {
        return result;
    }
    const std::string_view date_part = text.substr(0, pos);
    if (!read_char(text, pos, 'T') && !read_char(text, pos, ' ')) {
        return result;
    }
    const std::size_t time_start = pos;
    int hour = 0;
    int minute = 0;
    int second = 0;
    long fraction_us = 0;
    if (!read_digits(text, pos, 2, hour) || !read_char(text, pos, ':') || !read_digits(text, pos, 2, minute)) {
        return result;
    }
    if (read_char(text, pos, ':')) {
        if (!read_digits(text, pos, 2, second)) {
            return result;
        }
        if (read_char(text, pos, '.')) {
            // Django truncates digits beyond microseconds rather than rejecting them.
            std::size_t count = 0;
            long scale = 100000;
            while (pos < text.size() && is_digit(text[pos])) {
                if (count < 6) {
                    fraction_us += (text[pos] - '0') * scale;
                    scale /= 10;
                }
                ++count;
                ++pos;
            }
            if (count == 0) {
                return result;
            }
        }
    }
    const std::string_view time_part = text.substr(time_start, pos - time_start);
    int offset_sign = 0;
    int offset_hour = 0;
    int offset_minute = 0;
    const std::size_t offset_start = pos;
    if (read_char(text, pos, 'Z')) {
        // UTC; lowercase z stays a shape error because authentik rejects it.
    } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
        offset_sign = text[pos] == '+' ? 1 : -1;
        ++pos;
        if (!read_digits(text, pos, 2, offset_hour) || !read_char(text, pos, ':') ||
            !read_digits(text, pos, 2, offset_minute)) {
            return result;
        }
    }
    if (pos != text.size()) {
        return result;
    }
    if (!is_calendar_date(ymd)) {
        result.problem = Problem::date;
        result.part = date_part;
        return result;
    }
    if (hour > 23 || minute > 59 || second > 59) {
        result.problem = Problem::time;
        result.part = time_part;
        return result;
    }
    if (offset_hour > 23 || offset_minute > 59) {
        result.problem = Problem::offset;
        result.part = text.substr(offset_start);
        return result;
    }
    const auto offset = offset_sign * (hours{offset_hour} + minutes{offset_minute});
    result.value = Timestamp{std::chrono::sys_days{ymd}} + hours{hour} + minutes{minute} + seconds{second} +
                   microseconds{fraction_us} - offset;
    result.problem = Problem::none;
    return result;
}

enum class DurationProblem { none, malformed, too_long };

constexpr seconds max_duration = std::chrono::duration_cast<seconds>(std::chrono::years{1000});

DurationProblem parse_duration_detail(std::string_view text, seconds& out) {
    struct Unit {
        char name;
        std::int64_t seconds;
    };
    static constexpr std::array<Unit, 5> units{{{'w', 604800}, {'d', 86400}, {'h', 3600}, {'m', 60}, {'s', 1}}};
    if (!text.empty() && text.front() == '+') {
        text.remove_prefix(1);
    }
    if (text.empty()) {
        return DurationProblem::malformed;
    }
    // Capping each number well below INT64_MAX / 604800 keeps the arithmetic free of overflow; the
    // cap is far above 1000 years in any unit, so the final check still decides.
    constexpr std::int64_t number_cap = 1'000'000'000'000;
    std::size_t next_unit = 0;
    std::int64_t total = 0;
    bool too_long = false;
    std::size_t pos = 0;
    while (pos < text.size()) {
        if (!is_digit(text[pos])) {
            return DurationProblem::malformed;
        }
        std::int64_t number = 0;
        while (pos < text.size() && is_digit(text[pos])) {
            if (number <= number_cap) {
                number = number * 10 + (text[pos] - '0');
            }
            ++pos;
        }
        if (pos == text.size()) {
            return DurationProblem::malformed;
        }
        std::size_t unit = next_unit;
        while (unit < units.size() && units[unit].name != text[pos]) {
            ++unit;
        }
        if (unit == units.size()) {
            return DurationProblem::malformed;
        }
        ++pos;
        next_unit = unit + 1;
        if (number > number_cap) {
            too_long = true;
        } else {
            total += number * units[unit].seconds;
        }
    }
    if (too_long || total > max_duration.count()) {
        return DurationProblem::too_long;
    }
    out = seconds{total};
    return DurationProblem::none;
}

}  // namespace

Timestamp now() { return std::chrono::floor<microseconds>(std::chrono::system_clock::now()); }

std::optional<Timestamp> parse_timestamp(std::string_view text) {
    const ParsedTimestamp parsed = parse_timestamp_detail(text);
    if (parsed.problem != Problem::none) {
        return std::nullopt;
    }
    return parsed.value;
}

namespace {

// Splits into calendar fields by hand because fmt 9 would print a time_point in local time.
struct Fields {
    std::chrono::year_month_day ymd;
    std::chrono::hh_mm_ss<microseconds> time;
};

Fields fields_of(Timestamp t) {
    const auto day = std::chrono::floor<days>(t);
    return Fields{std::chrono::year_month_day{day}, std::chrono::hh_mm_ss<microseconds>{t - day}};
}

std::string format_seconds_part(const Fields& f) {
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", static_cast<int>(f.ymd.year()),
                       static_cast<unsigned>(f.ymd.month()), static_cast<unsigned>(f.ymd.day()), f.time.hours().count(),
                       f.time.minutes().count(), f.time.seconds().count());
}

}  // namespace

std::string format_timestamp(Timestamp t) { return format_seconds_part(fields_of(t)) + "Z"; }

std::string format_timestamp_exact(Timestamp t) {
    const Fields f = fields_of(t);
    const auto micros = f.time.subseconds().count();
    if (micros == 0) {
        return format_seconds_part(f) + "Z";
    }
    return fmt::format("{}.{:06}Z", format_seconds_part(f), micros);
}

std::optional<seconds> parse_duration(std::string_view text) {
    seconds result{};
    if (parse_duration_detail(text, result) != DurationProblem::none) {
        return std::nullopt;
    }
    return result;
}

std::optional<Timestamp> parse_when(std::string_view text, Timestamp now, std::string* problem) {
    const auto fail = [problem](std::string text) -> std::optional<Timestamp> {
        if (problem != nullptr) {
            *problem = std::move(text);
        }
        return std::nullopt;
    };
    const ParsedTimestamp parsed = parse_timestamp_detail(text);
    switch (parsed.problem) {
        case Problem::none:
            return parsed.value;
        case Problem::date:
            return fail(fmt::format("{} is not a calendar date", quoted(parsed.part)));
        case Problem::time:
            return fail(fmt::format("{} is not a time of day", quoted(parsed.part)));
        case Problem::offset:
            return fail(fmt::format("{} is not a UTC offset", quoted(parsed.part)));
        case Problem::shape:
            break;
    }
    std::size_t pos = 0;
    std::chrono::year_month_day ymd;
    if (read_date(text, pos, ymd) && pos == text.size()) {
        if (!is_calendar_date(ymd)) {
            return fail(fmt::format("{} is not a calendar date", quoted(text)));
        }
        return Timestamp{std::chrono::sys_days{ymd}};
    }
    seconds duration{};
    switch (parse_duration_detail(text, duration)) {
        case DurationProblem::none:
            return std::chrono::floor<seconds>(now) + duration;
        case DurationProblem::too_long:
            return fail(fmt::format("{} is more than 1000 years", quoted(text)));
        case DurationProblem::malformed:
            break;
    }
    return fail(
        "expected an RFC 3339 time (2027-01-31T12:00:00Z), a date (2027-01-31), a duration (+30d, 12h, 1d12h) or "
        "never");
}

namespace {

struct Breakdown {
    std::array<std::uint64_t, 4> values;  // days, hours, minutes, seconds
};

constexpr std::array<char, 4> breakdown_units{'d', 'h', 'm', 's'};

// Works on the magnitude as unsigned so that seconds::min() cannot overflow on negation.
Breakdown break_down(std::uint64_t total) {
    return Breakdown{{total / 86400, total % 86400 / 3600, total % 3600 / 60, total % 60}};
}

std::uint64_t magnitude(std::int64_t value) {
    return value < 0 ? 0 - static_cast<std::uint64_t>(value) : static_cast<std::uint64_t>(value);
}

}  // namespace

std::string format_relative(Timestamp target, Timestamp now) {
    // duration_cast truncates toward zero, so 1.5 s either way reads as 1s, half a second as now.
    const auto diff = std::chrono::duration_cast<seconds>(target - now).count();
    if (diff == 0) {
        return "now";
    }
    const Breakdown parts = break_down(magnitude(diff));
    std::string text;
    // "in 1277d 4h" is hard to read: from a year on, years and months (of 365 and 30 days).
    if (const std::uint64_t days = parts.values[0]; days >= 365) {
        const std::uint64_t months = days % 365 / 30;
        text = months == 0 ? fmt::format("{}y", days / 365) : fmt::format("{}y {}mo", days / 365, months);
    } else {
        std::size_t first = 0;
        while (parts.values[first] == 0) {
            ++first;
        }
        text = fmt::format("{}{}", parts.values[first], breakdown_units[first]);
        if (first + 1 < parts.values.size() && parts.values[first + 1] != 0) {
            text += fmt::format(" {}{}", parts.values[first + 1], breakdown_units[first + 1]);
        }
    }
    return diff > 0 ? "in " + text : "expired " + text + " ago";
}

std::string format_relative_plain(Timestamp target, Timestamp now) {
    std::string text = format_relative(target, now);
    constexpr std::string_view kExpired = "expired ";
    return text.rfind(kExpired, 0) == 0 ? text.substr(kExpired.size()) : text;
}

std::string format_duration(seconds duration) {
    const auto count = duration.count();
    if (count == 0) {
        return "0s";
    }
    const Breakdown parts = break_down(magnitude(count));
    std::string text = count < 0 ? "-" : "";
    for (std::size_t i = 0; i < parts.values.size(); ++i) {
        if (parts.values[i] != 0) {
            text += fmt::format("{}{}", parts.values[i], breakdown_units[i]);
        }
    }
    return text;
}

}  // namespace aktoken::util
