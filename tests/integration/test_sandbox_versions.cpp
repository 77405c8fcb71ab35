// SPDX-License-Identifier: MIT
// aktoken-sandbox against the rules of each authentik release it plays (--authentik-version),
// its housekeeping on its own clock, and the ordering rules every release shares. Checked by
// HTTP, status and body, so that a rule the sandbox gets wrong cannot hide behind aktoken.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <set>
#include <string>
#include <vector>

#include "integration/harness.h"
#include "rapidjson/document.h"

using namespace harness;

namespace {

const std::string kNow = "2026-11-29T12:00:00Z";

// akadmin (superuser), alice and bob (plain users), carol (global view_token and
// view_token_key), dave (inactive). old-api and old-app expired an hour ago and were not yet
// cleaned up.
const std::string kSeed = R"json({
 "users": [
  {"pk": 1, "username": "akadmin", "is_superuser": true},
  {"pk": 2, "username": "alice"},
  {"pk": 3, "username": "bob"},
  {"pk": 4, "username": "carol", "permissions": ["authentik_core.view_token", "authentik_core.view_token_key"]},
  {"pk": 5, "username": "dave", "is_active": false}
 ],
 "tokens": [
  {"identifier": "admin-api", "user": 1, "expiring": false, "key": "admin-key"},
  {"identifier": "alice-api", "user": 2, "expiring": false, "key": "alice-key"},
  {"identifier": "alice-app", "intent": "app_password", "user": 2, "expires": "2026-12-01T00:00:00Z",
   "key": "alice-app-key"},
  {"identifier": "bob-api", "user": 3, "expiring": false, "key": "bob-key"},
  {"identifier": "carol-api", "user": 4, "expiring": false, "key": "carol-key"},
  {"identifier": "dave-api", "user": 5, "expiring": false, "key": "dave-key"},
  {"identifier": "old-api", "user": 3, "expires": "2026-11-29T11:00:00Z", "key": "old-key"},
  {"identifier": "old-app", "intent": "app_password", "user": 3, "expires": "2026-11-29T11:00:00Z"}
 ]
})json";
constexpr int kSeedTokens = 8;
constexpr int kExtraTokens = 120;

const std::string kAdmin = "Bearer admin-key";
const std::string kAlice = "Bearer alice-key";
const std::string kCarol = "Bearer carol-key";

const std::string kServerError =
    "\n<!doctype html>\n<html lang=\"en\">\n<head>\n  <title>Server Error (500)</title>\n</head>\n<body>\n  "
    "<h1>Server Error (500)</h1><p></p>\n</body>\n</html>\n";

std::string detail(const std::string& text) { return R"({"detail":")" + text + "\"}"; }

rapidjson::Document parse(const std::string& text) {
    rapidjson::Document doc;
    doc.Parse(text.c_str());
    REQUIRE_FALSE(doc.HasParseError());
    return doc;
}

std::int64_t pagination_value(const HttpAnswer& answer, const char* name) {
    REQUIRE(answer.status == 200);
    const auto doc = parse(answer.body);
    return doc["pagination"][name].GetInt64();
}

bool token_exists(const Sandbox& sandbox, const std::string& identifier) {
    const auto doc = parse(sandbox.control_get("tokens"));
    for (const auto& token : doc.GetArray()) {
        if (token["identifier"].GetString() == identifier) {
            return true;
        }
    }
    return false;
}

std::string expires_of(const Sandbox& sandbox, const std::string& identifier) {
    const auto doc = parse(sandbox.control_get("tokens"));
    for (const auto& token : doc.GetArray()) {
        if (token["identifier"].GetString() == identifier) {
            return token["expires"].IsNull() ? "null" : token["expires"].GetString();
        }
    }
    return "absent";
}

// Mirrors "Versions a client meets" in authentik-api.md: one row per release the sandbox plays,
// one column per rule in which they differ.
struct VersionRow {
    const char* version;
    const char* release;          // GET /admin/version/ version_current
    const char* not_found;        // 404 detail
    bool autocomplete;            // "autocomplete": {} in list bodies (2025.8+)
    int default_page_size;        // without page_size
    int page_size_1000;           // asked for 1000 (capped at 100 from 2025.12)
    bool settings_pagination;     // the tenant's page settings in /admin/settings/
    const char* set_key_blank;    // 400 body of set_key {"key": ""}
    const char* basic_scheme;     // 403 detail for "Basic x"
    bool null_app_password_500;   // app_password write with expires null (2024.4-2025.12.2)
    int others_view_key;          // view_key/set_key of someone else's token
    bool global_view_token;       // global view_token lists and global view_token_key reads all
    bool expired_auth_deletes;    // authenticating with an expired api token deletes it
    bool expired_identifier_500;  // creating over an expired, uncleaned identifier
};

