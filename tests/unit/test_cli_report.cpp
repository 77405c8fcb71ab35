// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <sstream>

#include "aktoken/commands/token_fields.h"
#include "cli/report.h"

using namespace aktoken;

TEST_SUITE("unit") {
    TEST_CASE("report: exit codes follow the documented table") {
        CHECK(cli::exit_code(ErrorKind::internal) == 1);
        CHECK(cli::exit_code(ErrorKind::usage) == 2);
        CHECK(cli::exit_code(ErrorKind::config) == 3);
        CHECK(cli::exit_code(ErrorKind::auth) == 4);
        CHECK(cli::exit_code(ErrorKind::permission) == 5);
        CHECK(cli::exit_code(ErrorKind::not_found) == 6);
        CHECK(cli::exit_code(ErrorKind::rejected) == 7);
        CHECK(cli::exit_code(ErrorKind::server) == 8);
        CHECK(cli::exit_code(ErrorKind::network) == 9);
        CHECK(cli::exit_code(ErrorKind::busy) == 10);
        CHECK(cli::exit_code(ErrorKind::output) == 11);
        CHECK(cli::kind_name(ErrorKind::output) == std::string("output"));
        CHECK(cli::exit_code(ErrorKind::interrupted) == 130);
    }

    TEST_CASE("report: text lists each field message, json is one object") {
        Error error(ErrorKind::rejected, "the server rejected the request (HTTP 400 Bad Request)", 400,
                    {{"expires", {"Datetime has wrong format.", "Second."}}, {"non_field_errors", {"Overall."}}});
        std::ostringstream text;
        cli::report(text, error, false, false);
        CHECK(text.str() ==
              "aktoken: error: expires: Datetime has wrong format.\naktoken: error: expires: Second.\n"
              "aktoken: error: Overall.\n");
        std::ostringstream json;
        cli::report(json, error, true, false);
        CHECK(json.str() ==
              R"({"error":{"exit_code":7,"kind":"rejected","status":400,"message":"the server rejected the request )"
              R"J((HTTP 400 Bad Request)","fields":{"expires":["Datetime has wrong format.","Second."],)J"
              R"("non_field_errors":["Overall."]}}})"
              "\n");
        std::ostringstream plain;
        cli::report(plain, Error(ErrorKind::usage, "bad"), true, false);
        CHECK(plain.str() == R"({"error":{"exit_code":2,"kind":"usage","status":null,"message":"bad","fields":{}}})"
                             "\n");
        std::ostringstream colored;
        cli::report(colored, Error(ErrorKind::usage, "bad"), false, true);
        CHECK(colored.str() == "aktoken: \x1b[31merror:\x1b[0m bad\n");
    }

    TEST_CASE("report: every line is escaped, the server's words included; json stays JSON") {
        Error error(ErrorKind::rejected, "the server rejected the request (HTTP 400 Bad Request)", 400,
                    {{"description\x1b[2J", {"Bad\r\x1b]0;title\x07"}},
                     {"non_field_errors",
                      {"\xc2\x9b"
                       "2J\xe2\x80\xae"}}});
        std::ostringstream text;
        cli::report(text, error, false, false);
        CHECK(text.str() ==
              "aktoken: error: description\\x1b[2J: Bad\\r\\x1b]0;title\\x07\n"
              "aktoken: error: \\u009b2J\\u202e\n");
        std::ostringstream detail;
        cli::report(detail, Error(ErrorKind::permission, "permission denied: \x1b]52;c;QUJD\x07 (HTTP 403)"), false,
                    false);
        CHECK(detail.str() == "aktoken: error: permission denied: \\x1b]52;c;QUJD\\x07 (HTTP 403)\n");
        std::ostringstream nul;
        cli::report(nul, Error(ErrorKind::permission, std::string("Nope\0\x1b (HTTP 403)", 17)), false, false);
        CHECK(nul.str() == "aktoken: error: Nope\\x00\\x1b (HTTP 403)\n");
        std::ostringstream json;
        cli::report(json, Error(ErrorKind::server, "x\x1b\xc2\x9b"), true, false);
        CHECK(json.str() ==
              R"({"error":{"exit_code":8,"kind":"server","status":null,"message":"x\u001B\u009B","fields":{}}})"
              "\n");
    }

    TEST_CASE("report: a bulk item's error names its token on every line, and in json") {
        Error error =
            commands::about_token(Error(ErrorKind::rejected, "the server rejected the request (HTTP 400 Bad Request)",
                                        400, {{"expires", {"Too late."}}, {"non_field_errors", {"Overall."}}}),
                                  "ci-deploy");
        std::ostringstream text;
        cli::report(text, error, false, false);
        CHECK(
            text.str() ==
            "aktoken: error: token \"ci-deploy\": expires: Too late.\naktoken: error: token \"ci-deploy\": Overall.\n");
        std::ostringstream json;
        cli::report(json, error, true, false);
        CHECK(json.str() ==
              R"({"error":{"exit_code":7,"kind":"rejected","status":400,"message":"the server rejected the request )"
              R"J((HTTP 400 Bad Request)","fields":{"expires":["Too late."],"non_field_errors":["Overall."]},)J"
              R"("token":"ci-deploy"}})"
              "\n");

        // A message that names the token already, quoted or in its URL, is left alone.
        CHECK(
            commands::about_token(Error(ErrorKind::not_found, "token \"ci-deploy\" not found"), "ci-deploy").token() ==
            "");
        CHECK(commands::about_token(
                  Error(ErrorKind::server, "HTTP 500 from GET https://a/api/v3/core/tokens/ci-deploy/"), "ci-deploy")
                  .token() == "");
        CHECK(commands::about_token(Error(ErrorKind::server, "HTTP 500 from GET https://a/api/v3/core/tokens/ci/"),
                                    "ci-deploy")
                  .token() == "ci-deploy");
    }

}  // TEST_SUITE
