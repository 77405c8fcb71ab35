// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <string>

#include "http/redact.h"

using aktoken::http::redact_header;
using aktoken::http::redact_json_keys;

TEST_SUITE("unit") {
    TEST_CASE("http redact_header hides credentials and keeps other headers") {
        CHECK(redact_header("Authorization", "Bearer abc.def") == "Bearer <redacted>");
        CHECK(redact_header("authorization", "Basic dXNlcjpwdw==") == "Basic <redacted>");
        CHECK(redact_header("AUTHORIZATION", "  Bearer   abc") == "Bearer <redacted>");
        CHECK(redact_header("Authorization", "abc") == "<redacted>");
        CHECK(redact_header("Authorization", "") == "<redacted>");
        CHECK(redact_header("Proxy-Authorization", "Basic Zm9vOmJhcg==") == "<redacted>");
        CHECK(redact_header("cookie", "authentik_session=xyz") == "<redacted>");
        CHECK(redact_header("Set-Cookie", "a=b; Path=/") == "<redacted>");
        CHECK(redact_header("Content-Type", "application/json") == "application/json");
        CHECK(redact_header("X-Authorization-Hint", "Bearer x") == "Bearer x");
    }

    TEST_CASE("http redact_json_keys redacts compact and pretty JSON") {
        CHECK(redact_json_keys(R"({"key":"s3cr3t"})") == R"({"key":"<redacted>"})");
        CHECK(redact_json_keys(R"({"identifier":"a","key":"s3cr3t","intent":"api"})") ==
              R"({"identifier":"a","key":"<redacted>","intent":"api"})");
        CHECK(redact_json_keys("{\n  \"key\" :\t\"s3cr3t\",\n  \"x\": 1\n}\n") ==
              "{\n  \"key\" :\t\"<redacted>\",\n  \"x\": 1\n}\n");
        CHECK(redact_json_keys("{\"key\"\r\n:\r\n\"s3cr3t\"}") == "{\"key\"\r\n:\r\n\"<redacted>\"}");
    }

    TEST_CASE("http redact_json_keys reaches every depth and every key") {
        CHECK(redact_json_keys(R"({"a":{"b":{"key":"one"}},"key":"two"})") ==
              R"({"a":{"b":{"key":"<redacted>"}},"key":"<redacted>"})");
        CHECK(redact_json_keys(R"({"results":[{"key":"one","pk":1},{"pk":2,"key":"two"},{"key":"three"}]})") ==
              R"({"results":[{"key":"<redacted>","pk":1},{"pk":2,"key":"<redacted>"},{"key":"<redacted>"}]})");
        CHECK(redact_json_keys(R"([{"key":"a"},[{"key":"b"}]])") == R"([{"key":"<redacted>"},[{"key":"<redacted>"}]])");
    }

    TEST_CASE("http redact_json_keys handles escapes inside values") {
        CHECK(redact_json_keys(R"({"key":"ab\"cd","x":"y"})") == R"({"key":"<redacted>","x":"y"})");
        CHECK(redact_json_keys(R"({"key":"ab\\","x":"y"})") == R"({"key":"<redacted>","x":"y"})");
        CHECK(redact_json_keys(R"({"key":"\\\"\\","x":"y"})") == R"({"key":"<redacted>","x":"y"})");
        // A value ending in an escaped backslash must not swallow the next member.
        CHECK(redact_json_keys(R"({"description":"a\\","key":"s3cr3t"})") ==
              R"({"description":"a\\","key":"<redacted>"})");
        CHECK(redact_json_keys(R"({"description":"say \"hi\"","key":"s3cr3t"})") ==
              R"({"description":"say \"hi\"","key":"<redacted>"})");
    }

    TEST_CASE("http redact_json_keys leaves a \"key\" inside a string value alone") {
        const std::string body = R"({"description":"\"key\": \"not a secret\"","key":"s3cr3t"})";
        CHECK(redact_json_keys(body) == R"({"description":"\"key\": \"not a secret\"","key":"<redacted>"})");
        CHECK(redact_json_keys(R"({"description":"key","x":"key"})") == R"({"description":"key","x":"key"})");
        CHECK(redact_json_keys(R"(["key","value"])") == R"(["key","value"])");
        CHECK(redact_json_keys(R"({"keys":"a","Key":"b","api_key":"c","key ":"d"})") ==
              R"({"keys":"a","Key":"b","api_key":"c","key ":"d"})");
    }

    TEST_CASE("http redact_json_keys redacts a member name written with escapes") {
        CHECK(redact_json_keys(R"({"k\u0065y":"s3cr3t"})") == R"({"k\u0065y":"<redacted>"})");
        CHECK(redact_json_keys(R"({"\u006B\u0045y":"x"})") == R"({"\u006B\u0045y":"x"})");
    }

    TEST_CASE("http redact_json_keys keeps non-string values and non-JSON text") {
        CHECK(redact_json_keys(R"({"key":null,"n":1})") == R"({"key":null,"n":1})");
        CHECK(redact_json_keys(R"({"key":{"key":"x"}})") == R"({"key":{"key":"<redacted>"}})");
        CHECK(redact_json_keys("") == "");
        CHECK(redact_json_keys("<html><body>Bad Gateway</body></html>") == "<html><body>Bad Gateway</body></html>");
        CHECK(redact_json_keys("plain \"text\" with a \"key\" word") == "plain \"text\" with a \"key\" word");
    }

    TEST_CASE("http redact_json_keys redacts truncated JSON") {
        CHECK(redact_json_keys(R"({"key":"s3cr)") == R"({"key":"<redacted>")");
        CHECK(redact_json_keys(R"({"key":"s3cr\)") == R"({"key":"<redacted>")");
        CHECK(redact_json_keys(R"({"a":[{"key": "s3cr3t"},{"key":)") == R"({"a":[{"key": "<redacted>"},{"key":)");
        CHECK(redact_json_keys(R"({"key")") == R"({"key")");
        CHECK(redact_json_keys(R"({"de)") == R"({"de)");
    }

    TEST_CASE("http redact_json_keys falls back to the pattern when quotes are out of step") {
        // The stray quote after x puts a string scanner out of step; the pattern still matches.
        CHECK(redact_json_keys(R"({"a":"x"y","key":"s3cr3t"})") == R"({"a":"x"y","key":"<redacted>"})");
        CHECK(redact_json_keys(R"(<pre>error near "key": "s3cr3t" in line 1</pre>)") ==
              R"(<pre>error near "key": "<redacted>" in line 1</pre>)");
        CHECK(redact_json_keys(R"(oops "quote "key":"s3cr3t")") == R"(oops "quote "key":"<redacted>")");
    }

    TEST_CASE("http redact_json_keys never lets a value through") {
        const std::string secret = "S3CR3T";
        const std::string bodies[] = {
            R"({"key":"S3CR3T"})",
            R"({"key" : "S3CR3T"})",
            R"({"x":"\\","key":"S3CR3T"})",
            R"({"x":"\"","key":"S3CR3T"})",
            R"({"x":"\\\"","key":"S3CR3T"})",
            R"({"x":"\u0022","key":"S3CR3T"})",
            R"(["\"key\":",{"key":"S3CR3T"}])",
            R"({"a":"x"y","key":"S3CR3T"})",
            R"({"key":"S3CR3T)",
            R"({"key":"abc\"S3CR3T\"def"})",
            "{\"key\":\n\"S3CR3T\"}",
        };
        for (const auto& body : bodies) {
            CAPTURE(body);
            const std::string out = redact_json_keys(body);
            CHECK(out.find(secret) == std::string::npos);
            CHECK(out.find("<redacted>") != std::string::npos);
            // Redacting is idempotent.
            CHECK(redact_json_keys(out) == out);
        }
    }
}
