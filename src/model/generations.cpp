// SPDX-License-Identifier: MIT
#include "aktoken/model/generations.h"

#include <fmt/format.h>

#include <cctype>

namespace aktoken::model {
namespace {

using std::chrono::floor;

std::string compact_time(util::Timestamp t, bool seconds) {
    const auto day = floor<std::chrono::days>(t);
    const std::chrono::year_month_day date{day};
    const std::chrono::hh_mm_ss time{floor<std::chrono::seconds>(t - day)};
    std::string text =
        fmt::format("{:04}{:02}{:02}T{:02}{:02}", static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                    static_cast<unsigned>(date.day()), time.hours().count(), time.minutes().count());
    if (seconds) {
        text += fmt::format("{:02}", time.seconds().count());
    }
    return text + "Z";
}

// YYYYMMDDTHHMM[SS]Z as compact_time writes it, for a real date and time only.
std::optional<util::Timestamp> parse_compact_time(std::string_view text, bool seconds) {
    const std::size_t digits_after_t = seconds ? 6 : 4;
    if (text.size() != 8 + 1 + digits_after_t + 1 || text[8] != 'T' || text.back() != 'Z') {
        return std::nullopt;
    }
    for (std::size_t i = 0; i + 1 < text.size(); ++i) {
        if (i != 8 && std::isdigit(static_cast<unsigned char>(text[i])) == 0) {
            return std::nullopt;
        }
    }
    const auto number = [&](std::size_t at, std::size_t count) {
        int value = 0;
        for (std::size_t i = at; i < at + count; ++i) {
            value = value * 10 + (text[i] - '0');
        }
        return value;
    };
    const std::chrono::year_month_day date{std::chrono::year(number(0, 4)),
                                           std::chrono::month(static_cast<unsigned>(number(4, 2))),
                                           std::chrono::day(static_cast<unsigned>(number(6, 2)))};
    const int hours = number(9, 2);
    const int minutes = number(11, 2);
    const int secs = seconds ? number(13, 2) : 0;
    if (!date.ok() || hours > 23 || minutes > 59 || secs > 59) {
        return std::nullopt;
    }
    return util::Timestamp(std::chrono::sys_days(date)) + std::chrono::hours(hours) + std::chrono::minutes(minutes) +
           std::chrono::seconds(secs);
}

}  // namespace

std::string successor_name(std::string_view base, util::Timestamp created) {
    return fmt::format("{}{}{}", base, kSuccessorInfix, compact_time(created, true));
}

std::string retired_name(std::string_view base, util::Timestamp until) {
    return fmt::format("{}{}{}", base, kRetiredInfix, compact_time(until, false));
}

util::Timestamp retired_until(util::Timestamp now, std::chrono::seconds overlap) {
    return std::chrono::ceil<std::chrono::minutes>(now + overlap);
}

std::optional<Generation> parse_generation(std::string_view identifier) {
    for (const auto& [infix, kind, seconds] : {std::tuple{kSuccessorInfix, GenerationKind::successor, true},
                                               std::tuple{kRetiredInfix, GenerationKind::retired, false}}) {
        const std::size_t at = identifier.rfind(infix);
        if (at == std::string_view::npos || at == 0) {
            continue;
        }
        if (const auto time = parse_compact_time(identifier.substr(at + infix.size()), seconds)) {
            return Generation{kind, std::string(identifier.substr(0, at)), *time};
        }
    }
    return std::nullopt;
}

}  // namespace aktoken::model
