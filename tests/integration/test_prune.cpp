// SPDX-License-Identifier: MIT
// aktoken prune: the retired generations rotate --overlap leaves, deleted once their overlap
// has ended, against a sandbox and an aktoken whose clocks are frozen at the same instant.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <string>
#include <vector>

#include "integration/harness.h"

using namespace harness;

namespace {

const std::vector<std::string> kFrozen = {"--now", "2026-11-29T12:00:00Z"};
constexpr long long kNow = 1795953600;  // 2026-11-29T12:00:00Z

// bob's token ci with three retired generations (its overlap ended a day ago, ends right now,
// ends in a day), a successor of db (no retired generation: left alone), a retired app password
// of db whose overlap ended, one of xci (whose name holds "ci--retired-until-") and a token whose
// description names a generation (found by the search, not one by its name).
const std::string kGenerations = R"([
 {"identifier":"ci","intent":"api","user":3,"description":"CI","expires":null,"expiring":false},
 {"identifier":"ci--retired-until-20261128T1200Z","intent":"api","user":3,"description":"CI","expires":null,"expiring":false},
 {"identifier":"ci--retired-until-20261129T1200Z","intent":"api","user":3,"description":"CI","expires":null,"expiring":false},
 {"identifier":"ci--retired-until-20261130T1200Z","intent":"api","user":3,"description":"CI","expires":null,"expiring":false},
 {"identifier":"db--next-20261129T115900Z","intent":"api","user":3,"description":"DB","expires":null,"expiring":false},
 {"identifier":"db--retired-until-20261101T0000Z","intent":"app_password","user":3,"description":"DB","expires":null,"expiring":false},
 {"identifier":"xci--retired-until-20261101T0000Z","intent":"api","user":3,"description":"X","expires":null,"expiring":false},
 {"identifier":"notes","intent":"api","user":3,"description":"was ci--retired-until-20261101T0000Z","expires":null,"expiring":false}
])";

Env frozen_env(const Sandbox& sandbox, const std::string& key, const TempDir& home) {
    return frozen_clock(aktoken_env(sandbox, key, home), kNow);
}

bool exists(const Sandbox& sandbox, const std::string& identifier) { return sandbox.key_of(identifier).has_value(); }

const std::string kList = "GET /api/v3/core/tokens/?search=--retired-until-&page_size=100&page=1";
const std::string kTokens = "/api/v3/core/tokens/";

}  // namespace

