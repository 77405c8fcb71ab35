// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "aktoken/util/secret.h"
#include "aktoken/util/strings.h"

using namespace aktoken::util;

TEST_SUITE("unit") {
    TEST_CASE("trim and trim_right remove ASCII whitespace only at the ends") {
        struct Case {
            const char* input;
            const char* trimmed;
            const char* right_trimmed;
        };
        const std::vector<Case> cases{
            {"", "", ""},
            {"   ", "", ""},
            {"abc", "abc", "abc"},
            {"  a b  ", "a b", "  a b"},
            {"\t\r\n\v\fx\t\r\n\v\f", "x", "\t\r\n\v\fx"},
            {"token\n", "token", "token"},
            {"\xC2\xA0x\xC2\xA0", "\xC2\xA0x\xC2\xA0", "\xC2\xA0x\xC2\xA0"},
        };
        for (const auto& c : cases) {
            const std::string captured(c.input);
            CAPTURE(captured);
            CHECK(trim(c.input) == c.trimmed);
            CHECK(trim_right(c.input) == c.right_trimmed);
        }
    }

    TEST_CASE("split keeps empty fields and join reverses it") {
        CHECK(split("", ',') == std::vector<std::string>{""});
        CHECK(split("a", ',') == std::vector<std::string>{"a"});
        CHECK(split("a,b,,c", ',') == std::vector<std::string>{"a", "b", "", "c"});
        CHECK(split(",a,", ',') == std::vector<std::string>{"", "a", ""});
        CHECK(join({}, ", ") == "");
        CHECK(join({"a"}, ", ") == "a");
        CHECK(join({"a", "b", "c"}, ", ") == "a, b, c");
        CHECK(join(split("x::y", ':'), ":") == "x::y");
    }

    TEST_CASE("to_lower changes ASCII letters only") {
        CHECK(to_lower("HTTPS://Ak.Example.COM") == "https://ak.example.com");
        CHECK(to_lower("ÄB1_-") == "Äb1_-");
        CHECK(to_lower("") == "");
    }

    TEST_CASE("is_valid_identifier") {
        struct Case {
            std::string input;
            bool valid;
        };
        const std::vector<Case> cases{
            {"a", true},
            {"ci-deploy_2025", true},
            {"ABC-xyz_09", true},
            {"-", true},
            {std::string(255, 'x'), true},
            {std::string(256, 'x'), false},
            {"", false},
            {"a b", false},
            {"a.b", false},
            {"a/b", false},
            {"tök", false},
            {"a\n", false},
            {std::string("a\0b", 3), false},
        };
        for (const auto& c : cases) {
            const std::string captured(c.input);
            CAPTURE(captured);
            CHECK(is_valid_identifier(c.input) == c.valid);
        }
    }

    TEST_CASE("parse_positive_int") {
        struct Case {
            const char* input;
            std::optional<std::int64_t> value;
        };
        const std::vector<Case> cases{
            {"1", 1},
            {"42", 42},
            {"007", 7},
            {"9223372036854775807", INT64_MAX},
            {"9223372036854775808", std::nullopt},
            {"99999999999999999999", std::nullopt},
            {"0", std::nullopt},
            {"000", std::nullopt},
            {"", std::nullopt},
            {"-1", std::nullopt},
            {"+1", std::nullopt},
            {" 1", std::nullopt},
            {"1 ", std::nullopt},
            {"1.0", std::nullopt},
            {"1e3", std::nullopt},
            {"0x10", std::nullopt},
        };
        for (const auto& c : cases) {
            const std::string captured(c.input);
            CAPTURE(captured);
            CHECK(parse_positive_int(c.input) == c.value);
        }
    }

    TEST_CASE("wipe clears the string, Secret moves leave nothing behind") {
        std::string s = "a secret that is longer than the small string buffer";
        wipe(s);
        CHECK(s.empty());
        Secret a(std::string("key"));
        Secret b(std::move(a));
        CHECK(b.view() == "key");
        CHECK(a.empty());  // NOLINT(bugprone-use-after-move): the moved-from state is the point
    }

}  // TEST_SUITE
