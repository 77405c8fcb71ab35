// SPDX-License-Identifier: MIT
// The plan update shows before it writes, and the writes aktoken refuses because of what
// authentik would do with them (issue 14; authentik-api.md, "What the server does with a write").
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <fstream>
#include <sstream>

#include "integration/harness.h"

using namespace harness;

namespace {

// The sandbox's clock and aktoken's stand still at the same instant, so that aktoken's
// prediction of now + the default token duration can be compared with what the sandbox stores.
const std::vector<std::string> kFrozen = {"--now", "2026-11-29T12:00:00Z", "--default-token-duration", "30m"};
constexpr long long kFrozenEpoch = 1795953600;  // 2026-11-29T12:00:00Z

Env env_for(const Sandbox& sandbox, const std::string& key, const TempDir& home) {
    return frozen_clock(aktoken_env(sandbox, key, home), kFrozenEpoch);
}

// The requests as "METHOD PATH BODY".
std::vector<std::string> sent(const Sandbox& sandbox) {
    std::vector<std::string> lines;
    for (const Recorded& request : sandbox.requests()) {
        lines.push_back(request.method + " " + request.path + (request.body.empty() ? "" : " " + request.body));
    }
    return lines;
}

// aktoken run as the seed's superuser, on the sandbox's frozen clock.
RunResult as_admin(const Sandbox& sandbox, const TempDir& home, const std::vector<std::string>& args) {
    return aktoken(args, env_for(sandbox, kAdminKey, home));
}

// Checks that aktoken refused the write: exit 2, nothing on stdout, exactly `err` on stderr, and
// exactly `requests` sent: the reads that the refusal rests on, no write.
void check_refused(const Sandbox& sandbox, const RunResult& r, const std::string& err,
                   const std::vector<std::string>& requests) {
    check_failed(r, 2, err);
    CHECK(sent(sandbox) == requests);
}

const std::string kExpiryResetRefusal =
    "token \"alice-api\" is an expiring api token valid until 2030-06-01T00:00:00Z: authentik resets an api "
    "token's expiry on every write, to now + 30m, and housekeeping then gives it a new random key, locking out "
    "whoever holds the old one; add --no-expiring to keep the token from expiring, or --allow-expiry-reset to "
    "accept the new expiry";

// What a write that moves an api token's expiry notes, when it is allowed to.
const std::string kExpiryMovedNote =
    "aktoken: note: expires moved from 2030-06-01T00:00:00Z to 2026-11-29T12:30:00Z: authentik resets an api "
    "token's expiry on every write\n";

}  // namespace