const std::string kBlankKey = R"({"key":["This field may not be blank."]})";

const VersionRow kVersionRows[] = {
    {"2024.4", "2024.4.4", "Not found.", false, 100, 1000, false, "", "Unsupported authentication type", true, 404,
     false, true, false},
    {"2025.10", "2025.10.4", "No Token matches the given query.", true, 100, 1000, false, "",
     "Unsupported authentication type", true, 404, false, true, false},
    {"2025.12", "2025.12.4", "No Token matches the given query.", true, 20, 100, true, kBlankKey.c_str(),
     "Authentication credentials were not provided.", false, 404, false, true, false},
    {"2026.2", "2026.2.2", "No Token matches the given query.", true, 20, 100, true, kBlankKey.c_str(),
     "Authentication credentials were not provided.", false, 403, true, true, false},
    {"2026.5", "2026.5.6", "No Token matches the given query.", true, 20, 100, true, kBlankKey.c_str(),
     "Authentication credentials were not provided.", false, 403, true, false, true},
    {"2026.8", "2026.8.3", "No Token matches the given query.", true, 20, 100, true, kBlankKey.c_str(),
     "Authentication credentials were not provided.", false, 403, true, false, true},
};

std::string extra_tokens() {
    std::string json = "[";
    for (int i = 0; i < kExtraTokens; ++i) {
        json += fmt::format(R"({}{{"identifier":"extra-{:03}","user":1,"expiring":false}})", i == 0 ? "" : ",", i);
    }
    return json + "]";
}