TEST_SUITE("integration") {
    TEST_CASE("prune: every retired generation whose overlap has ended is deleted, the others kept") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        add_tokens(sandbox, kGenerations);
        sandbox.clear_requests();
        RunResult r = aktoken({"prune", "--parallel", "1"}, frozen_env(sandbox, kAdminKey, home));
        CHECK(r.err == "");
        CHECK(r.exit_code == 0);
        CHECK(r.out ==
              "IDENTIFIER                         OF   UNTIL                 RESULT   REASON\n"
              "ci--retired-until-20261128T1200Z   ci   2026-11-28T12:00:00Z  deleted  overlap ended 1d ago\n"
              "ci--retired-until-20261129T1200Z   ci   2026-11-29T12:00:00Z  deleted  overlap ended now\n"
              "ci--retired-until-20261130T1200Z   ci   2026-11-30T12:00:00Z  kept     overlap ends in 1d\n"
              "db--retired-until-20261101T0000Z   db   2026-11-01T00:00:00Z  deleted  overlap ended 28d 12h ago\n"
              "xci--retired-until-20261101T0000Z  xci  2026-11-01T00:00:00Z  deleted  overlap ended 28d 12h ago\n");
        CHECK(request_lines(sandbox) ==
              std::vector<std::string>{kList, "DELETE " + kTokens + "ci--retired-until-20261128T1200Z/",
                                       "DELETE " + kTokens + "ci--retired-until-20261129T1200Z/",
                                       "DELETE " + kTokens + "db--retired-until-20261101T0000Z/",
                                       "DELETE " + kTokens + "xci--retired-until-20261101T0000Z/"});
        for (const char* left : {"ci", "ci--retired-until-20261130T1200Z", "db--next-20261129T115900Z", "notes"}) {
            CAPTURE(left);
            CHECK(exists(sandbox, left));
        }
        CHECK_FALSE(exists(sandbox, "ci--retired-until-20261128T1200Z"));

        // Run again from cron with --quiet: nothing more to delete, nothing printed.
        sandbox.clear_requests();
        r = aktoken({"-q", "prune"}, frozen_env(sandbox, kAdminKey, home));
        CHECK(r.err == "");
        CHECK(r.exit_code == 0);
        CHECK(r.out == "");
        CHECK(request_lines(sandbox) == std::vector<std::string>{kList});
    }

    TEST_CASE("prune: with IDENTIFIERs only their generations, one listing each; --quiet keeps the deleted rows") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        add_tokens(sandbox, kGenerations);
        sandbox.clear_requests();
        RunResult r =
            aktoken({"-q", "prune", "ci", "db", "--parallel", "1", "-o", "tsv"}, frozen_env(sandbox, kAdminKey, home));
        CHECK(r.err == "");
        CHECK(r.exit_code == 0);
        CHECK(r.out ==
              "identifier\tof\tuntil\tresult\treason\n"
              "ci--retired-until-20261128T1200Z\tci\t2026-11-28T12:00:00Z\tdeleted\toverlap ended 1d ago\n"
              "ci--retired-until-20261129T1200Z\tci\t2026-11-29T12:00:00Z\tdeleted\toverlap ended now\n"
              "db--retired-until-20261101T0000Z\tdb\t2026-11-01T00:00:00Z\tdeleted\toverlap ended 28d 12h ago\n");
        CHECK(request_lines(sandbox) == std::vector<std::string>{
                                            "GET " + kTokens + "?search=ci--retired-until-&page_size=100&page=1",
                                            "GET " + kTokens + "?search=db--retired-until-&page_size=100&page=1",
                                            "DELETE " + kTokens + "ci--retired-until-20261128T1200Z/",
                                            "DELETE " + kTokens + "ci--retired-until-20261129T1200Z/",
                                            "DELETE " + kTokens + "db--retired-until-20261101T0000Z/",
                                        });
        CHECK(exists(sandbox, "xci--retired-until-20261101T0000Z"));

        // --from-file as the other bulk commands; an empty one prunes nothing, never everything.
        sandbox.clear_requests();
        r = aktoken({"prune", "--from-file", home.write("none", "# nothing tonight\n")},
                    frozen_env(sandbox, kAdminKey, home));
        CHECK(r.exit_code == 0);
        CHECK(r.out == "");
        CHECK(r.err == "aktoken: note: nothing to do: --from-file " + home.path() + "/none holds no identifier\n");
        CHECK(sandbox.requests().empty());
    }

    TEST_CASE("prune: --dry-run shows what would go and sends no DELETE; -o json, jsonl and id") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        add_tokens(sandbox, kGenerations);
        sandbox.clear_requests();
        const Env env = frozen_env(sandbox, kAdminKey, home);
        RunResult r = aktoken({"prune", "ci", "--dry-run", "-o", "json"}, env);
        CHECK(r.err == "");
        CHECK(r.exit_code == 0);
        CHECK(r.out ==
              "[\n"
              "  {\n"
              "    \"identifier\": \"ci--retired-until-20261128T1200Z\",\n"
              "    \"of\": \"ci\",\n"
              "    \"until\": \"2026-11-28T12:00:00Z\",\n"
              "    \"result\": \"would delete\",\n"
              "    \"reason\": \"overlap ended 1d ago\"\n"
              "  },\n"
              "  {\n"
              "    \"identifier\": \"ci--retired-until-20261129T1200Z\",\n"
              "    \"of\": \"ci\",\n"
              "    \"until\": \"2026-11-29T12:00:00Z\",\n"
              "    \"result\": \"would delete\",\n"
              "    \"reason\": \"overlap ended now\"\n"
              "  },\n"
              "  {\n"
              "    \"identifier\": \"ci--retired-until-20261130T1200Z\",\n"
              "    \"of\": \"ci\",\n"
              "    \"until\": \"2026-11-30T12:00:00Z\",\n"
              "    \"result\": \"kept\",\n"
              "    \"reason\": \"overlap ends in 1d\"\n"
              "  }\n"
              "]\n");
        r = aktoken({"prune", "ci", "--dry-run", "-o", "jsonl"}, env);
        CHECK(r.out == R"({"identifier":"ci--retired-until-20261128T1200Z","of":"ci","until":"2026-11-28T12:00:00Z",)"
                       R"("result":"would delete","reason":"overlap ended 1d ago"})"
                       "\n"
                       R"({"identifier":"ci--retired-until-20261129T1200Z","of":"ci","until":"2026-11-29T12:00:00Z",)"
                       R"("result":"would delete","reason":"overlap ended now"})"
                       "\n"
                       R"({"identifier":"ci--retired-until-20261130T1200Z","of":"ci","until":"2026-11-30T12:00:00Z",)"
                       R"("result":"kept","reason":"overlap ends in 1d"})"
                       "\n");
        r = aktoken({"prune", "ci", "--dry-run", "-o", "id"}, env);
        CHECK(r.out ==
              "ci--retired-until-20261128T1200Z\nci--retired-until-20261129T1200Z\nci--retired-until-20261130T1200Z\n");
        const std::string list = "GET " + kTokens + "?search=ci--retired-until-&page_size=100&page=1";
        CHECK(request_lines(sandbox) == std::vector<std::string>{list, list, list});
        CHECK(exists(sandbox, "ci--retired-until-20261128T1200Z"));
    }

    TEST_CASE("prune: a generation already gone when deleted (404) counts as deleted") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        const SkippedSleeps sleeps(home);
        add_tokens(sandbox, kGenerations);
        sandbox.clear_requests();
        // The listing passes; the DELETE is applied and its answer lost, so the DELETE sent again (by
        // libcurl on a new connection, or by aktoken's retry, whose wait is skipped) finds it gone.
        sandbox.fault("delay", 1, 0);
        sandbox.fault("apply-then-drop", 1);
        // Both preloads: the frozen clock and the skipped backoff before the retry.
        Env env = sleeps.apply(frozen_env(sandbox, kAdminKey, home));
        env.insert_or_assign("LD_PRELOAD",
                             std::string(AKTOKEN_FAKE_CLOCK_LIBRARY) + ":" + std::string(AKTOKEN_SKIP_SLEEPS_LIBRARY));
        RunResult r = aktoken({"-q", "prune", "db"}, env);
        CHECK(r.err == "");
        CHECK(r.exit_code == 0);
        CHECK(r.out ==
              "IDENTIFIER                        OF  UNTIL                 RESULT   REASON\n"
              "db--retired-until-20261101T0000Z  db  2026-11-01T00:00:00Z  deleted  overlap ended 28d 12h ago; already "
              "gone\n");
        CHECK(request_lines(sandbox) ==
              std::vector<std::string>{"GET " + kTokens + "?search=db--retired-until-&page_size=100&page=1 (delay)",
                                       "DELETE " + kTokens + "db--retired-until-20261101T0000Z/ (apply-then-drop)",
                                       "DELETE " + kTokens + "db--retired-until-20261101T0000Z/"});
    }

    TEST_CASE("prune: a refused DELETE is reported in its place, the others go on, exit 5") {
        TempDir home;
        const std::string seed = home.write("seed.json", R"json({
 "users": [
  {"pk": 1, "username": "akadmin", "is_superuser": true},
  {"pk": 3, "username": "bob"},
  {"pk": 4, "username": "carol", "permissions": ["authentik_core.view_token"]}
 ],
 "tokens": [
  {"identifier": "carol-api", "user": 4, "expiring": false, "key": "carol-key"},
  {"identifier": "bob-ci--retired-until-20261128T1200Z", "user": 3, "expiring": false},
  {"identifier": "carol-ci--retired-until-20261128T1200Z", "user": 4, "expiring": false}
 ]
})json");
        Sandbox sandbox({"--now", "2026-11-29T12:00:00Z", "--seed", seed});
        // carol sees every token (the global view_token) but may delete only her own.
        RunResult r = aktoken({"prune", "--parallel", "1"}, frozen_env(sandbox, "carol-key", home));
        CHECK(r.err == error_line("token \"bob-ci--retired-until-20261128T1200Z\": permission denied: You do not have "
                                  "permission to perform this action. (HTTP 403 Forbidden)"));
        CHECK(r.exit_code == 5);
        CHECK(
            r.out ==
            "IDENTIFIER                              OF        UNTIL                 RESULT   REASON\n"
            "bob-ci--retired-until-20261128T1200Z    bob-ci    2026-11-28T12:00:00Z  failed   permission denied: You "
            "do not have permission to perform this action. (HTTP 403 Forbidden)\n"
            "carol-ci--retired-until-20261128T1200Z  carol-ci  2026-11-28T12:00:00Z  deleted  overlap ended 1d ago\n");
        CHECK(request_lines(sandbox) ==
              std::vector<std::string>{kList, "DELETE " + kTokens + "bob-ci--retired-until-20261128T1200Z/",
                                       "DELETE " + kTokens + "carol-ci--retired-until-20261128T1200Z/"});
        CHECK(exists(sandbox, "bob-ci--retired-until-20261128T1200Z"));
        CHECK_FALSE(exists(sandbox, "carol-ci--retired-until-20261128T1200Z"));
    }

    TEST_CASE("prune: bad input is refused before anything is sent") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        expect_refused(sandbox, home,
                       {
                           {{"prune", "ci ci"},
                            "IDENTIFIER: invalid value \"ci ci\": expected 1 to 255 letters, digits, '-' or '_' "
                            "(authentik's identifier slug)"},
                           {{"prune", "ci", "ci"}, "IDENTIFIER: \"ci\" is given twice"},
                           {{"prune", "ci--retired-until-20261128T1200Z"},
                            "IDENTIFIER: \"ci--retired-until-20261128T1200Z\" is a retired generation of \"ci\": name "
                            "the token, \"ci\""},
                           {{"prune", "--parallel", "0"},
                            "--parallel: invalid value \"0\": expected a number of workers from 1 to 16"},
                       });
    }
}
