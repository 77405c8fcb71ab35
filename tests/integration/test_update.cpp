// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>
#include <fmt/format.h>

#include "integration/harness.h"

using namespace harness;

namespace {

// A frozen sandbox clock makes the expiry authentik forces on api tokens predictable.
const std::vector<std::string> kFrozen = {"--now", "2026-11-29T12:00:00Z", "--default-token-duration", "30m"};

std::string block(const std::string& identifier, const std::string& pk, const std::string& intent,
                  const std::string& user, const std::string& description, const std::string& expires,
                  const std::string& expiring, const std::string& managed = "-") {
    return "identifier:  " + identifier + "\npk:          " + pk + "\nintent:      " + intent +
           "\nuser:        " + user + "\ndescription: " + description + "\nexpires:     " + expires +
           "\nexpiring:    " + expiring + "\nmanaged:     " + managed + "\n";
}

const std::string kAliceAppPk = "33333333-3333-4333-8333-333333333333";
const std::string kBobApiPk = "44444444-4444-4444-8444-444444444444";

// `count` app passwords named many-00... owned by alice, and a file naming them all, then
// alice-app and a token that does not exist.
std::string add_many(const Sandbox& sandbox, const TempDir& home, int count) {
    std::string tokens = "[";
    std::string names;
    for (int i = 0; i < count; ++i) {
        tokens += fmt::format(R"({}{{"identifier":"many-{:02}","intent":"app_password","user":2,"description":"",)"
                              R"("expires":"2027-01-01T00:00:00Z","expiring":true,"managed":null}})",
                              i == 0 ? "" : ",", i);
        names += fmt::format("many-{:02}\n", i);
    }
    add_tokens(sandbox, tokens + "]");
    return home.write("ids", names + "alice-app\nno-such-token\n");
}

// The requests other than PATCHes, as "METHOD PATH?QUERY", and how many PATCHes carried `body`.
std::pair<std::vector<std::string>, int> reads_and_patches(const Sandbox& sandbox, const std::string& body) {
    std::vector<std::string> reads;
    int patches = 0;
    for (const Recorded& request : sandbox.requests()) {
        if (request.method == "PATCH") {
            patches += request.body == body ? 1 : 0;
        } else {
            reads.push_back(request.method + " " + request.path + "?" + request.query);
        }
    }
    return {reads, patches};
}

}  // namespace

