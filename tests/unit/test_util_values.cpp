// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <sstream>
#include <string>
#include <vector>

#include "aktoken/util/error.h"
#include "aktoken/util/values.h"
#include "unit/error_of.h"

using namespace aktoken::util;
using aktoken::Error;
using aktoken::ErrorKind;

namespace {

// The result of a parser as one comparable text: the value, or "problem: ...".
template <class T, class Parse>
std::string outcome(Parse&& parse) {
    std::string problem = "(not set)";
    const std::optional<T> value = parse(&problem);
    if (value) {
        return fmt::format("{}", *value);
    }
    return "problem: " + problem;
}

// An istream whose buffer fails after handing out `good` bytes, like a read error on a pipe.
class FailingBuffer : public std::streambuf {
public:
    explicit FailingBuffer(std::string good) : good_(std::move(good)) {
        setg(good_.data(), good_.data(), good_.data() + good_.size());
    }

protected:
    int_type underflow() override { throw std::ios_base::failure("read error"); }

private:
    std::string good_;
};

}  // namespace

TEST_SUITE("unit") {
    TEST_CASE("parse_seconds: digits with at most one dot, within the caller's bounds") {
        const SecondsRange positive{false, 86400};
        const SecondsRange from_zero{true, 86400};
        const std::string positive_expected = "problem: expected a positive number of seconds";
        const std::string positive_too_large = "problem: at most 86400 seconds";
        const std::string from_zero_expected = "problem: expected a number of seconds from 0 to 86400";
        struct Case {
            const char* text;
            std::string positive;   // zero excluded (--timeout)
            std::string from_zero;  // zero allowed (--retry-max-time, --lock-timeout)
        };
        const std::vector<Case> cases{
            {"30", "30", "30"},
            {"2.5", "2.5", "2.5"},
            {".5", "0.5", "0.5"},
            {"5.", "5", "5"},
            {"007", "7", "7"},
            {"0.001", "0.001", "0.001"},
            {"86400", "86400", "86400"},
            {"86400.0", "86400", "86400"},
            {"86400.0000000001", "86400", "86400"},  // beyond nine decimals: ignored
            {"0", positive_expected, "0"},
            {"0.0", positive_expected, "0"},
            {"000", positive_expected, "0"},
            {"0.0000000001", positive_expected, "0"},
            {"86400.5", positive_too_large, from_zero_expected},
            {"100000", positive_too_large, from_zero_expected},
            {"9999999999999999999999999", positive_too_large, from_zero_expected},
            {"", positive_expected, from_zero_expected},
            {".", positive_expected, from_zero_expected},
            {"1.2.3", positive_expected, from_zero_expected},
            {"-1", positive_expected, from_zero_expected},
            {"+1", positive_expected, from_zero_expected},
            {" 5", positive_expected, from_zero_expected},
            {"5 ", positive_expected, from_zero_expected},
            {"1e1", positive_expected, from_zero_expected},
            {"0x10", positive_expected, from_zero_expected},
            {"inf", positive_expected, from_zero_expected},
            {"nan", positive_expected, from_zero_expected},
            {"10s", positive_expected, from_zero_expected},
            {"1,5", positive_expected, from_zero_expected},
            {"\xd9\xa3", positive_expected, from_zero_expected},  // ARABIC-INDIC DIGIT THREE
        };
        for (const auto& c : cases) {
            const std::string text = c.text;
            CAPTURE(text);
            CHECK(outcome<double>([&](std::string* p) { return parse_seconds(text, positive, p); }) == c.positive);
            CHECK(outcome<double>([&](std::string* p) { return parse_seconds(text, from_zero, p); }) == c.from_zero);
        }
        CHECK(outcome<double>([](std::string* p) {
                  return parse_seconds("61", {true, 60}, p);
              }) == "problem: expected a number of seconds from 0 to 60");
        CHECK(outcome<double>([](std::string* p) { return parse_seconds("2.5", {false, 2.5}, p); }) == "2.5");
        CHECK(parse_seconds("x", {}) == std::nullopt);  // the problem is optional
    }

    TEST_CASE("parse_count: digits only, within the caller's bounds and words") {
        const CountRange retries{0, 10};
        const CountRange workers{1, 16, "a number of workers"};
        const CountRange limit{1, std::nullopt, "a positive integer"};
        const std::string retries_expected = "problem: expected a whole number from 0 to 10";
        const std::string workers_expected = "problem: expected a number of workers from 1 to 16";
        const std::string limit_expected = "problem: expected a positive integer";
        struct Case {
            const char* text;
            std::string retries;
            std::string workers;
            std::string limit;
        };
        const std::vector<Case> cases{
            {"0", "0", workers_expected, limit_expected},
            {"1", "1", "1", "1"},
            {"10", "10", "10", "10"},
            {"010", "10", "10", "10"},
            {"11", retries_expected, "11", "11"},
            {"16", retries_expected, "16", "16"},
            {"17", retries_expected, workers_expected, "17"},
            {"9223372036854775807", retries_expected, workers_expected, "9223372036854775807"},
            {"9223372036854775808", retries_expected, workers_expected, limit_expected},
            {"99999999999999999999999", retries_expected, workers_expected, limit_expected},
            {"", retries_expected, workers_expected, limit_expected},
            {"-1", retries_expected, workers_expected, limit_expected},
            {"+1", retries_expected, workers_expected, limit_expected},
            {" 1", retries_expected, workers_expected, limit_expected},
            {"1 ", retries_expected, workers_expected, limit_expected},
            {"1.0", retries_expected, workers_expected, limit_expected},
            {"1e1", retries_expected, workers_expected, limit_expected},
            {"0x1", retries_expected, workers_expected, limit_expected},
            {"three", retries_expected, workers_expected, limit_expected},
        };
        for (const auto& c : cases) {
            const std::string text = c.text;
            CAPTURE(text);
            CHECK(outcome<std::int64_t>([&](std::string* p) { return parse_count(text, retries, p); }) == c.retries);
            CHECK(outcome<std::int64_t>([&](std::string* p) { return parse_count(text, workers, p); }) == c.workers);
            CHECK(outcome<std::int64_t>([&](std::string* p) { return parse_count(text, limit, p); }) == c.limit);
        }
        CHECK(outcome<std::int64_t>([](std::string* p) {
                  return parse_count("31", {32, 512, "a number of characters"}, p);
              }) == "problem: expected a number of characters from 32 to 512");
    }

    TEST_CASE("parse_bool: true/false, 1/0, yes/no in any ASCII case") {
        const std::string refused = "problem: expected true, false, 1, 0, yes or no";
        struct Case {
            const char* text;
            std::string result;
        };
        const std::vector<Case> cases{
            {"true", "true"}, {"TRUE", "true"},   {"True", "true"},   {"1", "true"},    {"yes", "true"},
            {"YES", "true"},  {"false", "false"}, {"False", "false"}, {"0", "false"},   {"no", "false"},
            {"No", "false"},  {"", refused},      {"on", refused},    {"off", refused}, {"y", refused},
            {"01", refused},  {" true", refused}, {"true ", refused}, {"t", refused},   {"2", refused},
        };
        for (const auto& c : cases) {
            const std::string text = c.text;
            CAPTURE(text);
            CHECK(outcome<bool>([&](std::string* p) { return parse_bool(text, p); }) == c.result);
        }
    }

    TEST_CASE("quoted escapes everything a terminal would act on") {
        struct Case {
            std::string value;
            const char* shown;
        };
        const std::vector<Case> cases{
            {"", R"("")"},
            {"plain value", R"("plain value")"},
            {"~!@#$%^&*()_+{}|:<>?`-=[];',./", R"("~!@#$%^&*()_+{}|:<>?`-=[];',./")"},
            {"a\"b", R"("a\"b")"},
            {"a\\b", R"("a\\b")"},
            {"a\nb\rc\td", R"("a\nb\rc\td")"},
            {std::string("a\0b", 3), R"("a\x00b")"},
            {"1\x1b[31mX", R"("1\x1b[31mX")"},
            {"\x01\x1f\x7f", R"("\x01\x1f\x7f")"},
            {"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91", "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91\""},
            {"\xc2\xa0", "\"\xc2\xa0\""},                             // U+00A0, just past C1
            {"\xc2\x80\xc2\x9b\xc2\x9f", R"("\u0080\u009b\u009f")"},  // C1, CSI among them
            {"a\xe2\x80\xae"
             "b",
             R"("a\u202eb")"},  // RIGHT-TO-LEFT OVERRIDE
            {"\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad", R"("\u202a\u202b\u202c\u202d")"},
            {"\xe2\x81\xa6\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9", R"("\u2066\u2067\u2068\u2069")"},
            {"\xe2\x80\xa9\xe2\x80\xaf\xe2\x81\xa5\xe2\x81\xaa",
             "\"\xe2\x80\xa9\xe2\x80\xaf\xe2\x81\xa5\xe2\x81\xaa\""},
            {"\xff", R"("\xff")"},
            {"a\x80z", R"("a\x80z")"},                      // a lone continuation byte
            {"\xc3", R"("\xc3")"},                          // cut short at the end
            {"\xc3(", R"("\xc3(")"},                        // cut short by ASCII
            {"\xc0\xaf", R"("\xc0\xaf")"},                  // overlong '/'
            {"\xe0\x80\xaf", R"("\xe0\x80\xaf")"},          // overlong '/'
            {"\xed\xa0\x80", R"("\xed\xa0\x80")"},          // a surrogate
            {"\xf4\x90\x80\x80", R"("\xf4\x90\x80\x80")"},  // above U+10FFFF
            {"\xe2\x80", R"("\xe2\x80")"},
        };
        for (const auto& c : cases) {
            CAPTURE(c.shown);
            CHECK(quoted(c.value) == c.shown);
        }
    }

    TEST_CASE("escape_controls: quoted's escaping without quotes, plus the characters asked for") {
        CHECK(escape_controls("plain \"q\" back\\slash caf\xc3\xa9") == "plain \"q\" back\\slash caf\xc3\xa9");
        CHECK(escape_controls("\x1b]0;title\x07\x1b]52;c;QUJD\x07") == R"(\x1b]0;title\x07\x1b]52;c;QUJD\x07)");
        CHECK(escape_controls(std::string("a\r\0b\n", 5)) == R"(a\r\x00b\n)");
        CHECK(escape_controls("\xc2\x9b"
                              "2J\xe2\x80\xae\xe2\x81\xa6\xff") == R"(\u009b2J\u202e\u2066\xff)");
        CHECK(escape_controls("a\\b\tc", "\\") == R"(a\\b\tc)");
        CHECK(escape_controls("a\"b\\", "\"\\") == R"(a\"b\\)");
    }

    TEST_CASE("is_valid_utf8 and has_control") {
        CHECK(is_valid_utf8(""));
        CHECK(is_valid_utf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91 \xc2\x9b \x1b"));
        for (const char* bad : {"bad\xff\xfe", "\x80", "\xc3", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80"}) {
            CAPTURE(bad);
            CHECK_FALSE(is_valid_utf8(bad));
        }
        CHECK_FALSE(has_control("Abc-123_caf\xc3\xa9 \xc2\xa0 \xe2\x80\xa9"));
        for (const std::string& bad : {std::string("a\0", 2), std::string("\t"), std::string("\x7f"),
                                       std::string("\xc2\x85"), std::string("\xe2\x80\xab"), std::string("\xff")}) {
            CAPTURE(bad);
            CHECK(has_control(bad));
        }
    }

    TEST_CASE("invalid_value and invalid_value_error") {
        CHECK(error_of([] { invalid_value("--retries", "x", "expected a whole number from 0 to 10"); },
                       ErrorKind::usage) == R"(--retries: invalid value "x": expected a whole number from 0 to 10)");
        CHECK(error_of([] { invalid_value("--timeout", "1\x1b[31mX", "expected a positive number of seconds"); },
                       ErrorKind::usage) ==
              R"(--timeout: invalid value "1\x1b[31mX": expected a positive number of seconds)");
        const Error error = invalid_value_error(ErrorKind::config, "AKTOKEN_RETRIES", "-1", "expected it");
        CHECK(error.kind() == ErrorKind::config);
        CHECK(std::string(error.what()) == R"(AKTOKEN_RETRIES: invalid value "-1": expected it)");
    }

    TEST_CASE("read_capped reads to the end within the cap") {
        struct Case {
            std::string input;
            std::size_t cap;
            std::string error;  // empty: read whole
        };
        const std::vector<Case> cases{
            {"", 0, ""},
            {"", 10, ""},
            {"token\n", 6, ""},
            {"token\n", 5, "cannot read standard input: more than 5 bytes"},
            {std::string(4096, 'a'), 4096, ""},
            {std::string(4097, 'a'), 4096, "cannot read standard input: more than 4 KiB"},
            {std::string(100000, 'b'), 100000, ""},
            {std::string(1024 * 1024 + 1, 'c'), 1024 * 1024, "cannot read standard input: more than 1 MiB"},
            {std::string(3000, 'd'), 2048, "cannot read standard input: more than 2 KiB"},
            {std::string(3000, 'd'), 2049, "cannot read standard input: more than 2049 bytes"},
        };
        for (const auto& c : cases) {
            CAPTURE(c.input.size());
            CAPTURE(c.cap);
            std::istringstream in(c.input);
            if (c.error.empty()) {
                CHECK(read_capped(in, c.cap, "standard input").view() == c.input);
            } else {
                CHECK(error_of([&] { read_capped(in, c.cap, "standard input"); }, ErrorKind::config) == c.error);
            }
        }
        std::istringstream in("x\ny");
        CHECK(error_of([&] { read_capped(in, 1, "the key from standard input", ErrorKind::usage); },
                       ErrorKind::usage) == "cannot read the key from standard input: more than 1 byte");
    }

    TEST_CASE("read_capped reports a failing stream") {
        FailingBuffer buffer("partial");
        std::istream in(&buffer);
        CHECK(error_of([&] { read_capped(in, 100, "standard input"); }, ErrorKind::config) ==
              "cannot read standard input");
    }

    TEST_CASE("values: the grammar of --retries, a count from 0 to 10") {
        const auto parse_retries = [](std::string_view text) { return aktoken::util::parse_count(text, {0, 10}); };
        CHECK(parse_retries("0") == 0);
        CHECK(parse_retries("3") == 3);
        CHECK(parse_retries("10") == 10);
        CHECK(parse_retries("007") == 7);
        CHECK_FALSE(parse_retries("11"));
        CHECK_FALSE(parse_retries(""));
        CHECK_FALSE(parse_retries("-1"));
        CHECK_FALSE(parse_retries("+3"));
        CHECK_FALSE(parse_retries(" 3"));
        CHECK_FALSE(parse_retries("3 "));
        CHECK_FALSE(parse_retries("1e1"));
        CHECK_FALSE(parse_retries("3.0"));
        CHECK_FALSE(parse_retries("99999999999999999999999999"));
    }

    TEST_CASE("values: the grammar of --retry-max-time, seconds from 0 to a day") {
        const auto parse_retry_max_time = [](std::string_view text) {
            return aktoken::util::parse_seconds(text, {true, 86400});
        };
        CHECK(parse_retry_max_time("0") == 0.0);
        CHECK(parse_retry_max_time("30") == 30.0);
        CHECK(parse_retry_max_time("2.5") == 2.5);
        CHECK(parse_retry_max_time(".5") == 0.5);
        CHECK(parse_retry_max_time("5.") == 5.0);
        CHECK(parse_retry_max_time("86400") == 86400.0);
        CHECK_FALSE(parse_retry_max_time("86400.5"));
        CHECK_FALSE(parse_retry_max_time("99999999999999999999999"));
        CHECK_FALSE(parse_retry_max_time(""));
        CHECK_FALSE(parse_retry_max_time("."));
        CHECK_FALSE(parse_retry_max_time("-1"));
        CHECK_FALSE(parse_retry_max_time("1..2"));
        CHECK_FALSE(parse_retry_max_time("1.2.3"));
        CHECK_FALSE(parse_retry_max_time("1e3"));
        CHECK_FALSE(parse_retry_max_time("inf"));
        CHECK_FALSE(parse_retry_max_time("nan"));
        CHECK_FALSE(parse_retry_max_time("5s"));
    }

    TEST_CASE("byte_size_text: the largest whole unit") {
        CHECK(byte_size_text(64u << 20) == "64 MiB");
        CHECK(byte_size_text(4096) == "4 KiB");
        CHECK(byte_size_text(1000) == "1000 bytes");
        CHECK(byte_size_text(1) == "1 byte");
        CHECK(byte_size_text((1u << 20) + 1024) == "1025 KiB");
    }
}  // TEST_SUITE