void check_version(const VersionRow& row) {
    CAPTURE(row.version);
    TempDir dir;
    Sandbox sandbox({"--authentik-version", row.version, "--now", kNow, "--seed", dir.write("seed.json", kSeed)});
    add_tokens(sandbox, extra_tokens());
    const int all_tokens = kSeedTokens + kExtraTokens;

    // Version and settings.
    HttpAnswer a = sandbox.api("GET", "/admin/version/", kAlice);
    CHECK(a.status == 200);
    CHECK(a.body == fmt::format(R"({{"version_current":"{0}","version_latest":"{0}","version_latest_valid":true,)"
                                R"("build_hash":"","outdated":false,"outpost_outdated":false}})",
                                row.release));
    a = sandbox.api("GET", "/admin/settings/", kAlice);
    CHECK(a.status == 403);
    CHECK(a.body == detail("You do not have permission to perform this action."));
    a = sandbox.api("GET", "/admin/settings/", kAdmin);
    CHECK(a.status == 200);
    CHECK(a.body ==
          std::string(R"({"avatars":"gravatar,initials","default_user_change_name":true,)"
                      R"("default_user_change_email":false,"default_user_change_username":false,)"
                      R"("event_retention":"days=365","reputation_lower_limit":-5,"reputation_upper_limit":5,)"
                      R"("footer_links":[],"gdpr_compliance":true,"impersonation":true,)"
                      R"("impersonation_require_reason":true,"default_token_duration":"minutes=30",)"
                      R"("default_token_length":60)") +
              (row.settings_pagination ? R"(,"pagination_default_page_size":20,"pagination_max_page_size":100)" : "") +
              "}");

    // Lookups and lists.
    a = sandbox.api("GET", "/core/tokens/nope/", kAdmin);
    CHECK(a.status == 404);
    CHECK(a.body == detail(row.not_found));
    a = sandbox.api("GET", "/core/tokens/?identifier=nope", kAdmin);
    CHECK(a.status == 200);
    CHECK(a.body == std::string(R"({"pagination":{"next":0,"previous":0,"count":0,"current":1,"total_pages":1,)"
                                R"("start_index":0,"end_index":0},"results":[])") +
                        (row.autocomplete ? R"(,"autocomplete":{}})" : "}"));
    CHECK(pagination_value(sandbox.api("GET", "/core/tokens/", kAdmin), "end_index") == row.default_page_size);
    CHECK(pagination_value(sandbox.api("GET", "/core/tokens/?page_size=1000", kAdmin), "end_index") ==
          std::min(row.page_size_1000, all_tokens));

    // Authentication.
    a = sandbox.api("GET", "/core/users/me/", "Basic YWxpY2U6c2VjcmV0");
    CHECK(a.status == 403);
    CHECK(a.body == detail(row.basic_scheme));
    a = sandbox.api("GET", "/core/users/me/", "Bearer ");
    CHECK(a.status == 403);
    CHECK(a.body == detail("Authentication credentials were not provided."));
    a = sandbox.api("GET", "/core/users/me/", "Bearer dave-key");
    CHECK(a.status == 403);
    CHECK(a.body == detail("Token invalid/expired"));
    a = sandbox.api("GET", "/core/users/me/", "Bearer old-key");
    CHECK(a.status == 403);
    CHECK(a.body == detail("Token invalid/expired"));
    CHECK(token_exists(sandbox, "old-api") == !row.expired_auth_deletes);

    // Who sees what.
    a = sandbox.api("GET", "/core/users/?username=alice", kAlice);
    CHECK(a.status == 403);
    CHECK(a.body == detail("You do not have permission to perform this action."));
    a = sandbox.api("GET", "/core/tokens/bob-api/view_key/", kAlice);
    CHECK(a.status == row.others_view_key);
    CHECK(a.body == (row.others_view_key == 404 ? detail(row.not_found)
                                                : detail("You do not have permission to perform this action.")));
    a = sandbox.api("POST", "/core/tokens/bob-api/set_key/", kAlice, R"({"key":"stolen"})");
    CHECK(a.status == row.others_view_key);
    CHECK(sandbox.key_of("bob-api") == "bob-key");
    CHECK(pagination_value(sandbox.api("GET", "/core/tokens/", kCarol), "count") ==
          (row.global_view_token ? all_tokens - (row.expired_auth_deletes ? 1 : 0) : 1));
    a = sandbox.api("GET", "/core/tokens/bob-api/view_key/", kCarol);
    CHECK(a.status == (row.global_view_token ? 200 : 404));
    CHECK(a.body == (row.global_view_token ? R"({"key":"bob-key"})" : detail(row.not_found)));

    // Writes.
    a = sandbox.api("POST", "/core/tokens/alice-api/set_key/", kAdmin, R"({"key":""})");
    CHECK(a.status == 400);
    CHECK(a.body == row.set_key_blank);
    a = sandbox.api("PATCH", "/core/tokens/alice-app/", kAdmin,
                    R"({"intent":"app_password","user":2,"expires":null,"expiring":true})");
    if (row.null_app_password_500) {
        CHECK(a.status == 500);
        CHECK(a.content_type == "text/html; charset=utf-8");
        CHECK(a.body == kServerError);
        CHECK(expires_of(sandbox, "alice-app") == "2026-12-01T00:00:00Z");
    } else {
        CHECK(a.status == 200);
        CHECK(expires_of(sandbox, "alice-app") == "2026-11-29T12:30:00Z");
    }
    a = sandbox.api("POST", "/core/tokens/", kAdmin, R"({"identifier":"old-app","intent":"api"})");
    if (row.expired_identifier_500) {
        CHECK(a.status == 500);
        CHECK(a.body == kServerError);
    } else {
        CHECK(a.status == 400);
        CHECK(a.body == R"({"identifier":["Token with this identifier already exists."]})");
    }
}

}  // namespace

