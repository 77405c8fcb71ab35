// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include "aktoken/json/builder.h"
#include "aktoken/util/error.h"

using namespace aktoken;

TEST_SUITE("unit") {
    TEST_CASE("json builder: compact values of every kind") {
        json::Builder builder;
        builder.begin_object();
        builder.key("s").string("a\"b\\c\n");
        builder.key("n").number(-42);
        builder.key("t").boolean(true);
        builder.key("z").null();
        builder.key("a").begin_array().number(1).string("x").end_array();
        builder.key("raw").raw(R"( {"k": [1, {"m": null}]} )");
        builder.end_object();
        CHECK(builder.text() ==
              R"({"s":"a\"b\\c\n","n":-42,"t":true,"z":null,"a":[1,"x"],"raw":{"k":[1,{"m":null}]}})");
    }

    TEST_CASE("json builder: pretty output indents two spaces, raw values included") {
        json::Builder builder(true);
        builder.begin_object().key("method").string("PATCH").key("body").raw(R"({"intent":"api","user":7})");
        builder.key("empty").begin_array().end_array().end_object();
        CHECK(builder.text() ==
              "{\n  \"method\": \"PATCH\",\n  \"body\": {\n    \"intent\": \"api\",\n    \"user\": 7\n  },\n"
              "  \"empty\": []\n}");
    }

    TEST_CASE("json builder: invalid UTF-8 becomes U+FFFD, so the text always parses") {
        CHECK(json::quote("ok\xff\xfe") == "\"ok\xef\xbf\xbd\xef\xbf\xbd\"");
        CHECK(json::quote("\xc3\xa9") == "\"\xc3\xa9\"");
        CHECK(json::quote("\xed\xa0\x80") == "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");  // a surrogate
        CHECK(json::quote("\xe2\x82") == "\"\xef\xbf\xbd\xef\xbf\xbd\"");                  // cut short
    }

    TEST_CASE("json builder: quote escapes quotes, backslashes and control characters") {
        CHECK(json::quote("a\"b\\c\n") == R"("a\"b\\c\n")");
        CHECK(json::quote(std::string_view("\x1b[2J\0", 5)) == R"("\u001B[2J\u0000")");
    }

    TEST_CASE("json builder: a raw value that is not JSON is a server error") {
        json::Builder builder;
        CHECK_THROWS_AS(builder.raw("{not json"), Error);
    }

}  // TEST_SUITE
