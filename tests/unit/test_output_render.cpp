// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include "aktoken/output/render.h"

using namespace aktoken;

namespace {

model::Token sample() {
    model::Token t;
    t.pk = "p";
    t.identifier = "ci";
    t.intent = "api";
    t.user = 4;
    t.user_obj = model::User{4, "ci-bot", "CI", false};
    t.description = "Deploys";
    t.expires = util::parse_timestamp("2026-12-02T16:00:00Z");
    t.expiring = true;
    t.json = R"({"identifier":"ci"})";
    return t;
}

}  // namespace

TEST_SUITE("unit") {
    TEST_CASE("render: token block off a terminal has full values only") {
        output::Style style;
        CHECK(output::token_block(sample(), style) ==
              "identifier:  ci\npk:          p\nintent:      api\nuser:        ci-bot (4)\ndescription: Deploys\n"
              "expires:     2026-12-02T16:00:00Z\nexpiring:    true\nmanaged:     -\n");
    }

    TEST_CASE("render: token blocks escape every value from the server") {
        model::Token t = sample();
        t.identifier = "ci\x1b[2J";
        t.intent = "api\r\x1b]0;x\x07";
        t.user_obj->username = "bob\xc2\x9b";
        t.description =
            "a\nb\xe2\x80\xae\x00"
            "c";
        t.managed = "\x1b]52;c;QUJD\x07";
        t.pk = "p\xe2\x81\xa6";
        CHECK(output::token_block(t, output::Style{}) ==
              "identifier:  ci\\x1b[2J\npk:          p\\u2066\nintent:      api\\r\\x1b]0;x\\x07\n"
              "user:        bob\\u009b (4)\ndescription: a\\nb\\u202e\n"
              "expires:     2026-12-02T16:00:00Z\nexpiring:    true\nmanaged:     \\x1b]52;c;QUJD\\x07\n");
    }

    TEST_CASE("render: on a terminal expires gets the time left or since") {
        output::Style style;
        style.terminal = true;
        style.now = *util::parse_timestamp("2026-11-29T12:00:00Z");
        model::Token t = sample();
        CHECK(output::expires_text(t, style) == "2026-12-02T16:00:00Z (in 3d 4h)");
        style.now = *util::parse_timestamp("2026-12-02T18:00:00Z");
        CHECK(output::expires_text(t, style) == "2026-12-02T16:00:00Z (expired 2h ago)");
        style.color = true;
        CHECK(output::expires_text(t, style) == "2026-12-02T16:00:00Z \x1b[31m(expired 2h ago)\x1b[0m");
        t.expires.reset();
        CHECK(output::expires_text(t, style) == "never");
    }

    TEST_CASE("render: json is the server's object, an array for several") {
        const auto json = [](const std::vector<model::Token>& tokens, bool several) {
            return output::render_tokens(tokens, several, output::Format::json, output::Style{});
        };
        CHECK(json({sample()}, false) == "{\n  \"identifier\": \"ci\"\n}\n");
        CHECK(json({}, false) == "");
        CHECK(json({sample()}, true) == "[\n  {\n    \"identifier\": \"ci\"\n  }\n]\n");
        CHECK(json({sample(), sample()}, true) ==
              "[\n  {\n    \"identifier\": \"ci\"\n  },\n  {\n    \"identifier\": \"ci\"\n  }\n]\n");
        CHECK(json({}, true) == "[]\n");
    }

    TEST_CASE("render: a TokenWriter prints each token as it comes, blocks a blank line apart") {
        output::TokenWriter writer(true, output::Format::table, output::Style{});
        const std::string block = output::token_block(sample(), output::Style{});
        CHECK(writer.add(sample()) == block);
        CHECK(writer.add(sample()) == "\n" + block);
        CHECK(writer.finish() == "");
        CHECK(writer.kept_bytes() == 0);

        output::TokenWriter wide(true, output::Format::wide, output::Style{});
        CHECK(wide.add(sample()) == "");
        CHECK(wide.kept_bytes() > 0);
        CHECK(wide.finish().find("IDENTIFIER") == 0);
    }

    TEST_CASE("render: formats by name") {
        CHECK(output::parse_format("table") == output::Format::table);
        CHECK(output::parse_format("json") == output::Format::json);
        CHECK_FALSE(output::parse_format("yaml"));
    }

}  // TEST_SUITE
