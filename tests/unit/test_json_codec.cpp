// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include "aktoken/json/builder.h"
#include "aktoken/json/codec.h"
#include "aktoken/util/error.h"

using namespace aktoken;

TEST_SUITE("unit") {
    TEST_CASE("json: a token decodes with every field, unknown fields kept in the raw object") {
        model::Token t = json::decode_token(
            R"({"pk":"a","managed":"m","identifier":"id","intent":"app_password","user":3,)"
            R"("user_obj":{"pk":3,"username":"bob","name":"Bob","is_superuser":true,"groups":[]},)"
            R"("description":"d","expires":"2026-07-23T10:00:00Z","expiring":false,"future_field":{"x":1}})");
        CHECK(t.pk == "a");
        CHECK(t.managed == "m");
        CHECK(t.identifier == "id");
        CHECK(t.intent == "app_password");
        CHECK(t.user == 3);
        REQUIRE(t.user_obj);
        CHECK(t.user_obj->username == "bob");
        CHECK(t.user_obj->is_superuser);
        CHECK(t.description == "d");
        CHECK(util::format_timestamp(*t.expires) == "2026-07-23T10:00:00Z");
        CHECK_FALSE(t.expiring);
        CHECK(t.json ==
              R"({"pk":"a","managed":"m","identifier":"id","intent":"app_password","user":3,)"
              R"("user_obj":{"pk":3,"username":"bob","name":"Bob","is_superuser":true,"groups":[]},)"
              R"("description":"d","expires":"2026-07-23T10:00:00Z","expiring":false,"future_field":{"x":1}})");
    }

    TEST_CASE("json: malformed or wrongly shaped answers are server errors with a short message") {
        struct Case {
            std::string body;
            std::string message;
        };
        const Case cases[] = {
            {"", "empty body where JSON was expected"},
            {"<html>", "invalid JSON at offset 0: Invalid value."},
            {R"({"pk":"a","identifier":"x")",
             "invalid JSON at offset 26: Missing a comma or '}' after an object member."},
            {R"([])", "the token is not a JSON object"},
            {R"({"pk":"a"})", "the token has no \"identifier\""},
            {R"({"pk":"a","identifier":7})", "\"identifier\" of the token is not a string"},
            {R"({"pk":"a","identifier":"x","user":"3"})", "\"user\" of the token is not an integer"},
            {R"({"pk":"a","identifier":"x","user":1.5})", "\"user\" of the token is not an integer"},
            {R"({"pk":"a","identifier":"x","user":3.0})", "\"user\" of the token is not an integer"},
            {R"({"pk":"a","identifier":"x","user_obj":{"pk":2e0,"username":"u"}})",
             "\"pk\" of the token's user_obj is not an integer"},
            {R"({"pk":"a","identifier":"x","expires":"tomorrow"})",
             "\"expires\" of the token is not a date-time: \"tomorrow\""},
            {R"({"pk":"a","identifier":"x","expiring":"yes"})", "\"expiring\" of the token is not a boolean"},
            {R"({"pk":"a","identifier":"x","user_obj":{"pk":1}})", "the token's user_obj has no \"username\""},
            {std::string(100, '[') + std::string(100, ']'), "JSON nested deeper than 64 levels"},
            {"{\"pk\":\"\xff\",\"identifier\":\"bob-api\"}", "token \"bob-api\" holds text that is not valid UTF-8"},
            {"{\"pk\":\"a\",\"identifier\":\"x\",\"description\":\"\\udc00\"}",
             "token \"x\" holds text that is not valid UTF-8"},
        };
        for (const Case& c : cases) {
            CAPTURE(c.body);
            try {
                json::decode_token(c.body);
                FAIL("no error");
            } catch (const Error& e) {
                CHECK(e.kind() == ErrorKind::server);
                CHECK(std::string(e.what()) == "unexpected answer from the server: " + c.message);
            }
        }
    }

    TEST_CASE("json: pages, me, keys, used_by and errors") {
        auto page = json::decode_token_page(
            R"({"pagination":{"next":2,"previous":0,"count":41,"current":1,"total_pages":3,"start_index":1,)"
            R"("end_index":20},"results":[{"pk":"a","identifier":"x"}],"autocomplete":{}})");
        CHECK(page.next == 2);
        CHECK(page.count == 41);
        CHECK(page.total_pages == 3);
        REQUIRE(page.results.size() == 1);
        CHECK(page.results[0].identifier == "x");
        CHECK(json::decode_token_page(R"({"pagination":{"next":0.0},"results":[]})").next == 0);

        CHECK(json::decode_me(R"({"user":{"pk":1,"username":"akadmin","name":"A","is_superuser":true}})").username ==
              "akadmin");
        CHECK(json::decode_key(R"({"key":"abc"})").view() == "abc");
        auto used = json::decode_used_by(
            R"([{"app":"authentik_outposts","model_name":"outpost","pk":"9","name":"Embedded","action":"cascade"}])");
        REQUIRE(used.size() == 1);
        CHECK(used[0].action == "cascade");

        auto error = json::decode_error(R"({"detail":"Invalid page.","code":"not_found"})");
        REQUIRE(error);
        CHECK(error->detail == "Invalid page.");
        CHECK(error->fields.empty());
        CHECK_FALSE(json::decode_error("<html></html>"));
        CHECK_FALSE(json::decode_error("[1]"));
    }

    TEST_CASE("json: a page names the token whose text is not UTF-8; other answers fail as a whole") {
        const auto message = [](auto decode) {
            try {
                decode();
            } catch (const Error& e) {
                CHECK(e.kind() == ErrorKind::server);
                return std::string(e.what());
            }
            return std::string("no error");
        };
        CHECK(message([] {
                  json::decode_token_page(
                      R"({"pagination":{},"results":[{"pk":"a","identifier":"ok"},)"
                      "{\"pk\":\"b\",\"identifier\":\"bob-api\",\"description\":\"bad\xff\xfe\"}]}");
              }) == "unexpected answer from the server: token \"bob-api\" holds text that is not valid UTF-8");
        CHECK(message([] { json::decode_me("{\"user\":{\"pk\":1,\"username\":\"\xff\"}}"); }) ==
              "unexpected answer from the server: invalid JSON at offset 28: Invalid encoding in string.");
    }

    TEST_CASE("json: of two members of one name the last counts, as in authentik's Python") {
        model::Token t = json::decode_token(
            R"({"pk":"a","identifier":"scratch-test","intent":"app_password","identifier":"prod-ci-deploy",)"
            R"("user_obj":{"pk":1,"username":"mallory","username":"akadmin"},"intent":"api"})");
        CHECK(t.identifier == "prod-ci-deploy");
        CHECK(t.intent == "api");
        REQUIRE(t.user_obj);
        CHECK(t.user_obj->username == "akadmin");
        CHECK(t.json ==
              R"({"pk":"a","identifier":"prod-ci-deploy","user_obj":{"pk":1,"username":"akadmin"},"intent":"api"})");
        CHECK(json::pretty(R"([{"a":1,"b":2,"a":3}])") == "[\n  {\n    \"b\": 2,\n    \"a\": 3\n  }\n]");
        CHECK(json::decode_key(R"({"key":"first","key":"last"})").view() == "last");
        auto error = json::decode_error(R"({"detail":"first","detail":"Token invalid/expired"})");
        REQUIRE(error);
        CHECK(error->detail == "Token invalid/expired");
        CHECK(error->fields.empty());
    }

    TEST_CASE("json: a key with whitespace or a control character is a malformed answer, not shown") {
        for (const std::string body :
             {R"({"key":"abc def"})", R"({"key":"abc\n"})", R"({"key":"\u001b[2Jabc"})", R"({"key":"abc\u0000"})",
              R"({"key":"\u009b2J"})", R"({"key":"a\u202eb"})", R"({"key":"\tabc"})"}) {
            CAPTURE(body);
            try {
                json::decode_key(body);
                FAIL("no error");
            } catch (const Error& e) {
                CHECK(e.kind() == ErrorKind::server);
                CHECK(std::string(e.what()) ==
                      "unexpected answer from the server: the key in the answer of view_key holds whitespace or a "
                      "control character");
            }
        }
        CHECK(json::decode_key(R"({"key":"Abc-123_~+/=\u00e9"})").view() == "Abc-123_~+/=\xc3\xa9");
    }

    TEST_CASE("json: output writes C1 and bidirectional controls as escapes, the same value") {
        CHECK(json::pretty("{\"d\":\"\xc2\x9b"
                           "2J\xe2\x80\xae\xe2\x81\xa9\\u001b\xc3\xa9\xe2\x80\xa9\"}") ==
              "{\n  \"d\": \"\\u009B2J\\u202E\\u2069\\u001B\xc3\xa9\xe2\x80\xa9\"\n}");
        CHECK(json::decode_token("{\"pk\":\"a\",\"identifier\":\"x\",\"intent\":\"\xc2\x85\"}").json ==
              R"({"pk":"a","identifier":"x","intent":"\u0085"})");
        CHECK(json::quote("a\xe2\x80\xaa"
                          "b\x1b") == R"("a\u202Ab\u001B")");
    }

    TEST_CASE("json: pretty printing") {
        CHECK(json::pretty(R"({"a":[1,{"b":null}],"c":"\u00e9"})") ==
              "{\n  \"a\": [\n    1,\n    {\n      \"b\": null\n    }\n  ],\n  \"c\": \"\xc3\xa9\"\n}");
        CHECK(json::pretty_array({R"({"a":1})", R"({"b":2})"}) ==
              "[\n  {\n    \"a\": 1\n  },\n  {\n    \"b\": 2\n  }\n]");
        CHECK(json::with_key(R"({"identifier":"x"})", "k\"1") == R"({"identifier":"x","key":"k\"1"})");
        CHECK(json::encode_set_key("abc").view() == R"({"key":"abc"})");
    }

}  // TEST_SUITE
