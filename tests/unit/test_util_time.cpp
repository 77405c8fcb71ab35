// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "aktoken/util/time.h"

using aktoken::util::Timestamp;
using namespace std::chrono_literals;

namespace {

// Builds a Timestamp from a string that is known to be valid.
Timestamp at(const std::string& text) {
    const auto parsed = aktoken::util::parse_timestamp(text);
    REQUIRE_MESSAGE(parsed.has_value(), text);
    return *parsed;
}

// What parse_when says of a value it refuses.
std::string when_error(const std::string& text) {
    std::string problem = "(no problem)";
    const auto when = aktoken::util::parse_when(text, at("2027-01-01T00:00:00Z"), &problem);
    return when ? "(no error)" : problem;
}

}  // namespace

TEST_SUITE("unit") {
    TEST_CASE("parse_timestamp accepts what authentik emits and accepts") {
        struct Case {
            const char* input;
            const char* exact;  // format_timestamp_exact of the result
        };
        const std::vector<Case> cases{
            {"2027-01-31T12:00:00Z", "2027-01-31T12:00:00Z"},
            {"2027-01-31T12:00Z", "2027-01-31T12:00:00Z"},
            {"2027-01-31 12:00", "2027-01-31T12:00:00Z"},
            {"2027-01-31T12:00:00", "2027-01-31T12:00:00Z"},
            {"2027-01-31T12:00:00+05:30", "2027-01-31T06:30:00Z"},
            {"2027-01-31T02:00:00+05:30", "2027-01-30T20:30:00Z"},
            {"2027-01-31T22:00:00-03:00", "2027-02-01T01:00:00Z"},
            {"2027-01-31T12:00:00+00:00", "2027-01-31T12:00:00Z"},
            {"2027-01-31T12:00:00-00:00", "2027-01-31T12:00:00Z"},
            {"2027-01-31T12:00:00.5Z", "2027-01-31T12:00:00.500000Z"},
            {"2027-01-31T12:00:00.123456Z", "2027-01-31T12:00:00.123456Z"},
            {"2027-01-31T12:00:00.000001Z", "2027-01-31T12:00:00.000001Z"},
            {"2027-01-31T12:00:00.1234569Z", "2027-01-31T12:00:00.123456Z"},
            {"2027-01-31T12:00:00.999999999+01:00", "2027-01-31T11:00:00.999999Z"},
            {"2027-01-31T12:00:00.000000Z", "2027-01-31T12:00:00Z"},
            {"2024-02-29T00:00:00Z", "2024-02-29T00:00:00Z"},
            {"2000-02-29T23:59:59Z", "2000-02-29T23:59:59Z"},
            {"1969-12-31T23:59:59.5Z", "1969-12-31T23:59:59.500000Z"},
            {"0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z"},
            {"9999-12-31T23:59:59Z", "9999-12-31T23:59:59Z"},
        };
        for (const auto& c : cases) {
            const std::string captured(c.input);
            CAPTURE(captured);
            const auto parsed = aktoken::util::parse_timestamp(c.input);
            REQUIRE(parsed.has_value());
            CHECK(aktoken::util::format_timestamp_exact(*parsed) == c.exact);
        }
    }

    TEST_CASE("parse_timestamp rejects malformed and impossible times") {
        const std::vector<const char*> cases{
            "",
            "2027-01-31",
            "2027-01-31T12:00:00z",
            "2027-01-31t12:00:00Z",
            "2027-01-31T12Z",
            "2027-01-31T12:00:00.Z",
            "2027-01-31T12:00.5Z",
            "2027-01-31T24:00:00Z",
            "2027-01-31T12:60:00Z",
            "2027-01-31T12:00:60Z",
            "2025-02-29T00:00:00Z",
            "2100-02-29T00:00:00Z",
            "2027-02-30T00:00:00Z",
            "2027-04-31T00:00:00Z",
            "2027-13-01T00:00:00Z",
            "2027-00-10T00:00:00Z",
            "2027-01-00T00:00:00Z",
            "0000-01-01T00:00:00Z",
            "2027-1-31T12:00:00Z",
            "2027-01-3T12:00:00Z",
            "2027-01-31T1:00:00Z",
            "2027-01-31T12:0:00Z",
            "2027-01-31T12:00:0Z",
            "27-01-31T12:00:00Z",
            "2027-01-31T12:00:00ZZ",
            "2027-01-31T12:00:00Z ",
            " 2027-01-31T12:00:00Z",
            "2027-01-31T12:00:00+0530",
            "2027-01-31T12:00:00+05",
            "2027-01-31T12:00:00+24:00",
            "2027-01-31T12:00:00+05:60",
            "2027-01-31T12:00:00 +05:30",
            "2027-01-31_12:00:00Z",
            "20270131T120000Z",
            "2027-01-31T12:00:00UTC",
            "２０２７-01-31T12:00:00Z",
        };
        for (const auto* text : cases) {
            const std::string captured(text);
            CAPTURE(captured);
            CHECK_FALSE(aktoken::util::parse_timestamp(text).has_value());
        }
    }

    TEST_CASE("format_timestamp drops the fraction and always says Z") {
        CHECK(aktoken::util::format_timestamp(at("2027-01-31T12:34:56.999999Z")) == "2027-01-31T12:34:56Z");
        CHECK(aktoken::util::format_timestamp(at("2027-01-31T12:00:00+05:30")) == "2027-01-31T06:30:00Z");
        CHECK(aktoken::util::format_timestamp(at("1969-12-31T23:59:59.5Z")) == "1969-12-31T23:59:59Z");
        CHECK(aktoken::util::format_timestamp(Timestamp{}) == "1970-01-01T00:00:00Z");
        CHECK(aktoken::util::format_timestamp_exact(Timestamp{} + 1us) == "1970-01-01T00:00:00.000001Z");
    }

    TEST_CASE("now is close to the system clock") {
        const auto before = std::chrono::system_clock::now();
        const auto value = aktoken::util::now();
        const auto after = std::chrono::system_clock::now();
        CHECK(value >= std::chrono::floor<std::chrono::microseconds>(before));
        CHECK(value <= after);
    }

    TEST_CASE("parse_duration accepts every form") {
        struct Case {
            const char* input;
            long long seconds;
        };
        const std::vector<Case> cases{
            {"+30d", 30 * 86400},
            {"30d", 30 * 86400},
            {"12h", 12 * 3600},
            {"90m", 90 * 60},
            {"45s", 45},
            {"2w", 2 * 604800},
            {"1d12h", 86400 + 12 * 3600},
            {"1w2d3h4m5s", 604800 + 2 * 86400 + 3 * 3600 + 4 * 60 + 5},
            {"+1h30m", 5400},
            {"1w5s", 604805},
            {"0s", 0},
            {"0d0s", 0},
            {"007m", 420},
            {"52177w", 52177LL * 604800},
            {"365242d", 365242LL * 86400},
            {"31556952000s", 31556952000LL},
        };
        for (const auto& c : cases) {
            const std::string captured(c.input);
            CAPTURE(captured);
            const auto parsed = aktoken::util::parse_duration(c.input);
            REQUIRE(parsed.has_value());
            CHECK(parsed->count() == c.seconds);
        }
    }

    TEST_CASE("parse_duration rejects every malformed form") {
        const std::vector<const char*> cases{
            "",
            "+",
            "30",
            "d",
            "+d",
            "-30d",
            "30D",
            "30x",
            "30 d",
            " 30d",
            "30d ",
            "1d 12h",
            "12h1d",
            "1d1d",
            "1s1m",
            "1.5h",
            "++1d",
            "1d+1h",
            "1y",
            "1M",
            "30dd",
            "31556952001s",
            "52178w",
            "365243d",
            "999999999999999999999999d",
            "99999999999999999999s",
            "1000000000000w",
        };
        for (const auto* text : cases) {
            const std::string captured(text);
            CAPTURE(captured);
            CHECK_FALSE(aktoken::util::parse_duration(text).has_value());
        }
    }

    TEST_CASE("format_duration is compact and round-trips") {
        struct Case {
            long long seconds;
            const char* text;
        };
        const std::vector<Case> cases{
            {0, "0s"},        {45, "45s"},         {1800, "30m"},   {5400, "1h30m"}, {129600, "1d12h"},
            {2592000, "30d"}, {90061, "1d1h1m1s"}, {86401, "1d1s"}, {-90, "-1m30s"},
        };
        for (const auto& c : cases) {
            CAPTURE(c.seconds);
            CHECK(aktoken::util::format_duration(std::chrono::seconds{c.seconds}) == c.text);
            if (c.seconds >= 0) {
                CHECK(aktoken::util::parse_duration(c.text) == std::chrono::seconds{c.seconds});
            }
        }
    }

    TEST_CASE("format_relative shows the two largest units, truncated; years and months from a year on") {
        const Timestamp base = at("2027-01-01T00:00:00Z");
        struct Case {
            std::chrono::microseconds offset;
            const char* text;
        };
        const std::vector<Case> cases{
            {0us, "now"},
            {999999us, "now"},
            {-999999us, "now"},
            {12s, "in 12s"},
            {12s + 900ms, "in 12s"},
            {45min, "in 45m"},
            {45min + 30s, "in 45m 30s"},
            {3 * 24h + 4h, "in 3d 4h"},
            {3 * 24h + 4h + 59min + 59s, "in 3d 4h"},
            {3 * 24h + 5min, "in 3d"},
            {364 * 24h + 23h, "in 364d 23h"},
            {365 * 24h, "in 1y"},
            {400 * 24h + 1h, "in 1y 1mo"},
            {1277 * 24h + 4h, "in 3y 6mo"},
            {-(730 * 24h + 29 * 24h), "expired 2y ago"},
            {1h, "in 1h"},
            {-2h, "expired 2h ago"},
            {-(2h + 30min), "expired 2h 30m ago"},
            {-(3 * 24h + 1h + 20min), "expired 3d 1h ago"},
            {-1s, "expired 1s ago"},
            {-(1s + 500ms), "expired 1s ago"},
        };
        for (const auto& c : cases) {
            const std::string captured(c.text);
            CAPTURE(captured);
            CHECK(aktoken::util::format_relative(base + c.offset, base) == c.text);
        }
    }

    TEST_CASE("format_relative_plain: the same without \"expired\" for a past time") {
        const Timestamp base = at("2026-11-29T12:00:00Z");
        CHECK(aktoken::util::format_relative_plain(base - std::chrono::hours(3), base) == "3h ago");
        CHECK(aktoken::util::format_relative_plain(base + std::chrono::hours(3), base) == "in 3h");
        CHECK(aktoken::util::format_relative_plain(base, base) == "now");
    }

    TEST_CASE("parse_when accepts times, dates and durations") {
        const Timestamp now = at("2027-01-01T10:20:30.750000Z");
        struct Case {
            const char* input;
            const char* exact;
        };
        const std::vector<Case> cases{
            {"2027-01-31T12:00:00Z", "2027-01-31T12:00:00Z"},
            {"2027-01-31T12:00:00+05:30", "2027-01-31T06:30:00Z"},
            {"2027-01-31 12:00", "2027-01-31T12:00:00Z"},
            {"2027-01-31T12:00:00.25Z", "2027-01-31T12:00:00.250000Z"},
            {"2027-01-31", "2027-01-31T00:00:00Z"},
            {"2024-02-29", "2024-02-29T00:00:00Z"},
            {"+30d", "2027-01-31T10:20:30Z"},
            {"12h", "2027-01-01T22:20:30Z"},
            {"1d12h", "2027-01-02T22:20:30Z"},
            {"0s", "2027-01-01T10:20:30Z"},
        };
        for (const auto& c : cases) {
            const std::string captured(c.input);
            CAPTURE(captured);
            const auto when = aktoken::util::parse_when(c.input, now, nullptr);
            REQUIRE(when.has_value());
            CHECK(aktoken::util::format_timestamp_exact(*when) == c.exact);
        }
    }

    TEST_CASE("parse_when says what is wrong") {
        const std::string expected =
            "expected an RFC 3339 time (2027-01-31T12:00:00Z), a date (2027-01-31), a duration (+30d, 12h, 1d12h) or "
            "never";
        struct Case {
            const char* input;
            std::string message;
        };
        const std::vector<Case> cases{
            {"2027-02-30", "\"2027-02-30\" is not a calendar date"},
            {"2025-02-29", "\"2025-02-29\" is not a calendar date"},
            {"2100-02-29", "\"2100-02-29\" is not a calendar date"},
            {"2027-13-01", "\"2027-13-01\" is not a calendar date"},
            {"2027-01-00", "\"2027-01-00\" is not a calendar date"},
            {"2027-02-30T12:00:00Z", "\"2027-02-30\" is not a calendar date"},
            {"2027-01-31T24:00:00Z", "\"24:00:00\" is not a time of day"},
            {"2027-01-31T12:61Z", "\"12:61\" is not a time of day"},
            {"2027-01-31T12:00:00+24:00", "\"+24:00\" is not a UTC offset"},
            {"99999999d", "\"99999999d\" is more than 1000 years"},
            {"never", expected},
            {"", expected},
            {"tomorrow", expected},
            {"-1d", expected},
            {"2027-01-31T12:00:00z", expected},
            {"2027-1-31", expected},
            {"30", expected},
        };
        for (const auto& c : cases) {
            const std::string captured(c.input);
            CAPTURE(captured);
            CHECK(when_error(c.input) == c.message);
        }
    }

}  // TEST_SUITE
