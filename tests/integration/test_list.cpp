// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <chrono>
#include <ctime>
#include <set>
#include <sstream>

#include "integration/harness.h"
#include "rapidjson/document.h"

using namespace harness;

namespace {

// `count` api tokens named bulk-0000... owned by bob.
std::string bulk_tokens(int count) {
    std::string json = "[";
    for (int i = 0; i < count; ++i) {
        json += fmt::format(R"({}{{"identifier":"bulk-{:04}","intent":"api","user":3,"description":"bulk {}",)"
                            R"("expires":null,"expiring":false,"managed":null}})",
                            i == 0 ? "" : ",", i, i);
    }
    return json + "]";
}

std::string utc_in(std::chrono::seconds offset) {
    std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() + offset);
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buffer;
}

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> result;
    std::istringstream stream(text);
    for (std::string line; std::getline(stream, line);) {
        result.push_back(line);
    }
    return result;
}

const std::string kSeedTable =
    "IDENTIFIER        INTENT        USER     EXPIRES               DESCRIPTION\n"
    "admin-api         api           akadmin  never                 Admin automation\n"
    "alice-api         api           alice    2030-06-01T00:00:00Z  Alice CI\n"
    "alice-app         app_password  alice    2027-03-01T00:00:00Z  Alice mail client\n"
    "alice-recovery    recovery      alice    2026-12-31T00:00:00Z  Recovery link\n"
    "bob-api           api           bob      never                 Bob scripts\n"
    "bob-app           app_password  bob      2027-01-15T08:30:00Z  Bob laptop\n"
    "bob-verification  verification  bob      2026-12-31T00:00:00Z  Email verification\n"
    "outpost-token     api           akadmin  never                 Outpost token\n";

}  // namespace

