// SPDX-License-Identifier: MIT
// libFuzzer target: util::parse_timestamp, util::parse_duration and util::parse_when (fixed now).
#include <chrono>
#include <stdexcept>

#include "aktoken/util/error.h"
#include "aktoken/util/time.h"
#include "fuzz/targets.h"

namespace aktoken::fuzz {

namespace {

// 2026-01-15T12:34:56.789012Z: a fixed now keeps runs reproducible.
const util::Timestamp fixed_now = util::Timestamp{std::chrono::sys_days{std::chrono::year{2026} / 1 / 15}} +
                                  std::chrono::hours{12} + std::chrono::minutes{34} + std::chrono::seconds{56} +
                                  std::chrono::microseconds{789012};

bool in_four_digit_years(util::Timestamp t) {
    const std::chrono::year_month_day ymd{std::chrono::floor<std::chrono::days>(t)};
    return ymd.year() >= std::chrono::year{1} && ymd.year() <= std::chrono::year{9999};
}

}  // namespace

void time(std::string_view input) {
    const auto timestamp = util::parse_timestamp(input);
    if (timestamp && in_four_digit_years(*timestamp)) {
        // Offsets can push a valid text just outside years 1..9999, which the formats cannot
        // express; inside that range formatting and parsing again must give the same instant.
        const std::string text = util::format_timestamp_exact(*timestamp);
        if (util::parse_timestamp(text) != timestamp) {
            throw InvariantViolation("format_timestamp_exact does not parse back: " + text);
        }
    }

    const auto duration = util::parse_duration(input);
    if (duration) {
        if (duration->count() < 0 || *duration > std::chrono::years{1000}) {
            throw InvariantViolation("parse_duration returned a duration outside 0..1000 years");
        }
        const std::string text = util::format_duration(*duration);
        if (util::parse_duration(text) != duration) {
            throw InvariantViolation("format_duration does not parse back: " + text);
        }
    }

    std::string problem;
    if (const auto when = util::parse_when(input, fixed_now, &problem)) {
        if (timestamp && *when != *timestamp) {
            throw InvariantViolation("parse_when disagrees with parse_timestamp");
        }
        if (!timestamp && duration && *when != std::chrono::floor<std::chrono::seconds>(fixed_now) + *duration) {
            throw InvariantViolation("parse_when disagrees with parse_duration");
        }
    } else if (timestamp) {
        throw InvariantViolation("parse_when rejects what parse_timestamp accepts");
    } else if (problem.empty()) {
        throw InvariantViolation("parse_when refuses without saying why");
    }
}

}  // namespace aktoken::fuzz

AKTOKEN_FUZZ_TARGET(aktoken::fuzz::time)
