// SPDX-License-Identifier: MIT
#include "timeutil.h"

#include <fmt/format.h>

#include <cctype>
#include <chrono>
#include <regex>

namespace sandbox {
namespace {

using namespace std::chrono;

std::optional<Micros> make_time(int y, int mo, int d, int h, int mi, int s, int us, int offset_minutes) {
    const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
    if (!ymd.ok() || y < 1 || h > 23 || mi > 59 || s > 59) {
        return std::nullopt;
    }
    const auto days_since_epoch = sys_days{ymd}.time_since_epoch().count();
    const Micros seconds = static_cast<Micros>(days_since_epoch) * 86400 + Micros{h} * 3600 + Micros{mi} * 60 + s -
                           Micros{offset_minutes} * 60;
    return seconds * micros_per_second + us;
}

int to_int(const std::string& s) { return s.empty() ? 0 : std::stoi(s); }

// Fractions beyond six digits are truncated, as Django does.
int fraction_to_micros(std::string digits) {
    digits = digits.substr(0, 6);
    while (digits.size() < 6) {
        digits += '0';
    }
    return std::stoi(digits);
}

// tz is "", "Z" or +HH, +HHMM, +HH:MM; returns the offset in minutes or nullopt when invalid.
std::optional<int> parse_offset(const std::string& tz) {
    if (tz.empty() || tz == "Z") {
        return 0;
    }
    const int sign = tz[0] == '-' ? -1 : 1;
    std::string digits;
    for (char c : tz.substr(1)) {
        if (c != ':') {
            digits += c;
        }
    }
    const int hh = std::stoi(digits.substr(0, 2));
    const int mm = digits.size() >= 4 ? std::stoi(digits.substr(2, 2)) : 0;
    if (hh > 23 || mm > 59) {
        return std::nullopt;
    }
    return sign * (hh * 60 + mm);
}

}  // namespace

std::optional<Micros> parse_django_datetime(std::string_view text) {
    // Django's own regex (the fallback after fromisoformat); it is the more lenient of the two
    // for the extended format, so it covers fromisoformat's extended forms as well.
    static const std::regex django_re(
        R"(^(\d{4})-(\d{1,2})-(\d{1,2})[T ](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:[.,](\d{1,6})\d{0,6})?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$)");
    // Python 3.11 fromisoformat extras: a date alone, an hour alone, the basic (compact) format.
    static const std::regex iso_date_re(R"(^(\d{4})-?(\d{2})-?(\d{2})$)");
    static const std::regex iso_hour_re(R"(^(\d{4})-(\d{2})-(\d{2})[T ](\d{2})(Z|[+-]\d{2}(?::?\d{2})?)?$)");
    static const std::regex iso_basic_re(
        R"(^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})?(\d{2})?(?:[.,](\d{1,6})\d*)?(Z|[+-]\d{2}(?::?\d{2})?)?$)");
    const std::string s(text);
    std::smatch m;
    try {
        if (std::regex_match(s, m, django_re)) {
            const auto offset = parse_offset(m[8].str());
            if (!offset) {
                return std::nullopt;
            }
            const int us = m[7].matched ? fraction_to_micros(m[7].str()) : 0;
            return make_time(to_int(m[1]), to_int(m[2]), to_int(m[3]), to_int(m[4]), to_int(m[5]), to_int(m[6]), us,
                             *offset);
        }
        if (std::regex_match(s, m, iso_date_re)) {
            return make_time(to_int(m[1]), to_int(m[2]), to_int(m[3]), 0, 0, 0, 0, 0);
        }
        if (std::regex_match(s, m, iso_hour_re)) {
            const auto offset = parse_offset(m[5].str());
            if (!offset) {
                return std::nullopt;
            }
            return make_time(to_int(m[1]), to_int(m[2]), to_int(m[3]), to_int(m[4]), 0, 0, 0, *offset);
        }
        if (std::regex_match(s, m, iso_basic_re)) {
            const auto offset = parse_offset(m[8].str());
            if (!offset) {
                return std::nullopt;
            }
            const int us = m[7].matched ? fraction_to_micros(m[7].str()) : 0;
            return make_time(to_int(m[1]), to_int(m[2]), to_int(m[3]), to_int(m[4]), to_int(m[5]), to_int(m[6]), us,
                             *offset);
        }
    } catch (const std::exception&) {
        return std::nullopt;
    }
    return std::nullopt;
}

namespace {

struct Parts {
    int y, mo, d, h, mi, s, us;
};

Parts split(Micros t) {
    Micros secs = t / micros_per_second;
    Micros us = t % micros_per_second;
    if (us < 0) {
        us += micros_per_second;
        secs -= 1;
    }
    Micros days = secs / 86400;
    Micros rem = secs % 86400;
    if (rem < 0) {
        rem += 86400;
        days -= 1;
    }
    const year_month_day ymd{sys_days{std::chrono::days{days}}};
    return Parts{static_cast<int>(ymd.year()),
                 static_cast<int>(static_cast<unsigned>(ymd.month())),
                 static_cast<int>(static_cast<unsigned>(ymd.day())),
                 static_cast<int>(rem / 3600),
                 static_cast<int>(rem % 3600 / 60),
                 static_cast<int>(rem % 60),
                 static_cast<int>(us)};
}

}  // namespace

std::string format_iso(Micros t) {
    const Parts p = split(t);
    std::string out = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", p.y, p.mo, p.d, p.h, p.mi, p.s);
    if (p.us != 0) {
        out += fmt::format(".{:06}", p.us);
    }
    out += 'Z';
    return out;
}

std::string format_python(Micros t) {
    const Parts p = split(t);
    std::string out = fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", p.y, p.mo, p.d, p.h, p.mi, p.s);
    if (p.us != 0) {
        out += fmt::format(".{:06}", p.us);
    }
    out += "+00:00";
    return out;
}

std::optional<Micros> parse_duration(std::string_view text) {
    static const std::regex whole_re(R"(^(\d+[smhdw])+$)");
    static const std::regex part_re(R"((\d+)([smhdw]))");
    const std::string s(text);
    if (!std::regex_match(s, whole_re)) {
        return std::nullopt;
    }
    Micros total = 0;
    for (auto it = std::sregex_iterator(s.begin(), s.end(), part_re); it != std::sregex_iterator(); ++it) {
        const auto& m = *it;
        if (m[1].length() > 9) {
            return std::nullopt;
        }
        const Micros n = std::stoll(m[1].str());
        Micros unit = 1;
        switch (m[2].str()[0]) {
            case 's':
                unit = 1;
                break;
            case 'm':
                unit = 60;
                break;
            case 'h':
                unit = 3600;
                break;
            case 'd':
                unit = 86400;
                break;
            default:
                unit = Micros{7} * 86400;
                break;
        }
        total += n * unit * micros_per_second;
    }
    return total;
}

std::optional<Micros> parse_timedelta_string(std::string_view text) {
    static const std::regex number_re(R"(^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$)");
    double total_seconds = 0;
    bool any = false;
    std::string_view rest = text;
    while (true) {
        const auto semi = rest.find(';');
        const std::string_view pair = rest.substr(0, semi);
        const auto eq = pair.find('=');
        // Python's `key, value = pair.split("=")` fails unless there is exactly one '='.
        if (eq == std::string_view::npos || pair.find('=', eq + 1) != std::string_view::npos) {
            return std::nullopt;
        }
        std::string key(pair.substr(0, eq));
        for (auto& c : key) {
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        const std::string value(pair.substr(eq + 1));
        double factor = 0;
        if (key == "weeks") {
            factor = 7 * 86400.0;
        } else if (key == "days") {
            factor = 86400.0;
        } else if (key == "hours") {
            factor = 3600.0;
        } else if (key == "minutes") {
            factor = 60.0;
        } else if (key == "seconds") {
            factor = 1.0;
        } else if (key == "milliseconds") {
            factor = 1e-3;
        } else if (key == "microseconds") {
            factor = 1e-6;
        }
        if (factor != 0) {
            if (!std::regex_match(value, number_re)) {
                return std::nullopt;
            }
            total_seconds += std::stod(value) * factor;
            any = true;
        }
        if (semi == std::string_view::npos) {
            break;
        }
        rest = rest.substr(semi + 1);
    }
    if (!any) {
        return std::nullopt;
    }
    return static_cast<Micros>(total_seconds * 1e6 + (total_seconds >= 0 ? 0.5 : -0.5));
}

std::string format_timedelta_string(Micros duration) {
    struct Unit {
        const char* name;
        Micros size;
    };
    static constexpr Unit units[] = {{"days", 86400 * micros_per_second},
                                     {"hours", 3600 * micros_per_second},
                                     {"minutes", 60 * micros_per_second},
                                     {"seconds", micros_per_second},
                                     {"microseconds", 1}};
    std::string text;
    for (const Unit& unit : units) {
        if (duration >= unit.size) {
            text += (text.empty() ? "" : ";") + std::string(unit.name) + "=" + std::to_string(duration / unit.size);
            duration %= unit.size;
        }
    }
    return text.empty() ? "seconds=0" : text;
}

Micros Clock::now() const {
    const Micros frozen = frozen_.load();
    if (frozen != real_clock) {
        return frozen;
    }
    return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

void Clock::freeze(std::optional<Micros> at) { frozen_.store(at ? *at : real_clock); }

}  // namespace sandbox
