// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>
#include <fmt/format.h>

#include "aktoken/api/client.h"
#include "unit/fake_transport.h"

using namespace aktoken;

namespace {

const std::string kToken =
    R"({"pk":"p1","managed":null,"identifier":"ci","intent":"api","user":4,)"
    R"("user_obj":{"pk":4,"username":"ci-bot","name":"CI","is_superuser":false},)"
    R"("description":"d","expires":"2026-07-23T10:00:00.123456Z","expiring":true,"extra":[1,2]})";

struct Fixture {
    testing::FakeTransport transport;
    api::Client client{transport, "https://ak.example.com/api/v3",
                       std::make_shared<api::Credentials>([] { return util::Secret("s3cret"); })};
};

}  // namespace

TEST_SUITE("unit") {
    TEST_CASE("api client: get_token sends GET with the bearer token and decodes the answer") {
        Fixture f;
        f.transport.answer(200, kToken);
        model::Token token = f.client.get_token("ci");
        REQUIRE(f.transport.requests.size() == 1);
        const http::Request& request = f.transport.requests[0];
        CHECK(request.method == "GET");
        CHECK(request.url == "https://ak.example.com/api/v3/core/tokens/ci/");
        CHECK(request.body == "");
        REQUIRE(request.headers.size() == 1);
        CHECK(request.headers[0].first == "Authorization");
        CHECK(request.headers[0].second == "Bearer s3cret");
        CHECK(token.identifier == "ci");
        CHECK(token.user == 4);
        CHECK(token.user_obj->username == "ci-bot");
    }

    TEST_CASE("api client: urls encode identifiers and queries") {
        Fixture f;
        CHECK(f.client.token_url("a_b-C9") == "https://ak.example.com/api/v3/core/tokens/a_b-C9/");
        CHECK(f.client.url("/core/tokens/", {{"search", "a b&c"}, {"page", "2"}}) ==
              "https://ak.example.com/api/v3/core/tokens/?search=a%20b%26c&page=2");
    }

    TEST_CASE("api client: patch and set_key send their bodies") {
        Fixture f;
        f.transport.answer(200, kToken);
        model::TokenPatch patch;
        patch.description = "d";
        f.client.patch_token("ci", patch);
        CHECK(f.transport.requests[0].method == "PATCH");
        CHECK(f.transport.requests[0].body == R"({"description":"d"})");
        f.transport.answer(204, "");
        f.client.set_key("ci", "newkey");
        CHECK(f.transport.requests[1].method == "POST");
        CHECK(f.transport.requests[1].url == "https://ak.example.com/api/v3/core/tokens/ci/set_key/");
    }

    TEST_CASE("api client: every status and body of authentik maps to its error") {
        struct Case {
            long status;
            std::string body;
            ErrorKind kind;
            std::string message;
            FieldErrors fields;
        };
        const std::string url = "https://ak.example.com/api/v3/core/tokens/ci/";
        const Case cases[] = {
            {403,
             R"({"detail": "Token invalid/expired"})",
             ErrorKind::auth,
             "authentication failed: Token invalid/expired (HTTP 403 Forbidden)",
             {}},
            {403,
             R"({"detail": "Authentication credentials were not provided."})",
             ErrorKind::auth,
             "authentication failed: Authentication credentials were not provided. (HTTP 403 Forbidden)",
             {}},
            {401,
             R"({"detail": "Unauthorized"})",
             ErrorKind::auth,
             "authentication failed: Unauthorized (HTTP 401 Unauthorized)",
             {}},
            {403,
             R"({"detail": "You do not have permission to perform this action."})",
             ErrorKind::permission,
             "permission denied: You do not have permission to perform this action. (HTTP 403 Forbidden)",
             {}},
            {404,
             R"({"detail": "No Token matches the given query."})",
             ErrorKind::not_found,
             "token \"ci\" not found (HTTP 404 Not Found)",
             {}},
            {404,
             "<!doctype html><html><head><title>Not Found</title></head><body><h1>Not Found</h1></body></html>",
             ErrorKind::not_found,
             "HTTP 404 Not Found from GET " + url + " \"Not Found\": not an authentik API answer (check --url)",
             {}},
            {400,
             R"({"expires": ["Datetime has wrong format."], "non_field_errors": ["Bad."]})",
             ErrorKind::rejected,
             "the server rejected the request (HTTP 400 Bad Request)",
             {{"expires", {"Datetime has wrong format."}}, {"non_field_errors", {"Bad."}}}},
            {400,
             R"({"intent": "Invalid intent recovery"})",
             ErrorKind::rejected,
             "the server rejected the request (HTTP 400 Bad Request)",
             {{"intent", {"Invalid intent recovery"}}}},
            {400, "", ErrorKind::rejected, "HTTP 400 Bad Request from GET " + url, {}},
            {405,
             R"({"detail": "Method \"PUT\" not allowed."})",
             ErrorKind::rejected,
             "Method \"PUT\" not allowed. (HTTP 405 Method Not Allowed)",
             {}},
            {409, R"({"detail": "conflict", "code": "x"})", ErrorKind::rejected, "conflict (HTTP 409 Conflict)", {}},
            {415,
             R"({"detail": "Unsupported media type \"text/plain\" in request."})",
             ErrorKind::rejected,
             "Unsupported media type \"text/plain\" in request. (HTTP 415 Unsupported Media Type)",
             {}},
            {429, "slow down", ErrorKind::rejected, "HTTP 429 Too Many Requests from GET " + url + ": slow down", {}},
            {500,
             "Internal Server Error",
             ErrorKind::server,
             "HTTP 500 Internal Server Error from GET " + url + ": Internal Server Error",
             {}},
            {502,
             "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>",
             ErrorKind::server,
             "HTTP 502 Bad Gateway from GET " + url + ": 502 Bad Gateway",
             {}},
            {503,
             R"({"error": "authentik starting"})",
             ErrorKind::server,
             "HTTP 503 Service Unavailable from GET " + url + ": authentik starting",
             {}},
            {302, "", ErrorKind::config, "", {}},
        };
        for (const Case& c : cases) {
            CAPTURE(c.status);
            CAPTURE(c.body);
            http::Response response{c.status, {{"location", "https://ak.example.com/login/"}}, c.body, 0};
            Error error = api::error_from_response(response, "GET", url, "token \"ci\"");
            CHECK(error.kind() == c.kind);
            CHECK(error.status() == c.status);
            CHECK(error.fields() == c.fields);
            if (c.status == 302) {
                CHECK(std::string(error.what()) == "the server redirected GET " + url +
                                                       " to https://ak.example.com/login/ (HTTP 302); aktoken does not "
                                                       "follow redirects: use the final "
                                                       "URL with --url");
            } else {
                CHECK(std::string(error.what()) == c.message);
            }
        }
    }

    TEST_CASE("api client: without a concurrent transport list pages are read one after the other") {
        Fixture f;
        const auto page = [](int next, const char* identifier) {
            return fmt::format(
                R"({{"pagination":{{"next":{},"total_pages":4}},"results":[{{"pk":"p","identifier":"{}",)"
                R"("intent":"api","user":1,"description":"","expires":null,"expiring":false}}]}})",
                next, identifier);
        };
        f.transport.answer(200, page(3, "two"));
        f.transport.answer(200, page(4, "three"));
        f.transport.answer(200, page(0, "four"));
        std::vector<std::string> seen;
        f.client.list_token_pages({{"user__username", "bob"}}, 2, 4, [&](model::Page<model::Token>& tokens) {
            seen.push_back(tokens.results.at(0).identifier);
            return seen.size() < 2;  // stop after the second page
        });
        CHECK(seen == std::vector<std::string>{"two", "three"});
        REQUIRE(f.transport.requests.size() == 2);
        CHECK(f.transport.requests[0].url == "https://ak.example.com/api/v3/core/tokens/?user__username=bob&page=2");
        CHECK(f.transport.requests[1].url == "https://ak.example.com/api/v3/core/tokens/?user__username=bob&page=3");
        CHECK(f.transport.requests[0].compressed_answer);
        CHECK(f.transport.requests[0].max_answer_bytes == 0);

        // A failing page throws after the pages before it were passed on.
        f.transport.requests.clear();
        f.transport.responses.clear();
        f.transport.answer(200, page(2, "one"));
        f.transport.answer(404, R"({"detail": "Invalid page."})");
        seen.clear();
        CHECK_THROWS_AS(f.client.list_token_pages({}, 1, 2,
                                                  [&](model::Page<model::Token>& tokens) {
                                                      seen.push_back(tokens.results.at(0).identifier);
                                                      return true;
                                                  }),
                        Error);
        CHECK(seen == std::vector<std::string>{"one"});
    }

    TEST_CASE("api client: a page beyond the listing's ceilings is refused before it is used") {
        const auto page = [](const std::string& pagination, int results) {
            std::string tokens;
            for (int i = 0; i < results; ++i) {
                tokens += fmt::format(R"({}{{"pk":"p","identifier":"t{}","intent":"api","user":1,"description":"",)"
                                      R"("expires":null,"expiring":false}})",
                                      i == 0 ? "" : ",", i);
            }
            return fmt::format(R"({{"pagination":{{{}}},"results":[{}]}})", pagination, tokens);
        };
        struct Case {
            api::Query query;
            std::int64_t number;  // the page asked for
            std::string body;
            std::string error;  // empty: passed on
        };
        const std::string malformed = "unexpected answer from the server: ";
        const std::vector<Case> cases{
            {{{"page_size", "2"}}, 1, page(R"("next":2,"count":5,"total_pages":3)", 2), ""},
            {{{"page_size", "2"}},
             1,
             page(R"("next":2,"total_pages":3)", 3),
             malformed + "page 1 of the token list holds 3 tokens, more than the 2 asked for"},
            {{}, 1, page(R"("next":0)", 100), ""},
            {{},
             1,
             page(R"("next":0)", 101),
             malformed + "page 1 of the token list holds 101 tokens, more than the 100 asked for"},
            {{}, 1, page(R"("next":2,"count":1000000,"total_pages":10000)", 1), ""},
            {{},
             1,
             page(R"("next":2,"count":1,"total_pages":8000000000000000)", 1),
             "the server claims the token list has 8000000000000000 pages; aktoken follows at most 10000 pages"},
            {{},
             1,
             page(R"("next":2,"count":1000001)", 1),
             "the server claims the token list holds 1000001 tokens; aktoken lists at most 1000000 tokens"},
            {{}, 3, page(R"("next":4)", 1), ""},
            {{}, 1, page(R"("next":5)", 1), malformed + "page 1 of the token list names page 5 as the next one"},
            {{}, 3, page(R"("next":3)", 1), malformed + "page 3 of the token list names page 3 as the next one"},
            {{}, 3, page(R"("next":2)", 1), malformed + "page 3 of the token list names page 2 as the next one"},
            {{}, 2, page(R"("next":0,"total_pages":2)", 1), ""},
            {{},
             2,
             page(R"("next":3,"total_pages":2)", 1),
             malformed + "page 2 of the token list names page 3 as the next one, beyond its 2 pages"},
        };
        for (const Case& c : cases) {
            CAPTURE(c.body);
            Fixture f;
            f.transport.answer(200, c.body);
            int passed = 0;
            const auto list = [&] {
                f.client.list_token_pages(c.query, c.number, c.number, [&](model::Page<model::Token>&) {
                    ++passed;
                    return true;
                });
            };
            if (c.error.empty()) {
                CHECK_NOTHROW(list());
                CHECK(passed == 1);
            } else {
                CHECK_THROWS_WITH_AS(list(), c.error.c_str(), Error);
                CHECK(passed == 0);
            }
            CHECK(f.transport.requests.size() == 1);
        }
    }

    TEST_CASE("api client: delete_token takes a 404 after a retry of unknown outcome as deleted") {
        Fixture f;
        f.transport.answer(204, "");
        CHECK_NOTHROW(f.client.delete_token("ci"));
        CHECK(f.transport.requests[0].method == "DELETE");
        CHECK(f.transport.requests[0].url == "https://ak.example.com/api/v3/core/tokens/ci/");
        f.transport.answer(404, R"({"detail": "No Token matches the given query."})");
        CHECK_THROWS_WITH_AS(f.client.delete_token("ci"), "token \"ci\" not found (HTTP 404 Not Found)", Error);
        // An earlier attempt, whose answer was lost, probably deleted it.
        f.transport.retried_after_unknown = true;
        f.transport.answer(404, R"({"detail": "No Token matches the given query."})");
        CHECK_NOTHROW(f.client.delete_token("ci"));
        f.transport.answer(403, R"({"detail": "You do not have permission to perform this action."})");
        CHECK_THROWS_AS(f.client.delete_token("ci"), Error);
    }

    TEST_CASE("api client: a 2xx answer of the wrong shape is a server error") {
        Fixture f;
        f.transport.answer(200, R"("just a string")");
        CHECK_THROWS_WITH_AS(f.client.get_token("ci"),
                             "unexpected answer from the server: the token is not a JSON object", Error);
        f.transport.answer(200, R"({"pagination": {"next": 0}})");
        CHECK_THROWS_WITH_AS(f.client.list_token_pages({}, 1, 1, [](model::Page<model::Token>&) { return true; }),
                             "unexpected answer from the server: the token list has no \"results\" array", Error);
    }

}  // TEST_SUITE