TEST_SUITE("integration") {
    TEST_CASE("update guard: an expiring api token's future expiry is not reset behind the user's back") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        RunResult r = as_admin(sandbox, home, {"update", "alice-api", "--description", "x"});
        check_refused(sandbox, r, error_line(kExpiryResetRefusal),
                      {"GET /api/v3/core/tokens/alice-api/", "GET /api/v3/admin/settings/"});

        // The first way forward: the token stops expiring.
        sandbox.clear_requests();
        r = as_admin(sandbox, home, {"update", "alice-api", "--description", "x", "--no-expiring", "-o", "id"});
        CHECK(r.exit_code == 0);
        CHECK(r.out == "alice-api\n");
        CHECK(r.err == kExpiryMovedNote);
        CHECK(sent(sandbox) == std::vector<std::string>{
                                   "GET /api/v3/core/tokens/alice-api/",
                                   R"(PATCH /api/v3/core/tokens/alice-api/ {"intent":"api","user":2,"description":"x",)"
                                   R"("expiring":false})"});
    }

    TEST_CASE("update guard: --allow-expiry-reset accepts the new expiry") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        RunResult r =
            as_admin(sandbox, home, {"update", "alice-api", "--description", "x", "--allow-expiry-reset", "-o", "id"});
        CHECK(r.exit_code == 0);
        CHECK(r.out == "alice-api\n");
        CHECK(r.err == kExpiryMovedNote);
        CHECK(sent(sandbox) ==
              std::vector<std::string>{
                  "GET /api/v3/core/tokens/alice-api/",
                  R"(PATCH /api/v3/core/tokens/alice-api/ {"intent":"api","user":2,"description":"x"})"});
    }

    TEST_CASE("update guard: a caller who may not read the settings is refused too, with the duration named") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        RunResult r = aktoken({"update", "alice-api", "--description", "x"}, env_for(sandbox, kAliceKey, home));
        check_refused(sandbox, r,
                      error_line("token \"alice-api\" is an expiring api token valid until 2030-06-01T00:00:00Z: "
                                 "authentik resets an api token's expiry on every write, to now + the server's "
                                 "default token duration, and housekeeping then gives it a new random key, locking "
                                 "out whoever holds the old one; add --no-expiring to keep the token from expiring, "
                                 "or --allow-expiry-reset to accept the new expiry"),
                      {"GET /api/v3/core/tokens/alice-api/", "GET /api/v3/admin/settings/"});
    }

    TEST_CASE("update guard: an expiry that the write lengthens is no reason to refuse") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        add_tokens(sandbox, R"([{"identifier":"short-api","intent":"api","user":2,"expires":"2026-11-29T12:10:00Z",)"
                            R"("expiring":true}])");
        RunResult r = as_admin(sandbox, home, {"update", "short-api", "--description", "x", "-o", "id"});
        CHECK(r.exit_code == 0);
        CHECK(r.out == "short-api\n");
        CHECK(sent(sandbox) ==
              std::vector<std::string>{
                  "GET /api/v3/core/tokens/short-api/", "GET /api/v3/admin/settings/",
                  R"(PATCH /api/v3/core/tokens/short-api/ {"intent":"api","user":2,"description":"x"})"});
    }

    TEST_CASE("update guard: --expires on an api token is refused, authentik would ignore it") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        RunResult r = as_admin(sandbox, home, {"update", "bob-api", "--expires", "2027-06-01"});
        check_refused(sandbox, r,
                      error_line("token \"bob-api\" is an api token: authentik ignores --expires for api tokens and "
                                 "sets now + the server's default token duration instead; leave out --expires "
                                 "(--no-expiring keeps the token from expiring), or give --allow-expiry-reset to "
                                 "write anyway"),
                      {"GET /api/v3/core/tokens/bob-api/"});

        // An app password that --intent makes an api token.
        sandbox.clear_requests();
        r = as_admin(sandbox, home, {"update", "alice-app", "--intent", "api", "--expires", "2027-01-01"});
        check_refused(sandbox, r,
                      error_line("token \"alice-app\" becomes an api token: authentik ignores --expires for api "
                                 "tokens and sets now + 30m instead; leave out --expires (--no-expiring keeps the "
                                 "token from expiring), or give --allow-expiry-reset to write anyway"),
                      {"GET /api/v3/core/tokens/alice-app/", "GET /api/v3/admin/settings/"});

        // Without the GET, a token without --intent becomes an api token: refused before anything is sent.
        sandbox.clear_requests();
        r = as_admin(sandbox, home, {"update", "alice-app", "--expires", "2027-01-01", "--no-preserve"});
        check_refused(sandbox, r,
                      error_line("token \"alice-app\" becomes an api token: authentik ignores --expires for api "
                                 "tokens and sets now + the server's default token duration instead; leave out "
                                 "--expires (--no-expiring keeps the token from expiring), or give "
                                 "--allow-expiry-reset to write anyway"),
                      {});
    }

    TEST_CASE("update guard: --expires never on a token that stays expiring is refused; never is --no-expiring") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        RunResult r = as_admin(sandbox, home, {"update", "alice-app", "--expires", "never"});
        check_refused(sandbox, r,
                      error_line("token \"alice-app\": --expires never sends expires null, which authentik does not "
                                 "read as never: the token stays expiring, so authentik dates it now + the server's "
                                 "default token duration and housekeeping then deletes it; a token that never "
                                 "expires is --no-expiring"),
                      {"GET /api/v3/core/tokens/alice-app/"});

        // --allow-expiry-reset is no way past it.
        sandbox.clear_requests();
        r = as_admin(sandbox, home, {"update", "alice-app", "--expires", "never", "--allow-expiry-reset"});
        CHECK(r.exit_code == 2);
        CHECK(sent(sandbox) == std::vector<std::string>{"GET /api/v3/core/tokens/alice-app/"});
    }

    TEST_CASE("update guard: a bulk update plans every token and sends nothing when one is refused") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        RunResult r = as_admin(
            sandbox, home, {"update", "alice-app", "alice-api", "bob-app", "--description", "x", "--parallel", "1"});
        check_refused(
            sandbox, r,
            error_line(kExpiryResetRefusal) + "aktoken: note: nothing was changed: 1 of 3 tokens would be refused\n",
            {"GET /api/v3/core/tokens/alice-app/", "GET /api/v3/core/tokens/alice-api/", "GET /api/v3/admin/settings/",
             "GET /api/v3/core/tokens/bob-app/"});
    }

    TEST_CASE("update plan: --dry-run shows what authentik will store, field by field") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        RunResult r =
            as_admin(sandbox, home, {"update", "alice-api", "--description", "x", "--allow-expiry-reset", "--dry-run"});
        CHECK(r.exit_code == 0);
        CHECK(r.out == "PATCH " + sandbox.url() +
                           "/api/v3/core/tokens/alice-api/\n"
                           "{\n  \"intent\": \"api\",\n  \"user\": 2,\n  \"description\": \"x\"\n}\n"
                           "FIELD        NOW                   AFTER                 NOTE\n"
                           "intent       api                   api\n"
                           "user         alice (2)             alice (2)\n"
                           "description  Alice CI              x\n"
                           "expires      2030-06-01T00:00:00Z  2026-11-29T12:30:00Z  authentik resets an api token's "
                           "expiry on every write: now + 30m\n"
                           "expiring     true                  true\n"
                           "warning: expires 2030-06-01T00:00:00Z -> 2026-11-29T12:30:00Z: authentik shortens the "
                           "token's life\n"
                           "warning: the token expires at 2026-11-29T12:30:00Z; housekeeping then gives it a new "
                           "random key, locking out whoever holds the old one\n");
        CHECK(r.err ==
              "aktoken: note: dry run: nothing was changed; only a GET read the token's current intent and user\n");
        CHECK(sent(sandbox) ==
              std::vector<std::string>{"GET /api/v3/core/tokens/alice-api/", "GET /api/v3/admin/settings/"});

        // The prediction is what the write then stores.
        r = as_admin(sandbox, home,
                     {"update", "alice-api", "--description", "x", "--allow-expiry-reset", "-o", "json"});
        CHECK(r.exit_code == 0);
        CHECK(r.out.find("\"expires\": \"2026-11-29T12:30:00Z\"") != std::string::npos);
    }

    TEST_CASE("update plan: --dry-run -o json, and --no-preserve's defaults in the plan") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        RunResult r = as_admin(
            sandbox, home, {"update", "alice-app", "--description", "x", "--no-preserve", "--dry-run", "-o", "json"});
        CHECK(r.exit_code == 0);
        CHECK(r.out ==
              "{\n  \"method\": \"PATCH\",\n  \"url\": \"" + sandbox.url() +
                  "/api/v3/core/tokens/alice-app/\",\n  \"body\": {\n    \"description\": \"x\"\n  },\n"
                  "  \"plan\": [\n"
                  "    {\n      \"field\": \"intent\",\n      \"current\": null,\n      \"requested\": null,\n"
                  "      \"predicted\": \"api\",\n      \"reason\": \"not sent: authentik sets api\"\n    },\n"
                  "    {\n      \"field\": \"user\",\n      \"current\": null,\n      \"requested\": null,\n"
                  "      \"predicted\": \"the caller\",\n      \"reason\": \"not sent: authentik gives the "
                  "token to the caller\"\n    },\n"
                  "    {\n      \"field\": \"description\",\n      \"current\": null,\n      \"requested\": "
                  "\"x\",\n      \"predicted\": \"x\",\n      \"reason\": \"\"\n    },\n"
                  "    {\n      \"field\": \"expires\",\n      \"current\": null,\n      \"requested\": null,\n"
                  "      \"predicted\": \"now + the server's default token duration\",\n      \"reason\": "
                  "\"authentik resets an api token's expiry on every write: now + the server's default token "
                  "duration\"\n    },\n"
                  "    {\n      \"field\": \"expiring\",\n      \"current\": null,\n      \"requested\": null,\n"
                  "      \"predicted\": \"as stored\",\n      \"reason\": \"\"\n    }\n  ],\n"
                  "  \"warnings\": [\n"
                  "    \"authentik makes the token an api token: intent is not sent\",\n"
                  "    \"authentik gives the token to the caller: user is not sent\",\n"
                  "    \"the token expires at now + the server's default token duration; housekeeping then "
                  "gives it a new random key, locking out whoever holds the old one\"\n  ]\n}\n");
        CHECK(r.err == "aktoken: note: dry run: nothing was sent\n");
        // --no-preserve sends nothing in a dry run, not even the read of the settings.
        CHECK(sandbox.requests().empty());
    }

    TEST_CASE("update: an app password's expiry past its owner's maximum lifetime gets a hint") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        RunResult r = as_admin(sandbox, home, {"update", "bob-app", "--expires", "+30d"});
        CHECK(r.exit_code == 7);
        CHECK(r.out == "");
        CHECK(r.err ==
              "aktoken: note: an app password may expire at most at now + its owner's maximum lifetime "
              "(here 2026-11-29T12:30:00Z): the attribute goauthentik.io/user/token-maximum-lifetime (format "
              "hours=720, on the user or one of their groups), or without it the server's default token "
              "duration; ask for an earlier --expires or raise the attribute\n"
              "aktoken: error: expires: Token expires exceeds maximum lifetime (2026-11-29 12:30:00+00:00 "
              "UTC).\n");
        CHECK(sent(sandbox) ==
              std::vector<std::string>{"GET /api/v3/core/tokens/bob-app/",
                                       R"(PATCH /api/v3/core/tokens/bob-app/ {"intent":"app_password","user":3,)"
                                       R"("expires":"2026-12-29T12:00:00Z"})"});
    }

    // Not "create...": the run against authentik 2024.4 leaves it out, which answers 500 to an app
    // password created with expires null (the second way forward).
    TEST_CASE("guards of create: --expires for an api token, --expires never without --no-expiring") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        expect_refused(sandbox, home,
                       {
                           {{"create", "new-api", "--expires", "+1d"},
                            "token \"new-api\" would be an api token: authentik ignores --expires for api tokens and "
                            "sets now + the server's default token duration instead; leave out --expires "
                            "(--no-expiring keeps the token from expiring), or give --allow-expiry-reset to write "
                            "anyway"},
                           {{"create", "new-app", "--intent", "app_password", "--expires", "never"},
                            "token \"new-app\": --expires never sends expires null, which authentik does not read as "
                            "never: the token stays expiring, so authentik dates it now + the server's default token "
                            "duration and housekeeping then deletes it; a token that never expires is --no-expiring"},
                       });
        // The ways forward.
        RunResult r =
            as_admin(sandbox, home, {"create", "new-api", "--expires", "+1d", "--allow-expiry-reset", "-o", "id"});
        CHECK(r.exit_code == 0);
        r = as_admin(
            sandbox, home,
            {"create", "new-app", "--intent", "app_password", "--expires", "never", "--no-expiring", "-o", "id"});
        CHECK(r.exit_code == 0);
        CHECK(r.err == "");
        CHECK(
            sent(sandbox) ==
            std::vector<std::string>{
                R"(POST /api/v3/core/tokens/ {"identifier":"new-api","intent":"api","expires":"2026-11-30T12:00:00Z"})",
                R"(POST /api/v3/core/tokens/ {"identifier":"new-app","intent":"app_password","expires":null,)"
                R"("expiring":false})"});
    }
}  // TEST_SUITE