TEST_SUITE("integration") {
    TEST_CASE("update: a description-only update of an app_password token keeps its intent and owner") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        RunResult r =
            aktoken({"update", "alice-app", "--description", "New mail"}, aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.err == "");
        CHECK(r.exit_code == 0);
        CHECK(r.out ==
              block("alice-app", kAliceAppPk, "app_password", "alice (2)", "New mail", "2027-03-01T00:00:00Z", "true"));
        auto requests = sandbox.requests();
        REQUIRE(requests.size() == 2);
        CHECK(requests[0].method == "GET");
        CHECK(requests[0].path == "/api/v3/core/tokens/alice-app/");
        CHECK(requests[1].method == "PATCH");
        CHECK(requests[1].path == "/api/v3/core/tokens/alice-app/");
        CHECK(requests[1].body == R"({"intent":"app_password","user":2,"description":"New mail"})");
    }

    TEST_CASE("update: an admin's update of another user's token keeps its owner") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        RunResult r =
            aktoken({"update", "bob-api", "--description", "Bob's scripts"}, aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.exit_code == 0);
        CHECK(r.err ==
              "aktoken: note: expires moved from never to 2026-11-29T12:30:00Z: authentik resets an api token's expiry "
              "on every write\n");
        CHECK(r.out == block("bob-api", kBobApiPk, "api", "bob (3)", "Bob's scripts", "never", "false"));
        auto requests = sandbox.requests();
        REQUIRE(requests.size() == 2);
        CHECK(requests[1].body == R"({"intent":"api","user":3,"description":"Bob's scripts"})");
    }

    TEST_CASE("update: --user takes a username, looked up once, as well as a pk") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        const Env env = aktoken_env(sandbox, kAdminKey, home);
        RunResult r = aktoken({"update", "bob-api", "--user", "bob", "--description", "x", "-o", "id"}, env);
        CHECK(r.exit_code == 0);
        CHECK(r.out == "bob-api\n");
        auto requests = sandbox.requests();
        REQUIRE(requests.size() == 3);
        CHECK(requests[0].method + " " + requests[0].path + "?" + requests[0].query ==
              "GET /api/v3/core/users/?username=bob");
        CHECK(requests[1].method + " " + requests[1].path == "GET /api/v3/core/tokens/bob-api/");
        CHECK(requests[2].body == R"({"intent":"api","user":3,"description":"x"})");

        sandbox.clear_requests();
        r = aktoken({"update", "bob-api", "--user", "3", "--description", "y", "-o", "id"}, env);
        CHECK(r.exit_code == 0);
        requests = sandbox.requests();
        REQUIRE(requests.size() == 2);
        CHECK(requests[1].body == R"({"intent":"api","user":3,"description":"y"})");

        // A username alone is a change to ask for (authentik refuses another owner).
        sandbox.clear_requests();
        r = aktoken({"update", "bob-api", "--user", "alice"}, env);
        CHECK(r.exit_code == 7);
        CHECK(r.err == error_line("user: User cannot be changed"));
        CHECK(sandbox.requests().size() == 3);

        sandbox.clear_requests();
        r = aktoken({"update", "bob-api", "--user", "nobody", "--description", "z"}, env);
        CHECK(r.exit_code == 6);
        CHECK(r.out == "");
        CHECK(r.err == error_line("user \"nobody\" not found"));
        CHECK(sandbox.requests().size() == 1);
    }

    TEST_CASE("update: --no-preserve sends only the given fields, and authentik takes the token over") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        RunResult r = aktoken({"update", "alice-app", "--description", "x", "--no-preserve"},
                              aktoken_env(sandbox, kAdminKey, home));
        auto requests = sandbox.requests();
        REQUIRE(requests.size() == 1);
        CHECK(requests[0].method == "PATCH");
        CHECK(requests[0].body == R"({"description":"x"})");
        // This is the trap aktoken exists for: the server now says api, owned by akadmin.
        CHECK(r.exit_code == 0);
        CHECK(r.out == block("alice-app", kAliceAppPk, "api", "akadmin (1)", "x", "2026-11-29T12:30:00Z", "true"));
    }

    TEST_CASE("update: --expires on an api token warns that authentik overrode it") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        RunResult r = aktoken({"update", "bob-api", "--expires", "2027-01-31T12:00:00Z", "--allow-expiry-reset"},
                              aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.exit_code == 0);
        CHECK(
            r.err ==
            "aktoken: warning: expires: requested \"2027-01-31T12:00:00Z\", the server stored \"2026-11-29T12:30:00Z\" "
            "(authentik sets an api token's expiry to now + its default token duration)\n");
        auto requests = sandbox.requests();
        REQUIRE(requests.size() == 2);
        CHECK(requests[1].body == R"({"intent":"api","user":3,"expires":"2027-01-31T12:00:00Z"})");
    }

    TEST_CASE("update: --strict turns the override into exit 7") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        RunResult r =
            aktoken({"update", "bob-api", "--expires", "2027-01-31T12:00:00+01:00", "--strict", "--allow-expiry-reset"},
                    aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.exit_code == 7);
        CHECK(r.err ==
              "aktoken: error: --strict: expires: requested \"2027-01-31T11:00:00Z\", the server stored "
              "\"2026-11-29T12:30:00Z\" (authentik sets an api token's expiry to now + its default token duration)\n");
        CHECK(r.out == block("bob-api", kBobApiPk, "api", "bob (3)", "Bob scripts", "never", "false"));
    }

    TEST_CASE("update: --expires never sends null") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        RunResult r = aktoken({"update", "alice-app", "--expires", "never", "--no-expiring"},
                              aktoken_env(sandbox, kAdminKey, home));
        // authentik's pre-save signal dates an expiring token saved with expires null (now + 30
        // minutes), so "never" does not hold while expiring stays true (authentik-api.md).
        CHECK(r.err == "");
        CHECK(r.exit_code == 0);
        auto requests = sandbox.requests();
        REQUIRE(requests.size() == 2);
        CHECK(requests[1].body == R"({"intent":"app_password","user":2,"expires":null,"expiring":false})");
        CHECK(r.out ==
              block("alice-app", kAliceAppPk, "app_password", "alice (2)", "Alice mail client", "never", "false"));
    }

    TEST_CASE("update: every field flag goes into the body") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        RunResult r =
            aktoken({"update", "alice-app", "--identifier", "alice-mail", "--intent", "app_password", "--user", "2",
                     "--description", "", "--expires", "2027-01-15", "--no-expiring", "--managed", "example.com/mail"},
                    aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.err == "");
        CHECK(r.exit_code == 0);
        auto requests = sandbox.requests();
        REQUIRE(requests.size() == 2);
        CHECK(requests[1].body ==
              R"({"managed":"example.com/mail","identifier":"alice-mail","intent":"app_password","user":2,)"
              R"("description":"","expires":"2027-01-15T00:00:00Z","expiring":false})");
        // expires is stored (the body above) but the token does not expire: people read never.
        CHECK(r.out ==
              block("alice-mail", kAliceAppPk, "app_password", "alice (2)", "", "never", "false", "example.com/mail"));
    }

    TEST_CASE("update: a managed token gets a warning, --no-managed sends null") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        const std::string outpost = "ak-outpost-9a5c2b7e-1f0d-4c8a-9e3b-6d2f4a1b8c7e-api";
        RunResult r =
            aktoken({"update", outpost, "--description", "Embedded outpost"}, aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.exit_code == 0);
        CHECK(r.err == "aktoken: warning: token \"" + outpost + "\" is managed by authentik (goauthentik.io/outpost/" +
                           outpost + "): authentik may overwrite this change\n" +
                           "aktoken: note: expires moved from never to 2026-11-29T12:30:00Z: authentik resets an api "
                           "token's expiry on every write\n");
        sandbox.clear_requests();
        r = aktoken({"update", outpost, "--no-managed"}, aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.exit_code == 0);
        auto requests = sandbox.requests();
        REQUIRE(requests.size() == 2);
        CHECK(requests[1].body == R"({"managed":null,"intent":"api","user":4})");
    }

    TEST_CASE("update: --dry-run sends no PATCH, and with --no-preserve nothing at all") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        RunResult r =
            aktoken({"update", "alice-app", "--description", "x", "--dry-run"}, aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.exit_code == 0);
        CHECK(r.out == "PATCH " + sandbox.url() +
                           "/api/v3/core/tokens/alice-app/\n{\n  \"intent\": \"app_password\",\n  \"user\": 2,\n"
                           "  \"description\": \"x\"\n}\n"
                           "FIELD        NOW                   AFTER                 NOTE\n"
                           "intent       app_password          app_password\n"
                           "user         alice (2)             alice (2)\n"
                           "description  Alice mail client     x\n"
                           "expires      2027-03-01T00:00:00Z  2027-03-01T00:00:00Z\n"
                           "expiring     true                  true\n");
        CHECK(r.err ==
              "aktoken: note: dry run: nothing was changed; only a GET read the token's current intent and user\n");
        auto requests = sandbox.requests();
        REQUIRE(requests.size() == 1);
        CHECK(requests[0].method == "GET");

        sandbox.clear_requests();
        r = aktoken({"update", "alice-app", "--no-expiring", "--dry-run", "--no-preserve", "-o", "json"},
                    aktoken_env(sandbox, "", home));
        CHECK(r.exit_code == 0);
        CHECK(r.out ==
              "{\n  \"method\": \"PATCH\",\n  \"url\": \"" + sandbox.url() +
                  "/api/v3/core/tokens/alice-app/\",\n  \"body\": {\n    \"expiring\": false\n  },\n"
                  "  \"plan\": [\n"
                  "    {\n      \"field\": \"intent\",\n      \"current\": null,\n      \"requested\": null,\n"
                  "      \"predicted\": \"api\",\n      \"reason\": \"not sent: authentik sets api\"\n    },\n"
                  "    {\n      \"field\": \"user\",\n      \"current\": null,\n      \"requested\": null,\n"
                  "      \"predicted\": \"the caller\",\n      \"reason\": \"not sent: authentik gives the "
                  "token to the caller\"\n    },\n"
                  "    {\n      \"field\": \"expires\",\n      \"current\": null,\n      \"requested\": null,\n"
                  "      \"predicted\": \"now + the server's default token duration\",\n      \"reason\": "
                  "\"authentik resets an api token's expiry on every write: now + the server's default token "
                  "duration\"\n    },\n"
                  "    {\n      \"field\": \"expiring\",\n      \"current\": null,\n      \"requested\": "
                  "false,\n      \"predicted\": false,\n      \"reason\": \"\"\n    }\n  ],\n"
                  "  \"warnings\": [\n"
                  "    \"authentik makes the token an api token: intent is not sent\",\n"
                  "    \"authentik gives the token to the caller: user is not sent\"\n  ]\n}\n");
        CHECK(r.err == "aktoken: note: dry run: nothing was sent\n");
        CHECK(sandbox.requests().empty());

        // Several tokens: one note for the run, only GETs sent.
        r = aktoken({"update", "alice-app", "bob-app", "--description", "x", "--dry-run", "-o", "json"},
                    aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.exit_code == 0);
        CHECK(r.err ==
              "aktoken: note: dry run: nothing was changed; only GETs read the tokens' current intent and user\n");
        requests = sandbox.requests();
        REQUIRE(requests.size() == 2);
        CHECK(requests[0].method == "GET");
        CHECK(requests[1].method == "GET");
    }

    TEST_CASE("update: a recovery token is refused before the PATCH") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        RunResult r =
            aktoken({"update", "alice-recovery", "--description", "x"}, aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.exit_code == 7);
        CHECK(
            r.err ==
            "aktoken: error: token \"alice-recovery\" has intent recovery, which authentik refuses in any write; only "
            "api and app_password tokens can be updated (--intent converts it)\n");
        CHECK(sandbox.requests().size() == 1);
    }

    TEST_CASE("update: the server's field errors are listed, exit 7") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        RunResult r = aktoken({"update", "alice-app", "--user", "3"}, aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.exit_code == 7);
        CHECK(r.out == "");
        CHECK(r.err == "aktoken: error: user: User cannot be changed\n");

        r = aktoken({"update", "alice-app", "--user", "9", "-o", "json"}, aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.exit_code == 7);
        CHECK(r.err ==
              R"({"error":{"exit_code":7,"kind":"rejected","status":400,"message":"the server rejected the request )"
              R"J((HTTP 400 Bad Request)","fields":{"user":["Invalid pk \"9\" - object does not exist."]}}})J"
              "\n");
    }

    TEST_CASE("update: 20 tokens or more are read with one listing instead of a GET each") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        const std::string ids = add_many(sandbox, home, 22);
        RunResult r = aktoken({"update", "--from-file", ids, "--description", "d", "--parallel", "4", "-o", "id"},
                              aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.exit_code == 6);
        CHECK(r.err == error_line("token \"no-such-token\" not found (HTTP 404 Not Found)"));
        std::string expected;
        for (int i = 0; i < 22; ++i) {
            expected += fmt::format("many-{:02}\n", i);
        }
        CHECK(r.out == expected + "alice-app\n");
        // 30 tokens are one page; only the token the listing lacks is read on its own.
        auto [reads, patches] = reads_and_patches(sandbox, R"({"intent":"app_password","user":2,"description":"d"})");
        CHECK(reads == std::vector<std::string>{"GET /api/v3/core/tokens/?page_size=100&page=1",
                                                "GET /api/v3/core/tokens/no-such-token/?"});
        CHECK(patches == 23);
    }

    TEST_CASE("update: a listing of more than a quarter as many pages as tokens is not followed") {
        // 8 + 22 tokens in pages of 4 make 8 pages, more than 24 tokens / 4: after the first page
        // (which holds alice-app) every other token is read with GET.
        Sandbox sandbox({"--now", "2026-11-29T12:00:00Z", "--max-page-size", "4"});
        TempDir home;
        const std::string ids = add_many(sandbox, home, 22);
        RunResult r = aktoken({"update", "--from-file", ids, "--description", "d", "--parallel", "1", "-o", "id"},
                              aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.exit_code == 6);
        CHECK(r.err == error_line("token \"no-such-token\" not found (HTTP 404 Not Found)"));
        auto [reads, patches] = reads_and_patches(sandbox, R"({"intent":"app_password","user":2,"description":"d"})");
        std::vector<std::string> expected{"GET /api/v3/core/tokens/?page_size=100&page=1"};
        for (int i = 0; i < 22; ++i) {
            expected.push_back(fmt::format("GET /api/v3/core/tokens/many-{:02}/?", i));
        }
        expected.emplace_back("GET /api/v3/core/tokens/no-such-token/?");
        CHECK(reads == expected);
        CHECK(patches == 23);
    }

    TEST_CASE("update: when the listing fails, each token is read with GET") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        const std::string ids = add_many(sandbox, home, 22);
        sandbox.fault("500", 1);
        RunResult r = aktoken({"update", "--from-file", ids, "--description", "d", "--parallel", "1", "-o", "id"},
                              aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.exit_code == 6);
        CHECK(r.err == error_line("token \"no-such-token\" not found (HTTP 404 Not Found)"));
        auto [reads, patches] = reads_and_patches(sandbox, R"({"intent":"app_password","user":2,"description":"d"})");
        REQUIRE(reads.size() == 25);
        CHECK(reads[0] == "GET /api/v3/core/tokens/?page_size=100&page=1");
        CHECK(reads[1] == "GET /api/v3/core/tokens/many-00/?");
        CHECK(patches == 23);
    }

    TEST_CASE(
        "update: several tokens get one note for the api expiries authentik moved, warnings and errors name their "
        "token") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        RunResult r = aktoken({"update", "bob-api", "alice-app", "admin-api", "--description", "d", "--expires",
                               "2027-06-01", "--allow-expiry-reset", "--parallel", "1", "-o", "id"},
                              aktoken_env(sandbox, kAdminKey, home));
        // alice-app is refused (an app password lives 90 days at most), the api tokens get now + 30m.
        CHECK(r.exit_code == 7);
        CHECK(r.out == "bob-api\nadmin-api\n");
        const std::string api_override =
            "expires: requested \"2027-06-01T00:00:00Z\", the server stored \"2026-11-29T12:30:00Z\" (authentik sets "
            "an "
            "api token's expiry to now + its default token duration)";
        // Each token's warnings and errors in its place, in input order.
        CHECK(r.err == "aktoken: warning: token \"bob-api\": " + api_override +
                           "\naktoken: note: token \"alice-app\": an app password may expire at most at now + its "
                           "owner's maximum lifetime (here 2027-02-27T12:00:00Z): the attribute "
                           "goauthentik.io/user/token-maximum-lifetime (format hours=720, on the user or one of their "
                           "groups), or without it the server's default token duration; ask for an earlier --expires "
                           "or raise the attribute"
                           "\naktoken: error: token \"alice-app\": expires: Token expires exceeds maximum lifetime "
                           "(2027-02-27 12:00:00+00:00 UTC).\n"
                           "aktoken: warning: token \"admin-api\": " +
                           api_override + "\n");

        r = aktoken({"update", "bob-api", "alice-api", "alice-app", "--description", "again", "--allow-expiry-reset",
                     "--parallel", "1", "-o", "id"},
                    aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.exit_code == 0);
        CHECK(r.out == "bob-api\nalice-api\nalice-app\n");
        // bob-api's expiry was already now + 30 minutes on the frozen clock; alice-api's moves.
        CHECK(r.err ==
              "aktoken: note: expires moved on 1 api token: authentik resets an api token's expiry on every "
              "write\n");
    }

    TEST_CASE("update: bad input is refused with exit 2 and nothing is sent") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        expect_refused(
            sandbox, home,
            {
                {{"update", "bad id", "--description", "x"},
                 "IDENTIFIER: invalid value \"bad id\": expected 1 to 255 letters, digits, '-' or '_' (authentik's "
                 "identifier slug)"},
                {{"update", std::string(256, 'a'), "--description", "x"},
                 "IDENTIFIER: invalid value \"" + std::string(256, 'a') +
                     "\": expected 1 to 255 letters, digits, '-' or '_' (authentik's identifier slug)"},
                {{"update", "alice-app", "--identifier", "new/name"},
                 "--identifier: invalid value \"new/name\": expected 1 to 255 letters, digits, '-' or '_' (authentik's "
                 "identifier slug)"},
                {{"update", "alice-app", "--intent", "recovery"},
                 "--intent: invalid value \"recovery\": authentik refuses the intents verification and recovery in "
                 "writes; "
                 "expected api or app_password"},
                {{"update", "alice-app", "--intent", "admin"},
                 "--intent: invalid value \"admin\": expected api or app_password"},
                {{"update", "alice-app", "--user", "0"},
                 "--user: invalid value \"0\": expected a user pk (a positive integer)"},
                {{"update", "alice-app", "--expires", "2027-02-30"},
                 "--expires: invalid value \"2027-02-30\": \"2027-02-30\" is not a calendar date"},
                {{"update", "alice-app", "--expires", "soon"},
                 "--expires: invalid value \"soon\": expected an RFC 3339 time (2027-01-31T12:00:00Z), a date "
                 "(2027-01-31), "
                 "a duration (+30d, 12h, 1d12h) or never"},
                {{"update", "alice-app", "--expiring", "--no-expiring"},
                 "--expiring and --no-expiring cannot be used together"},
                {{"update", "alice-app", "--managed", "x", "--no-managed"},
                 "--managed and --no-managed cannot be used together"},
                {{"update", "alice-app", "--managed", ""},
                 "--managed: invalid value \"\": expected a non-empty string (use --no-managed to clear it)"},
                {{"update", "alice-app"},
                 "nothing to update: give at least one of --description, --expires, --expiring, --no-expiring, "
                 "--intent, "
                 "--user, --identifier, --managed, --no-managed"},
                {{"update", "--description", "x"}, "IDENTIFIER is required"},
                {{"update", "alice-app", "--bogus"},
                 "unknown flag \"--bogus\" for update\nRun 'aktoken update --help'."},
                {{"update", "alice-app", "--description"}, "--description: 1 required TEXT missing"},
                {{"frobnicate"},
                 "unknown command \"frobnicate\" (commands: get, update, list, create, delete, view-key, set-key, "
                 "used-by, whoami, check, rotate, prune, completion, config)\nRun 'aktoken --help'."},
                {{},
                 "no command given (commands: get, update, list, create, delete, view-key, set-key, used-by, whoami, "
                 "check, rotate, prune, completion, config)\nRun 'aktoken --help'."},
                {{"get"}, "IDENTIFIER is required"},
                {{"get", "ok", "not ok"},
                 "IDENTIFIER: invalid value \"not ok\": expected 1 to 255 letters, digits, '-' or '_' (authentik's "
                 "identifier slug)"},
                {{"get", "alice-app", "-o", "yaml"},
                 "--output: invalid output format \"yaml\": expected table, wide, json, jsonl, tsv, id"},
                {{"get", "alice-app", "--timeout", "-1"},
                 "--timeout: invalid value \"-1\": expected a positive number of seconds"},
            });
    }

}  // TEST_SUITE