TEST_SUITE("integration") {
    TEST_CASE("sandbox versions: 2024.4") { check_version(kVersionRows[0]); }
    TEST_CASE("sandbox versions: 2025.10") { check_version(kVersionRows[1]); }
    TEST_CASE("sandbox versions: 2025.12") { check_version(kVersionRows[2]); }
    TEST_CASE("sandbox versions: 2026.2") { check_version(kVersionRows[3]); }
    TEST_CASE("sandbox versions: 2026.5") { check_version(kVersionRows[4]); }
    TEST_CASE("sandbox versions: 2026.8 (the default)") { check_version(kVersionRows[5]); }

    TEST_CASE("sandbox versions: the default is the newest and an unknown version is refused") {
        Sandbox sandbox;
        const HttpAnswer a = sandbox.api("GET", "/admin/version/", "Bearer " + kAdminKey);
        CHECK(a.status == 200);
        CHECK(parse(a.body)["version_current"].GetString() == std::string("2026.8.3"));
        const RunResult r = run_program(AKTOKEN_SANDBOX_BINARY, {"--authentik-version", "2025.4"}, {});
        CHECK(r.exit_code == 2);
        CHECK(r.out == "");
        CHECK(r.err ==
              "aktoken-sandbox: --authentik-version: unknown version \"2025.4\" (one of 2024.4, 2025.10, "
              "2025.12, 2026.2, 2026.5, 2026.8)\n");
    }

    TEST_CASE("sandbox: a superuser's non-expiring app password without expires keeps null") {
        Sandbox sandbox({"--now", kNow});
        HttpAnswer a = sandbox.api("POST", "/core/tokens/", "Bearer " + kAdminKey,
                                   R"({"identifier":"mail","intent":"app_password","expiring":false})");
        CHECK(a.status == 201);
        CHECK(parse(a.body)["expires"].IsNull());
        a = sandbox.api("POST", "/core/tokens/", "Bearer " + kAdminKey,
                        R"({"identifier":"mail2","intent":"app_password"})");
        CHECK(a.status == 201);
        CHECK(parse(a.body)["expires"].GetString() == std::string("2026-11-29T12:30:00Z"));
    }

    TEST_CASE("sandbox housekeeping: runs at every 5-minute boundary the frozen clock is moved across") {
        Sandbox sandbox({"--now", kNow});
        const std::string admin = "Bearer " + kAdminKey;
        // expires: null on an expiring app password looks like "never"; the pre-save signal makes
        // it now + 30 minutes. Any PATCH of an api token moves its expiry to now + 30 minutes.
        HttpAnswer a = sandbox.api("PATCH", "/core/tokens/alice-app/", admin,
                                   R"({"intent":"app_password","user":2,"expires":null})");
        CHECK(a.status == 200);
        CHECK(parse(a.body)["expires"].GetString() == std::string("2026-11-29T12:30:00Z"));
        a = sandbox.api("PATCH", "/core/tokens/alice-api/", admin, R"({"intent":"api","user":2})");
        CHECK(a.status == 200);
        CHECK(expires_of(sandbox, "alice-api") == "2026-11-29T12:30:00Z");

        // 12:02 ... 12:27 run, nothing has expired yet.
        sandbox.set_clock("2026-11-29T12:31:59Z");
        CHECK(token_exists(sandbox, "alice-app"));
        CHECK(sandbox.key_of("alice-api") == kAliceKey);
        // 12:32 deletes the app password and rotates the api token (new key, expires 13:02);
        // 13:02 leaves it (expires is not before 13:02); 13:07 rotates it again (13:37).
        sandbox.set_clock("2026-11-29T13:36:00Z");
        CHECK_FALSE(token_exists(sandbox, "alice-app"));
        const auto rotated = sandbox.key_of("alice-api");
        REQUIRE(rotated);
        CHECK(*rotated != kAliceKey);
        CHECK(rotated->size() == 60);
        CHECK(expires_of(sandbox, "alice-api") == "2026-11-29T13:37:00Z");
        // Moved back and forward again within the same 5 minutes: no boundary, no run.
        sandbox.set_clock("2026-11-29T13:33:00Z");
        sandbox.set_clock("2026-11-29T13:36:59Z");
        CHECK(sandbox.key_of("alice-api") == rotated);
        sandbox.set_clock("2026-11-29T13:42:00Z");
        CHECK(expires_of(sandbox, "alice-api") == "2026-11-29T14:12:00Z");
        CHECK(sandbox.key_of("alice-api") != rotated);
        // Untouched: not expiring, or expiring later.
        CHECK(sandbox.key_of("admin-api") == kAdminKey);
        CHECK(expires_of(sandbox, "bob-app") == "2027-01-15T08:30:00Z");
    }

    TEST_CASE("sandbox housekeeping: --no-housekeeping keeps a still world") {
        Sandbox sandbox({"--now", kNow, "--no-housekeeping"});
        const HttpAnswer a = sandbox.api("PATCH", "/core/tokens/alice-app/", "Bearer " + kAdminKey,
                                         R"({"intent":"app_password","user":2,"expires":null})");
        CHECK(a.status == 200);
        sandbox.set_clock("2026-11-29T14:00:00Z");
        CHECK(expires_of(sandbox, "alice-app") == "2026-11-29T12:30:00Z");
        CHECK(sandbox.control_post("housekeeping", "") == R"({"rotated":0,"deleted":1})");
        CHECK_FALSE(token_exists(sandbox, "alice-app"));
    }

    TEST_CASE("sandbox: a plain user may not look users up, so their create --user NAME exits 5") {
        Sandbox sandbox({"--now", kNow});
        TempDir home;
        const RunResult r = aktoken({"create", "alice-x", "--user", "bob"}, aktoken_env(sandbox, kAliceKey, home));
        CHECK(r.exit_code == 5);
        CHECK(r.out == "");
        CHECK(r.err == error_line("permission denied: You do not have permission to perform this action. (HTTP 403 "
                                  "Forbidden)"));
        const auto requests = sandbox.requests();
        REQUIRE(requests.size() == 1);
        CHECK(requests[0].method == "GET");
        CHECK(requests[0].path == "/api/v3/core/users/");
        CHECK(requests[0].query == "username=bob");
        CHECK_FALSE(token_exists(sandbox, "alice-x"));
    }

    TEST_CASE("sandbox outposts: a service account's token, used by nothing, made again after deletion") {
        TempDir dir;
        const std::string seed = dir.write("seed.json",
                                           R"({"users": [{"pk": 1, "username": "akadmin", "is_superuser": true}],
                "outposts": [{"uuid": "9a5c2b7e-1f0d-4c8a-9e3b-6d2f4a1b8c7e", "name": "authentik Embedded Outpost",
                              "key": "outpost-key"}]})");
        Sandbox sandbox({"--now", kNow, "--seed", seed});
        const std::string identifier = "ak-outpost-9a5c2b7e-1f0d-4c8a-9e3b-6d2f4a1b8c7e-api";
        HttpAnswer a = sandbox.api("GET", "/core/tokens/" + identifier + "/", "Bearer outpost-key");
        REQUIRE(a.status == 200);
        auto token = parse(a.body);
        CHECK(token["managed"].GetString() == "goauthentik.io/outpost/" + identifier);
        CHECK(token["intent"].GetString() == std::string("api"));
        CHECK(token["user"].GetInt() == 2);
        CHECK(token["user_obj"]["username"].GetString() == std::string("ak-outpost-9a5c2b7e1f0d4c8a9e3b6d2f4a1b8c7e"));
        CHECK(token["user_obj"]["name"].GetString() ==
              std::string("Outpost authentik Embedded Outpost Service-Account"));
        CHECK(token["user_obj"]["type"].GetString() == std::string("internal_service_account"));
        CHECK(token["description"].GetString() ==
              std::string("Autogenerated by authentik for Outpost authentik Embedded Outpost"));
        CHECK(token["expiring"].GetBool() == false);
        CHECK(token["expires"].IsNull());
        const std::string first_pk = token["pk"].GetString();
        a = sandbox.api("GET", "/core/tokens/" + identifier + "/used_by/", "Bearer outpost-key");
        CHECK(a.status == 200);
        CHECK(a.body == "[]");

        CHECK(sandbox.api("DELETE", "/core/tokens/" + identifier + "/", "Bearer outpost-key").status == 204);
        CHECK_FALSE(token_exists(sandbox, identifier));
        sandbox.set_clock("2026-11-29T12:01:59Z");
        CHECK_FALSE(token_exists(sandbox, identifier));
        sandbox.set_clock("2026-11-29T12:02:00Z");
        a = sandbox.api("GET", "/core/tokens/" + identifier + "/", "Bearer " + *sandbox.key_of(identifier));
        REQUIRE(a.status == 200);
        CHECK(parse(a.body)["pk"].GetString() != first_pk);
        CHECK(sandbox.key_of(identifier) != "outpost-key");
        CHECK(sandbox.key_of(identifier)->size() == 60);
    }

    TEST_CASE("sandbox built-in seed: the embedded outpost's token is the one authentik makes") {
        Sandbox sandbox({"--now", kNow});
        const std::string admin = "Bearer " + kAdminKey;
        const std::string identifier = "ak-outpost-9a5c2b7e-1f0d-4c8a-9e3b-6d2f4a1b8c7e-api";
        HttpAnswer a = sandbox.api("GET", "/core/tokens/" + identifier + "/", admin);
        REQUIRE(a.status == 200);
        auto token = parse(a.body);
        CHECK(token["managed"].GetString() == "goauthentik.io/outpost/" + identifier);
        CHECK(token["intent"].GetString() == std::string("api"));
        CHECK(token["user"].GetInt() == 4);
        CHECK(token["user_obj"]["username"].GetString() == std::string("ak-outpost-9a5c2b7e1f0d4c8a9e3b6d2f4a1b8c7e"));
        CHECK(token["user_obj"]["name"].GetString() ==
              std::string("Outpost authentik Embedded Outpost Service-Account"));
        CHECK(token["user_obj"]["type"].GetString() == std::string("internal_service_account"));
        CHECK(token["user_obj"]["is_superuser"].GetBool() == false);
        CHECK(token["description"].GetString() ==
              std::string("Autogenerated by authentik for Outpost authentik Embedded Outpost"));
        CHECK(token["expiring"].GetBool() == false);
        CHECK(token["expires"].IsNull());
        CHECK(sandbox.key_of(identifier) == "outpost-secret-key-0006");
        a = sandbox.api("GET", "/core/tokens/" + identifier + "/used_by/", admin);
        CHECK(a.status == 200);
        CHECK(a.body == "[]");
        // authentik reports no use of an outpost's token, and the seed holds nothing that it would.
        const auto seeded_tokens = parse(sandbox.control_get("tokens"));
        for (const auto& seeded : seeded_tokens.GetArray()) {
            CAPTURE(seeded["identifier"].GetString());
            CHECK(
                sandbox.api("GET", std::string("/core/tokens/") + seeded["identifier"].GetString() + "/used_by/", admin)
                    .body == "[]");
        }

        CHECK(sandbox.api("DELETE", "/core/tokens/" + identifier + "/", admin).status == 204);
        CHECK_FALSE(token_exists(sandbox, identifier));
        CHECK(sandbox.control_post("housekeeping", "") == R"({"rotated":0,"deleted":0})");
        REQUIRE(token_exists(sandbox, identifier));
        CHECK(sandbox.key_of(identifier) != "outpost-secret-key-0006");
        CHECK(parse(sandbox.api("GET", "/core/tokens/" + identifier + "/", admin).body)["user"].GetInt() == 4);
    }

    TEST_CASE("sandbox ordering: terms are stripped, unknown ones dropped, --unstable-ties shuffles ties") {
        Sandbox sandbox({"--unstable-ties"});
        const std::string admin = "Bearer " + kAdminKey;
        const auto identifiers = [&](const std::string& ordering) {
            const auto doc = parse(sandbox.api("GET", "/core/tokens/?ordering=" + ordering, admin).body);
            std::vector<std::string> out;
            for (const auto& token : doc["results"].GetArray()) {
                out.emplace_back(token["identifier"].GetString());
            }
            return out;
        };
        const std::string outpost = "ak-outpost-9a5c2b7e-1f0d-4c8a-9e3b-6d2f4a1b8c7e-api";
        const std::vector<std::string> by_intent_then_descending = {
            "bob-api", "alice-api", outpost, "admin-api", "bob-app", "alice-app", "alice-recovery", "bob-verification"};
        CHECK(identifiers("intent,%20-identifier") == by_intent_then_descending);
        CHECK(identifiers("user__username,intent,-identifier") == by_intent_then_descending);
        const std::vector<std::string> by_identifier = {"admin-api",      outpost,   "alice-api", "alice-app",
                                                        "alice-recovery", "bob-api", "bob-app",   "bob-verification"};
        CHECK(identifiers("user__username") == by_identifier);
        // Four api tokens tie on intent: in 50 requests some order other than the first shows up.
        std::set<std::vector<std::string>> orders;
        for (int i = 0; i < 50 && orders.size() < 2; ++i) {
            orders.insert(identifiers("intent"));
        }
        CHECK(orders.size() == 2);
    }
}