TEST_SUITE("integration") {
    TEST_CASE("list: the default table off a terminal, full values") {
        Sandbox sandbox;
        TempDir home;
        RunResult r = aktoken({"list"}, aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.err == "");
        CHECK(r.exit_code == 0);
        CHECK(r.out == kSeedTable);
        auto requests = sandbox.requests();
        REQUIRE(requests.size() == 1);
        CHECK(requests[0].path == "/api/v3/core/tokens/");
        CHECK(requests[0].query == "page_size=100&page=1");
    }

    TEST_CASE("list: server-side filters are sent as authentik names them") {
        Sandbox sandbox;
        TempDir home;
        RunResult r = aktoken({"list", "--identifier", "alice-app", "--intent", "app_password", "--user", "alice",
                               "--description", "Alice mail client", "--managed", "m", "--expiring", "--search", "mail",
                               "--ordering", "-expires,identifier"},
                              aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.exit_code == 0);
        CHECK(r.out == "");
        auto requests = sandbox.requests();
        REQUIRE(requests.size() == 1);
        CHECK(
            requests[0].query ==
            "identifier=alice-app&intent=app_password&user__username=alice&description=Alice%20mail%20client&managed=m&"
            "expiring=true&search=mail&ordering=-expires%2Cidentifier&page_size=100&page=1");
        r = aktoken({"list", "--user", "alice", "--no-expiring", "-o", "id"}, aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.out == "");
        r = aktoken({"list", "--user", "alice", "--search", "APP", "-o", "id"}, aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.out == "alice-app\n");
    }

    TEST_CASE("list: follows every page whatever the server's page size") {
        for (const char* cap : {"100", "30"}) {
            CAPTURE(cap);
            Sandbox sandbox({"--max-page-size", cap});
            TempDir home;
            add_tokens(sandbox, bulk_tokens(250));
            RunResult r = aktoken({"list", "-o", "id", "--user", "bob"}, aktoken_env(sandbox, kAdminKey, home));
            CHECK(r.exit_code == 0);
            auto ids = lines(r.out);
            REQUIRE(ids.size() == 253);
            CHECK(ids[0] == "bob-api");
            CHECK(ids[1] == "bob-app");
            CHECK(ids[2] == "bob-verification");
            CHECK(ids[3] == "bulk-0000");
            CHECK(ids[252] == "bulk-0249");
            // Page 1 first (it tells how many there are), the others in parallel, in any order.
            auto requests = sandbox.requests();
            const std::size_t pages = std::string(cap) == "100" ? 3 : 9;
            REQUIRE(requests.size() == pages);
            CHECK(requests[0].query == "user__username=bob&page_size=100&page=1");
            std::set<std::string> queries;
            std::set<std::string> expected;
            for (std::size_t i = 0; i < pages; ++i) {
                queries.insert(requests[i].query);
                expected.insert(fmt::format("user__username=bob&page_size=100&page={}", i + 1));
            }
            CHECK(queries == expected);
        }
    }

    TEST_CASE("list: --limit stops early, jsonl writes one object a line") {
        Sandbox sandbox;
        TempDir home;
        add_tokens(sandbox, bulk_tokens(250));
        RunResult r =
            aktoken({"list", "--limit", "3", "-o", "jsonl", "--search", "bulk"}, aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.exit_code == 0);
        auto objects = lines(r.out);
        REQUIRE(objects.size() == 3);
        rapidjson::Document doc;
        doc.Parse(objects[2].c_str());
        REQUIRE(doc.IsObject());
        CHECK(std::string(doc["identifier"].GetString()) == "bulk-0002");
        CHECK(sandbox.requests().size() == 1);
    }

    TEST_CASE("list: --expiring-within and --expired are applied client-side") {
        Sandbox sandbox;
        TempDir home;
        using std::chrono::hours;
        add_tokens(
            sandbox,
            fmt::format(
                R"([{{"identifier":"soon","intent":"app_password","user":2,"expires":"{}","expiring":true}},)"
                R"({{"identifier":"later","intent":"app_password","user":2,"expires":"{}","expiring":true}},)"
                R"({{"identifier":"past","intent":"app_password","user":2,"expires":"{}","expiring":true}},)"
                R"({{"identifier":"past-kept","intent":"app_password","user":2,"expires":"{}","expiring":false}}])",
                utc_in(hours(24)), utc_in(hours(24 * 30)), utc_in(-hours(24)), utc_in(-hours(24))));
        RunResult r = aktoken({"list", "--user", "alice", "--expiring-within", "7d", "-o", "id"},
                              aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.exit_code == 0);
        CHECK(r.out == "past\nsoon\n");
        r = aktoken({"list", "--expired", "-o", "id"}, aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.out == "past\n");
    }

    TEST_CASE("list: tsv with chosen columns, json equal to the server's objects, empty results") {
        Sandbox sandbox;
        TempDir home;
        RunResult r =
            aktoken({"list", "--user", "alice", "-o", "tsv", "--columns", "identifier,user.username,user.pk,expires"},
                    aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.out ==
              "identifier\tuser.username\tuser.pk\texpires\n"
              "alice-api\talice\t2\t2030-06-01T00:00:00Z\n"
              "alice-app\talice\t2\t2027-03-01T00:00:00Z\n"
              "alice-recovery\talice\t2\t2026-12-31T00:00:00Z\n");
        r = aktoken({"list", "--user", "alice", "-o", "tsv", "--no-headers", "--columns", "identifier"},
                    aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.out == "alice-api\nalice-app\nalice-recovery\n");

        r = aktoken({"list", "-o", "json"}, aktoken_env(sandbox, kAdminKey, home));
        rapidjson::Document listed;
        listed.Parse(r.out.c_str());
        rapidjson::Document server;
        server.Parse(sandbox.control_get("tokens").c_str());
        REQUIRE(listed.IsArray());
        REQUIRE(listed.Size() == 8);
        for (auto& item : server.GetArray()) {
            item.RemoveMember("key");
        }
        for (rapidjson::SizeType i = 0; i < listed.Size(); ++i) {
            bool found = false;
            for (const auto& item : server.GetArray()) {
                found = found || item == listed[i];
            }
            CHECK(found);
        }

        for (const char* format : {"table", "wide", "tsv", "id", "jsonl"}) {
            r = aktoken({"list", "--identifier", "nope", "-o", format}, aktoken_env(sandbox, kAdminKey, home));
            CHECK(r.exit_code == 0);
            CHECK(r.out == "");
            CHECK(r.err == "");
        }
        r = aktoken({"list", "--identifier", "nope", "-o", "json"}, aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.out == "[]\n");
    }

    TEST_CASE("list: a user who is not a superuser sees only their own tokens") {
        Sandbox sandbox;
        TempDir home;
        RunResult r = aktoken({"list", "-o", "id"}, aktoken_env(sandbox, kAliceKey, home));
        CHECK(r.out == "alice-api\nalice-app\nalice-recovery\n");
    }

    TEST_CASE("list: on a terminal the table has relative times and an empty result says so") {
        Sandbox sandbox;
        TempDir home;
        Env env = aktoken_env(sandbox, kAdminKey, home);
        env.emplace("NO_COLOR", "1");
        RunResult r = run_on_terminal(AKTOKEN_BINARY, {"list", "--identifier", "nope"}, env, "");
        CHECK(r.exit_code == 0);
        CHECK(r.out == "aktoken: note: no tokens found\r\n");
        r = run_on_terminal(AKTOKEN_BINARY, {"list", "--identifier", "admin-api"}, env, "");
        CHECK(r.out ==
              "IDENTIFIER  INTENT  USER     EXPIRES  DESCRIPTION\r\n"
              "admin-api   api     akadmin  never    Admin automation\r\n");
    }

    TEST_CASE("list: bad filters are refused before anything is sent") {
        Sandbox sandbox;
        TempDir home;
        expect_refused(
            sandbox, home,
            {
                {{"list", "--ordering", "identifier,owner"},
                 "--ordering: invalid value \"identifier,owner\": unknown field \"owner\" (valid: identifier, intent, "
                 "user, "
                 "description, expires, expiring, managed, pk; '-' before a field sorts descending)"},
                {{"list", "--intent", "admin"},
                 "--intent: invalid value \"admin\": expected verification, api, recovery or app_password"},
                {{"list", "--limit", "0"}, "--limit: invalid value \"0\": expected a positive integer"},
                {{"list", "--expiring-within", "soon"},
                 "--expiring-within: invalid value \"soon\": expected a duration such as 14d, 12h, 1d12h"},
                {{"list", "--expiring", "--no-expiring"}, "--expiring and --no-expiring cannot be used together"},
                {{"list", "--columns", "identifier,owner"},
                 "--columns: unknown column \"owner\" (valid: identifier, pk, intent, user, user.username, user.pk, "
                 "description, expires, expiring, managed)"},
            });
    }

}  // TEST_SUITE
