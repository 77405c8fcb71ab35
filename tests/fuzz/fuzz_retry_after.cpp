// SPDX-License-Identifier: MIT
// libFuzzer target: http::parse_retry_after (a Retry-After value: delta-seconds or an HTTP-date),
// with http::parse_http_date and the --retries and --retry-max-time grammars (util::parse_count,
// util::parse_seconds) on the same input.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>

#include "aktoken/http/retry.h"
#include "aktoken/util/error.h"
#include "aktoken/util/values.h"
#include "fuzz/targets.h"

namespace aktoken::fuzz {

void retry_after(std::string_view input) {
    // Thu, 15 Jan 2026 12:34:56 GMT: a fixed now keeps runs reproducible.
    const std::chrono::system_clock::time_point now = std::chrono::sys_days{std::chrono::year{2026} / 1 / 15} +
                                                      std::chrono::hours{12} + std::chrono::minutes{34} +
                                                      std::chrono::seconds{56};
    try {
        const auto delay = http::parse_retry_after(input, now);
        // A date in the past gives 0, never a negative wait; every value saturates at 2^31 s.
        if (delay && delay->count() < 0) {
            throw InvariantViolation("parse_retry_after returned a negative delay");
        }
        const auto date = http::parse_http_date(input, now);
        if (date && !delay) {
            // parse_retry_after accepts every HTTP-date (surrounding blanks aside).
            throw InvariantViolation("parse_retry_after rejects what parse_http_date accepts");
        }
        // In whole seconds: years 1..9999 do not fit the nanoseconds of system_clock::time_point.
        if (date && *delay != std::clamp(*date - std::chrono::floor<std::chrono::seconds>(now), std::chrono::seconds{0},
                                         std::chrono::seconds{2147483648})) {
            throw InvariantViolation("parse_retry_after disagrees with parse_http_date");
        }
        if (const auto retries = util::parse_count(input, {0, 10}); retries && (*retries < 0 || *retries > 10)) {
            throw InvariantViolation("parse_count returned a value outside 0..10");
        }
        if (const auto max_time = util::parse_seconds(input, {true, 86400});
            max_time && !(std::isfinite(*max_time) && *max_time >= 0 && *max_time <= 86400)) {
            throw InvariantViolation("parse_seconds returned a value outside 0..86400");
        }
    } catch (const Error&) {
    } catch (const std::invalid_argument&) {
    }
}

}  // namespace aktoken::fuzz

AKTOKEN_FUZZ_TARGET(aktoken::fuzz::retry_after)
