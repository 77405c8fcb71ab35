// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "integration/harness.h"
#include "rapidjson/document.h"

using namespace harness;

namespace {

rapidjson::Document parse(const std::string& text) {
    rapidjson::Document doc;
    doc.Parse(text.c_str());
    REQUIRE_FALSE(doc.HasParseError());
    return doc;
}

// What the server itself answers for a token, to compare with `get -o json`.
std::string server_token(const Sandbox& sandbox, const std::string& identifier) {
    httplib::Client client(sandbox.url());
    auto response =
        client.Get(("/api/v3/core/tokens/" + identifier + "/").c_str(), {{"Authorization", "Bearer " + kAdminKey}});
    REQUIRE(response);
    return response->body;
}

}  // namespace

TEST_SUITE("integration") {
    TEST_CASE("get: a table block of aligned fields") {
        Sandbox sandbox;
        TempDir home;
        RunResult r = aktoken({"get", "alice-api"}, aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.err == "");
        CHECK(r.exit_code == 0);
        CHECK(r.out ==
              "identifier:  alice-api\n"
              "pk:          22222222-2222-4222-8222-222222222222\n"
              "intent:      api\n"
              "user:        alice (2)\n"
              "description: Alice CI\n"
              "expires:     2030-06-01T00:00:00Z\n"
              "expiring:    true\n"
              "managed:     -\n");
        auto requests = sandbox.requests();
        REQUIRE(requests.size() == 1);
        CHECK(requests[0].method == "GET");
        CHECK(requests[0].path == "/api/v3/core/tokens/alice-api/");
    }

    TEST_CASE("get: -o json prints the server's object, several identifiers give an array") {
        Sandbox sandbox;
        TempDir home;
        const std::string outpost = "ak-outpost-9a5c2b7e-1f0d-4c8a-9e3b-6d2f4a1b8c7e-api";
        RunResult r = aktoken({"get", outpost, "-o", "json"}, aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.exit_code == 0);
        CHECK(r.err == "");
        CHECK(parse(r.out) == parse(server_token(sandbox, outpost)));

        r = aktoken({"-o", "json", "get", "alice-api", "bob-app"}, aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.exit_code == 0);
        rapidjson::Document array = parse(r.out);
        REQUIRE(array.IsArray());
        REQUIRE(array.Size() == 2);
        CHECK(array[0] == parse(server_token(sandbox, "alice-api")));
        CHECK(array[1] == parse(server_token(sandbox, "bob-app")));
    }

    TEST_CASE("get: one missing token with -o json prints nothing, as one found prints an object") {
        Sandbox sandbox;
        TempDir home;
        RunResult r = aktoken({"get", "nope", "-o", "json"}, aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.exit_code == 6);
        CHECK(r.out == "");
        CHECK(r.err == R"J({"error":{"exit_code":6,"kind":"not_found","status":404,)J"
                       R"J("message":"token \"nope\" not found (HTTP 404 Not Found)","fields":{}}})J"
                       "\n");
        // Several identifiers stay an array, whatever is missing.
        r = aktoken({"get", "nope", "nope2", "-o", "json"}, aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.exit_code == 6);
        CHECK(r.out == "[]\n");
    }

    TEST_CASE("get: several tokens in table blocks, a missing one is reported and exits 6") {
        Sandbox sandbox;
        TempDir home;
        RunResult r = aktoken({"get", "admin-api", "nope", "bob-api"}, aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.exit_code == 6);
        CHECK(r.err == "aktoken: error: token \"nope\" not found (HTTP 404 Not Found)\n");
        CHECK(r.out ==
              "identifier:  admin-api\n"
              "pk:          11111111-1111-4111-8111-111111111111\n"
              "intent:      api\n"
              "user:        akadmin (1)\n"
              "description: Admin automation\n"
              "expires:     never\n"
              "expiring:    false\n"
              "managed:     -\n"
              "\n"
              "identifier:  bob-api\n"
              "pk:          44444444-4444-4444-8444-444444444444\n"
              "intent:      api\n"
              "user:        bob (3)\n"
              "description: Bob scripts\n"
              "expires:     never\n"
              "expiring:    false\n"
              "managed:     -\n");
    }

    TEST_CASE("get: a user sees only their own tokens") {
        Sandbox sandbox;
        TempDir home;
        RunResult r = aktoken({"get", "bob-api"}, aktoken_env(sandbox, kAliceKey, home));
        CHECK(r.exit_code == 6);
        CHECK(r.err == "aktoken: error: token \"bob-api\" not found (HTTP 404 Not Found)\n");
    }

    TEST_CASE("errors: a wrong or missing token exits 4") {
        Sandbox sandbox;
        TempDir home;
        RunResult r = aktoken({"get", "alice-api"}, aktoken_env(sandbox, "not-a-key", home));
        CHECK(r.exit_code == 4);
        CHECK(r.out == "");
        CHECK(r.err == "aktoken: error: authentication failed: Token invalid/expired (HTTP 403 Forbidden)\n");

        // alice-app is an app password: authentik does not accept it for the API.
        r = aktoken({"get", "alice-api"}, aktoken_env(sandbox, "alice-secret-key-0003", home));
        CHECK(r.exit_code == 4);

        r = aktoken({"get", "alice-api", "-o", "json"}, aktoken_env(sandbox, "not-a-key", home));
        CHECK(r.exit_code == 4);
        CHECK(r.err == R"({"error":{"exit_code":4,"kind":"auth","status":403,"message":"authentication failed: Token )"
                       R"J(invalid/expired (HTTP 403 Forbidden)","fields":{}}})J"
                       "\n");
    }

    TEST_CASE("errors: a server that is not listening exits 9") {
        TempDir home;
        const int port = closed_port();
        const Env env{{"HOME", home.path()},
                      {"AUTHENTIK_URL", "http://127.0.0.1:" + std::to_string(port)},
                      {"AUTHENTIK_TOKEN", kAdminKey}};
        RunResult r = aktoken({"get", "alice-api", "--retries", "0"}, env);
        CHECK(r.exit_code == 9);
        CHECK(r.out == "");
        CHECK(r.err ==
              "aktoken: error: cannot connect to 127.0.0.1:" + std::to_string(port) + ": Connection refused\n");
    }

    TEST_CASE("errors: an HTML 404 (wrong base URL) exits 6 with a short message") {
        Sandbox sandbox;
        TempDir home;
        Env env = aktoken_env(sandbox, kAdminKey, home);
        env["AUTHENTIK_URL"] = sandbox.url() + "/authentik";
        RunResult r = aktoken({"get", "alice-api"}, env);
        CHECK(r.exit_code == 6);
        CHECK(r.err == "aktoken: error: HTTP 404 Not Found from GET " + sandbox.url() +
                           "/authentik/api/v3/core/tokens/alice-api/ \"Not Found\": not an authentik API answer (check "
                           "--url)\n");
    }

    TEST_CASE("errors: a 5xx exits 8, a redirect names its Location") {
        Sandbox sandbox;
        TempDir home;
        sandbox.fault("500", 1);
        RunResult r = aktoken({"get", "alice-api"}, aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.exit_code == 8);
        CHECK(r.err == "aktoken: error: HTTP 500 Internal Server Error from GET " + sandbox.url() +
                           "/api/v3/core/tokens/alice-api/: Internal Server Error\n");
        sandbox.fault("truncate", 1);
        r = aktoken({"get", "alice-api"}, aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.exit_code == 8);
        CHECK(r.out == "");
    }

    TEST_CASE("errors: no URL or no token exits 3 before anything is sent") {
        Sandbox sandbox;
        TempDir home;
        RunResult r = aktoken({"get", "alice-api"}, {{"HOME", home.path()}, {"AUTHENTIK_TOKEN", kAdminKey}});
        CHECK(r.exit_code == 3);
        CHECK(r.err == "aktoken: error: no authentik URL: use --url, AUTHENTIK_URL or url in the config profile\n");
        r = aktoken({"get", "alice-api"}, aktoken_env(sandbox, "", home));
        CHECK(r.exit_code == 3);
        CHECK(r.err ==
              "aktoken: error: no API token: use --token-file, AUTHENTIK_TOKEN, AUTHENTIK_TOKEN_FILE or token_file in "
              "the "
              "config profile\n");
        CHECK(sandbox.requests().empty());
    }

    TEST_CASE("config: token file, stdin, profile, and precedence of flags over environment") {
        Sandbox sandbox;
        TempDir home;
        const std::string token_file = home.write("token", kAdminKey + "\n");
        Env env{{"HOME", home.path()}};
        RunResult r =
            aktoken({"--url", sandbox.url() + "/", "--token-file", token_file, "get", "bob-api", "-o", "json"}, env);
        CHECK(r.err == "");
        CHECK(r.exit_code == 0);

        r = aktoken({"get", "bob-api", "--url", sandbox.url() + "/api/v3", "--token-file", "-"}, env, kAdminKey + "\n");
        CHECK(r.err == "");
        CHECK(r.exit_code == 0);

        home.write(".config/aktoken/config", "[default]\nurl = http://127.0.0.1:1\n\n[test]\nurl = " + sandbox.url() +
                                                 "\ntoken_file = " + token_file + "\n");
        r = aktoken({"--profile", "test", "get", "bob-api"}, env);
        CHECK(r.err == "");
        CHECK(r.exit_code == 0);
        env["AKTOKEN_PROFILE"] = "test";
        env["AUTHENTIK_TOKEN"] = "wrong";
        r = aktoken({"get", "bob-api"}, env);
        CHECK(r.exit_code == 4);  // the environment's token beats the profile's token_file
        r = aktoken({"get", "bob-api", "--token-file", token_file}, env);
        CHECK(r.exit_code == 0);  // and the flag beats the environment

        const std::string open_file = home.write("open-token", kAdminKey, 0644);
        r = aktoken({"get", "bob-api", "--url", sandbox.url(), "--token-file", open_file}, {{"HOME", home.path()}});
        CHECK(r.exit_code == 3);
        CHECK(r.err == "aktoken: error: token file " + open_file +
                           " is readable by others (mode 0644); run: chmod 600 " + open_file + "\n");
    }

    TEST_CASE("verbose: -v traces requests without the token") {
        Sandbox sandbox;
        TempDir home;
        RunResult r =
            aktoken({"-v", "update", "alice-app", "--description", "traced"}, aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.exit_code == 0);
        CHECK(r.err.find(kAdminKey) == std::string::npos);
        CHECK(r.err.find("Authorization: Bearer <redacted>") != std::string::npos);
        CHECK(r.err.find("> PATCH " + sandbox.url() + "/api/v3/core/tokens/alice-app/") != std::string::npos);
        CHECK(r.out.find(kAdminKey) == std::string::npos);
    }

    TEST_CASE("one connection serves every request of a run") {
        Sandbox sandbox;
        TempDir home;
        RunResult r = aktoken({"update", "alice-app", "--description", "x"}, aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.exit_code == 0);
        rapidjson::Document stats = parse(sandbox.control_get("stats"));
        CHECK(stats["requests"].GetInt() == 2);         // the GET and the PATCH
        CHECK(stats["api_connections"].GetInt() == 1);  // over one connection
    }

    TEST_CASE("get: a retired generation's block ends with the line that says until when its key works") {
        Sandbox sandbox({"--now", "2026-11-29T12:00:00Z"});
        TempDir home;
        add_tokens(sandbox, R"([{"identifier":"db--retired-until-20261130T1200Z","intent":"app_password","user":3,)"
                            R"("description":"DB","expires":"2026-11-30T12:00:00Z","expiring":true,)"
                            R"("pk":"99999999-9999-4999-8999-999999999999"}])");
        const Env env = frozen_clock(aktoken_env(sandbox, kAdminKey, home), 1795953600);
        RunResult r = aktoken({"get", "db--retired-until-20261130T1200Z"}, env);
        CHECK(r.err == "");
        CHECK(r.exit_code == 0);
        CHECK(r.out ==
              "identifier:  db--retired-until-20261130T1200Z\n"
              "pk:          99999999-9999-4999-8999-999999999999\n"
              "intent:      app_password\n"
              "user:        bob (3)\n"
              "description: DB\n"
              "expires:     2026-11-30T12:00:00Z\n"
              "expiring:    true\n"
              "managed:     -\n"
              "retired:     until 2026-11-30T12:00:00Z, a generation of db; aktoken prune deletes it then\n");
        // Scripts get the server's values.
        r = aktoken({"get", "db--retired-until-20261130T1200Z", "-o", "tsv"}, env);
        CHECK(r.out ==
              "identifier\tintent\tuser\texpires\tdescription\n"
              "db--retired-until-20261130T1200Z\tapp_password\tbob\t2026-11-30T12:00:00Z\tDB\n");
    }
}
