// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include "integration/harness.h"
#include "rapidjson/document.h"

using namespace harness;

namespace {

// Runs aktoken like harness::aktoken, without its guard against keys on stderr: under GitHub
// Actions the one place a key may go there is the ::add-mask:: line for the runner.
RunResult aktoken_masked(const std::vector<std::string>& args, const Env& env) {
    return run_program(AKTOKEN_BINARY, args, env);
}

const std::vector<std::string> kFrozen = {"--now", "2026-11-29T12:00:00Z", "--default-token-duration", "30m"};

// A token that something references: nothing in the built-in seed is (authentik reports its
// outpost tokens as used by nothing), so tests of used_by bring their own.
const std::string kReferencedToken =
    R"([{"identifier": "bob-reset-link", "intent": "verification", "user": 3, "expires": "2026-12-31T00:00:00Z",)"
    R"( "used_by": [{"app": "authentik_flows", "model_name": "flowtoken", "pk": "42",)"
    R"( "name": "Password reset of bob", "action": "cascade"}]}])";

// The block `get` prints, minus the pk line (a created token's pk is random).
std::string without_pk(const std::string& block) {
    std::string result;
    std::size_t start = 0;
    while (start < block.size()) {
        std::size_t end = block.find('\n', start);
        std::string line = block.substr(start, end - start + 1);
        if (line.rfind("pk:", 0) != 0) {
            result += line;
        }
        start = end + 1;
    }
    return result;
}

}  // namespace

TEST_SUITE("integration") {
    TEST_CASE("create: an api token, with the expiry override reported") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        RunResult r = aktoken(
            {"create", "ci-new", "--description", "CI", "--expires", "2027-01-01T00:00:00Z", "--allow-expiry-reset"},
            aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.exit_code == 0);
        CHECK(
            r.err ==
            "aktoken: warning: expires: requested \"2027-01-01T00:00:00Z\", the server stored \"2026-11-29T12:30:00Z\" "
            "(authentik sets an api token's expiry to now + its default token duration)\n");
        CHECK(without_pk(r.out) ==
              "identifier:  ci-new\nintent:      api\nuser:        akadmin (1)\ndescription: CI\n"
              "expires:     2026-11-29T12:30:00Z\nexpiring:    true\nmanaged:     -\n");
        auto requests = sandbox.requests();
        REQUIRE(requests.size() == 1);
        CHECK(requests[0].method == "POST");
        CHECK(requests[0].path == "/api/v3/core/tokens/");
        CHECK(requests[0].body ==
              R"({"identifier":"ci-new","intent":"api","description":"CI","expires":"2027-01-01T00:00:00Z"})");

        r = aktoken({"create", "ci-strict", "--expires", "2027-01-01", "--strict", "--allow-expiry-reset"},
                    aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.exit_code == 7);
    }

    TEST_CASE("create: --user takes a username, turned into its pk first") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        RunResult r = aktoken({"create", "laptop", "--intent", "app_password", "--user", "alice", "--expires",
                               "2027-01-15", "--no-expiring", "--managed", "example.com/laptop"},
                              aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.err == "");
        CHECK(r.exit_code == 0);
        auto requests = sandbox.requests();
        REQUIRE(requests.size() == 2);
        CHECK(requests[0].path == "/api/v3/core/users/");
        CHECK(requests[0].query == "username=alice");
        CHECK(requests[1].body ==
              R"({"managed":"example.com/laptop","identifier":"laptop","intent":"app_password","user":2,)"
              R"("expires":"2027-01-15T00:00:00Z","expiring":false})");

        r = aktoken({"create", "x", "--user", "nobody"}, aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.exit_code == 6);
        CHECK(r.err == error_line("user \"nobody\" not found"));
    }

    TEST_CASE("create: a user who is not a superuser gets warnings for the ignored user and expiring") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        RunResult r = aktoken({"create", "alice-2", "--intent", "app_password", "--user", "3", "--no-expiring"},
                              aktoken_env(sandbox, kAliceKey, home));
        CHECK(r.exit_code == 0);
        CHECK(r.err ==
              "aktoken: warning: user: requested \"3\", the server stored \"2\" (authentik ignores user and expiring "
              "when a "
              "user who is not a superuser creates a token)\n"
              "aktoken: warning: expiring: requested \"false\", the server stored \"true\" (authentik ignores user and "
              "expiring when a user who is not a superuser creates a token)\n");
    }

    TEST_CASE("create: a taken identifier exits 7, or 0 with --if-not-exists") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        RunResult r = aktoken({"create", "bob-api"}, aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.exit_code == 7);
        CHECK(r.err == error_line("identifier: Token with this identifier already exists."));
        r = aktoken({"create", "bob-api", "--if-not-exists", "-o", "id"}, aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.exit_code == 0);
        CHECK(r.err == "aktoken: note: token \"bob-api\" already exists; nothing was created\n");
        CHECK(r.out == "bob-api\n");
    }

    TEST_CASE("create: --show-key prints the key, --key-file writes it 0600") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        RunResult r =
            aktoken({"create", "with-key", "--show-key", "-o", "json"}, aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.exit_code == 0);
        rapidjson::Document doc;
        doc.Parse(r.out.c_str());
        REQUIRE(doc.IsObject());
        REQUIRE(doc.HasMember("key"));
        CHECK(std::string(doc["key"].GetString()) == *sandbox.key_of("with-key"));
        CHECK(std::string(doc["key"].GetString()).size() == 60);

        const std::string key_file = home.path() + "/keys/new.key";
        ::mkdir((home.path() + "/keys").c_str(), 0700);
        ::umask(022);
        r = aktoken({"create", "to-file", "--key-file", key_file}, aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.exit_code == 0);
        CHECK(r.out.find(*sandbox.key_of("to-file")) == std::string::npos);
        CHECK(read_file(key_file) == *sandbox.key_of("to-file") + "\n");
        CHECK(file_mode(key_file) == 0600);

        r = aktoken({"create", "shown", "--show-key"}, aktoken_env(sandbox, kAdminKey, home));
        CHECK(without_pk(r.out) ==
              "identifier:  shown\nintent:      api\nuser:        akadmin (1)\ndescription: \n"
              "expires:     2026-11-29T12:30:00Z\nexpiring:    true\nmanaged:     -\nkey:\n" +
                  *sandbox.key_of("shown") + "\n");
    }

    TEST_CASE("delete: needs --yes without a terminal, deletes, reports missing tokens") {
        Sandbox sandbox;
        TempDir home;
        RunResult r = aktoken({"delete", "bob-app"}, aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.exit_code == 2);
        CHECK(r.err ==
              error_line("refusing to delete without confirmation: standard input is not a terminal; pass --yes"));
        CHECK(sandbox.requests().empty());

        r = aktoken({"delete", "--yes", "bob-app", "nope", "alice-app"}, aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.exit_code == 6);
        CHECK(r.out == "deleted bob-app\nfailed nope\ndeleted alice-app\n");
        CHECK(r.err == error_line("token \"nope\" not found (HTTP 404 Not Found)"));
        CHECK_FALSE(sandbox.key_of("bob-app"));
        CHECK_FALSE(sandbox.key_of("alice-app"));

        // json reports every token, a failed one with the reason, as rotate does.
        r = aktoken({"delete", "--yes", "alice-api", "nope", "--parallel", "1", "-o", "json"},
                    aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.exit_code == 6);
        CHECK(r.out ==
              "[\n  {\n    \"identifier\": \"alice-api\",\n    \"result\": \"deleted\"\n  },\n  {\n    \"identifier\": "
              "\"nope\",\n    \"result\": \"failed\",\n    \"reason\": \"token \\\"nope\\\" not found (HTTP 404 Not "
              "Found)\"\n  }\n]\n");
        CHECK(r.err ==
              "{\"error\":{\"exit_code\":6,\"kind\":\"not_found\",\"status\":404,\"message\":\"token \\\"nope\\\" "
              "not found (HTTP 404 Not Found)\",\"fields\":{}}}\n");

        r = aktoken({"delete", "-y", "--ignore-missing", "bob-app", "bob-api", "-o", "json"},
                    aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.exit_code == 0);
        CHECK(r.out ==
              "[\n  {\n    \"identifier\": \"bob-app\",\n    \"result\": \"absent\"\n  },\n  {\n    \"identifier\": "
              "\"bob-api\",\n    \"result\": \"deleted\"\n  }\n]\n");
    }

    TEST_CASE("delete: on a terminal it names the tokens and what goes with them, then asks") {
        Sandbox sandbox;
        TempDir home;
        add_tokens(sandbox, kReferencedToken);
        Env env = aktoken_env(sandbox, kAdminKey, home);
        RunResult r = run_on_terminal(AKTOKEN_BINARY, {"delete", "bob-reset-link", "--no-color"}, env, "n\n");
        // Declining is an answer, not a mistake: exit 0, nothing deleted.
        CHECK(r.exit_code == 0);
        CHECK(r.out ==
              "n\r\n"
              "token \"bob-reset-link\" (intent verification, owner bob)\r\n"
              "  used by authentik_flows flowtoken \"Password reset of bob\": authentik will delete it too\r\n"
              "Delete 1 token? [y/N] aktoken: nothing deleted\r\n");
        CHECK(sandbox.key_of("bob-reset-link"));
        for (const Recorded& request : sandbox.requests()) {
            CHECK(request.method == "GET");
        }

        r = run_on_terminal(AKTOKEN_BINARY, {"delete", "bob-reset-link", "bob-app", "--no-color"}, env, "yes\n");
        CHECK(r.exit_code == 0);
        CHECK_FALSE(sandbox.key_of("bob-reset-link"));
        CHECK_FALSE(sandbox.key_of("bob-app"));
    }

    TEST_CASE("delete: the question names a managed token, the token aktoken authenticates with, and a missing one") {
        Sandbox sandbox;
        TempDir home;
        const Env env = aktoken_env(sandbox, kAdminKey, home);
        const std::string outpost = "ak-outpost-9a5c2b7e-1f0d-4c8a-9e3b-6d2f4a1b8c7e-api";
        RunResult r = run_on_terminal(AKTOKEN_BINARY, {"delete", "admin-api", outpost, "nope", "bob-api", "--no-color"},
                                      env, "n\n");
        CHECK(r.exit_code == 6);
        CHECK(r.out ==
              "n\r\n"
              "token \"admin-api\" (intent api, owner akadmin)\r\n"
              "  warning: this is the token aktoken authenticates with: its key stops working\r\n"
              "token \"" +
                  outpost +
                  "\" (intent api, owner ak-outpost-9a5c2b7e1f0d4c8a9e3b6d2f4a1b8c7e)\r\n"
                  "  managed by authentik (\"goauthentik.io/outpost/" +
                  outpost +
                  "\"): authentik may re-create it (outpost tokens)\r\n"
                  "aktoken: error: token \"nope\" not found (HTTP 404 Not Found)\r\n"
                  "token \"bob-api\" (intent api, owner bob)\r\n"
                  "Delete 3 tokens? [y/N] aktoken: nothing deleted\r\n");
        // Only admin-api, an api token of the caller, had its key read to compare; bob's is not the caller's.
        std::vector<std::string> requests;
        for (const Recorded& request : sandbox.requests()) {
            requests.push_back(request.method + " " + request.path);
        }
        CHECK(requests == std::vector<std::string>{
                              "GET /api/v3/core/tokens/admin-api/",
                              "GET /api/v3/core/tokens/admin-api/used_by/",
                              "GET /api/v3/core/users/me/",
                              "GET /api/v3/core/tokens/admin-api/view_key/",
                              "GET /api/v3/core/tokens/" + outpost + "/",
                              "GET /api/v3/core/tokens/" + outpost + "/used_by/",
                              "GET /api/v3/core/tokens/nope/",
                              "GET /api/v3/core/tokens/bob-api/",
                              "GET /api/v3/core/tokens/bob-api/used_by/",
                          });

        // bob may not read keys (no view_token_key): the keys cannot be compared, and the question
        // goes on without a word about it.
        sandbox.clear_requests();
        r = run_on_terminal(AKTOKEN_BINARY, {"delete", "bob-api", "--no-color"}, aktoken_env(sandbox, kBobKey, home),
                            "n\n");
        CHECK(r.exit_code == 0);
        CHECK(r.out ==
              "n\r\ntoken \"bob-api\" (intent api, owner bob)\r\nDelete 1 token? [y/N] aktoken: nothing "
              "deleted\r\n");
        CHECK(sandbox.requests().back().path == "/api/v3/core/tokens/bob-api/view_key/");
    }

    TEST_CASE("create, view-key: a key file that cannot be written is refused before anything is sent") {
        Sandbox sandbox;
        TempDir home;
        const std::string missing =
            "--key-file: invalid value \"/nonexistent-dir/k\": directory /nonexistent-dir does not exist";
        expect_refused(sandbox, home,
                       {
                           {{"create", "new-token", "--key-file", "/nonexistent-dir/k"}, missing},
                           {{"view-key", "bob-api", "--key-file", "/nonexistent-dir/k"}, missing},
                           {{"create", "new-token", "--key-file", home.path()},
                            fmt::format("--key-file: invalid value \"{0}\": {0} is a directory", home.path())},
                       });
    }

    TEST_CASE("view-key: only the key, or a 0600 file; a 403 names the permission") {
        Sandbox sandbox;
        TempDir home;
        RunResult r = aktoken({"view-key", "alice-api"}, aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.exit_code == 0);
        CHECK(r.out == "alice-secret-key-0002\n");
        CHECK(r.err == "");

        const std::string path = home.path() + "/alice.key";
        r = aktoken({"view-key", "alice-api", "--key-file", path}, aktoken_env(sandbox, kAliceKey, home));
        CHECK(r.exit_code == 0);
        CHECK(r.out == "");
        CHECK(read_file(path) == "alice-secret-key-0002\n");
        CHECK(file_mode(path) == 0600);

        r = aktoken({"view-key", "bob-api"}, aktoken_env(sandbox, kBobKey, home));
        CHECK(r.exit_code == 5);
        CHECK(r.out == "");
        CHECK(
            r.err ==
            error_line("permission denied: You do not have permission to perform this action. (HTTP 403 Forbidden); "
                       "viewing a key needs the permission authentik_core.view_token_key on the token (superusers have "
                       "it, and so does a token's creator)"));
    }

    TEST_CASE("create --show-key, view-key: GitHub Actions masks the key on stderr first, stdout unchanged") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        Env env = aktoken_env(sandbox, kAdminKey, home);
        env.emplace("GITHUB_ACTIONS", "true");
        RunResult r = aktoken_masked({"create", "ci-masked", "--show-key", "-o", "json"}, env);
        CHECK(r.exit_code == 0);
        const std::string key = *sandbox.key_of("ci-masked");
        CHECK(r.err == "::add-mask::" + key + "\n");
        rapidjson::Document doc;
        doc.Parse(r.out.c_str());
        REQUIRE(doc.IsObject());
        CHECK(std::string(doc["key"].GetString()) == key);

        r = aktoken_masked({"create", "ci-masked-2", "--show-key"}, env);
        CHECK(r.exit_code == 0);
        CHECK(r.err == "::add-mask::" + *sandbox.key_of("ci-masked-2") + "\n");
        CHECK(r.out.find("\nkey:\n" + *sandbox.key_of("ci-masked-2") + "\n") != std::string::npos);

        r = aktoken_masked({"view-key", "bob-api"}, env);
        CHECK(r.exit_code == 0);
        CHECK(r.err == "::add-mask::" + kBobKey + "\n");
        CHECK(r.out == kBobKey + "\n");

        // Only a key that is printed is announced.
        r = aktoken_masked({"view-key", "bob-api", "--key-file", home.path() + "/bob.key"}, env);
        CHECK(r.exit_code == 0);
        CHECK(r.err == "");
    }

    TEST_CASE("create --show-key, view-key: a key that stdout cannot take is an error saying where the key is") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        const Env env = aktoken_env(sandbox, kAdminKey, home);
        const std::string binary = AKTOKEN_BINARY;
        struct Case {
            std::string redirect;
            std::string reason;
        };
        const Case cases[] = {{"> /dev/full", "No space left on device"}, {">&-", "Bad file descriptor"}};
        int n = 0;
        for (const Case& c : cases) {
            CAPTURE(c.redirect);
            const std::string identifier = "ci-" + std::to_string(++n);
            RunResult r = run_program(
                "/bin/sh", {"-c", "exec " + binary + " create " + identifier + " --show-key " + c.redirect}, env);
            CHECK(r.exit_code == 11);
            CHECK(r.err ==
                  error_line("the key of token \"" + identifier + "\" could not be written to standard output (" +
                             c.reason + "); the server holds it: read it with `aktoken view-key " + identifier + "`"));
            CHECK(sandbox.key_of(identifier).has_value());

            const std::string key_file = home.path() + "/" + identifier + "-b.key";
            r = run_program("/bin/sh",
                            {"-c", "exec " + binary + " create " + identifier + "-b --show-key --key-file " + key_file +
                                       " " + c.redirect},
                            env);
            CHECK(r.exit_code == 11);
            CHECK(r.err ==
                  error_line("the key of token \"" + identifier + "-b\" could not be written to standard output (" +
                             c.reason + "); it is also in " + key_file));
            CHECK(read_file(key_file) == sandbox.key_of(identifier + "-b").value_or("?") + "\n");

            r = run_program("/bin/sh", {"-c", "exec " + binary + " view-key bob-api " + c.redirect}, env);
            CHECK(r.exit_code == 11);
            CHECK(r.err == error_line("the key of token \"bob-api\" could not be written to standard output (" +
                                      c.reason + "); it is unchanged on the server: run view-key again"));
        }
    }

    TEST_CASE("set-key --key-stdin on a terminal asks for the key with echo off") {
        Sandbox sandbox;
        TempDir home;
        const std::string prompt = "New key for token \"bob-api\" (typing is not shown): ";
        RunResult r = answer_on_terminal(
            AKTOKEN_BINARY, {"set-key", "bob-api", "--key-stdin"}, aktoken_env(sandbox, kAdminKey, home), prompt, [] {},
            "typed-key-4321\n");
        CHECK(r.exit_code == 0);
        // The key never shows: only the prompt, the newline aktoken prints for the unechoed Enter,
        // and the result.
        CHECK(r.out == prompt + "\r\nkey of token \"bob-api\" set\r\n");
        CHECK(sandbox.key_of("bob-api") == "typed-key-4321");

        // An empty answer is refused before anything is sent.
        sandbox.clear_requests();
        r = answer_on_terminal(
            AKTOKEN_BINARY, {"set-key", "bob-api", "--key-stdin"}, aktoken_env(sandbox, kAdminKey, home), prompt, [] {},
            "\n");
        CHECK(r.exit_code == 2);
        CHECK(r.out == prompt + "\r\naktoken: error: the key from the terminal is empty\r\n");
        CHECK(sandbox.requests().empty());
    }

    TEST_CASE("set-key: from a file or stdin, checked before sending, 403 explained") {
        Sandbox sandbox;
        TempDir home;
        const std::string key_file = home.write("new.key", "replacement-key-1234\n");
        RunResult r = aktoken({"set-key", "bob-api", "--key-file", key_file}, aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.exit_code == 0);
        CHECK(r.out == "key of token \"bob-api\" set\n");
        CHECK(sandbox.key_of("bob-api") == "replacement-key-1234");
        auto requests = sandbox.requests();
        REQUIRE(requests.size() == 1);
        CHECK(requests[0].path == "/api/v3/core/tokens/bob-api/set_key/");

        r = aktoken({"set-key", "bob-api", "--key-stdin"}, aktoken_env(sandbox, kAdminKey, home), "from-stdin-5678\n");
        CHECK(r.exit_code == 0);
        // A pipe gets no prompt.
        CHECK(r.err == "");
        CHECK(sandbox.key_of("bob-api") == "from-stdin-5678");

        sandbox.clear_requests();
        struct Case {
            std::vector<std::string> args;
            std::string input;
            std::string err;
        };
        const Case cases[] = {
            {{"set-key", "bob-api", "--key-stdin"}, "", "the key from standard input is empty"},
            {{"set-key", "bob-api", "--key-stdin"},
             "two words\n",
             "the key from standard input holds whitespace or control characters; a key is one word of printable "
             "characters"},
            {{"set-key", "bob-api"},
             "",
             "set-key needs --key-file PATH or --key-stdin (a key is never taken from argv)"},
            {{"set-key", "bob-api", "--key-stdin", "--key-file", key_file}, "", "--key-file excludes --key-stdin"},
            {{"set-key", "bob-api", "--key-stdin", "--token-file", "-"},
             "x\n",
             "--key-stdin and --token-file - cannot both read standard input"},
        };
        for (const Case& c : cases) {
            CAPTURE(c.err);
            r = aktoken(c.args, aktoken_env(sandbox, kAdminKey, home), c.input);
            CHECK(r.exit_code == 2);
            CHECK(r.err == error_line(c.err));
        }
        CHECK(sandbox.requests().empty());

        r = aktoken({"set-key", "alice-api", "--key-file", key_file}, aktoken_env(sandbox, kAliceKey, home));
        CHECK(r.exit_code == 5);
        CHECK(r.err ==
              error_line("permission denied: You do not have permission to perform this action. (HTTP 403 Forbidden); "
                         "setting a key needs the permission authentik_core.set_token_key (superusers have it; token "
                         "owners do not by default)"));
        CHECK(sandbox.key_of("alice-api") == "alice-secret-key-0002");
    }

    TEST_CASE("used-by and whoami") {
        Sandbox sandbox;
        TempDir home;
        add_tokens(sandbox, kReferencedToken);
        RunResult r = aktoken({"used-by", "bob-reset-link"}, aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.exit_code == 0);
        CHECK(r.out ==
              "APP              MODEL      NAME                   ACTION\n"
              "authentik_flows  flowtoken  Password reset of bob  cascade\n");
        r = aktoken({"used-by", "bob-reset-link", "-o", "json"}, aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.out ==
              "[\n  {\n    \"app\": \"authentik_flows\",\n    \"model_name\": \"flowtoken\",\n    \"pk\": \"42\",\n"
              "    \"name\": \"Password reset of bob\",\n    \"action\": \"cascade\"\n  }\n]\n");
        r = aktoken({"used-by", "bob-api"}, aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.exit_code == 0);
        CHECK(r.out == "");
        // The outpost reaches its token through a property, not a foreign key: nothing to report.
        r = aktoken({"used-by", "ak-outpost-9a5c2b7e-1f0d-4c8a-9e3b-6d2f4a1b8c7e-api", "-o", "json"},
                    aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.exit_code == 0);
        CHECK(r.err == "");
        CHECK(r.out == "[]\n");

        // The release the sandbox plays (AKTOKEN_TEST_AUTHENTIK_VERSION may choose another one).
        const HttpAnswer answer = sandbox.api("GET", "/admin/version/", "Bearer " + kAliceKey);
        REQUIRE(answer.status == 200);
        const std::string marker = "\"version_current\":\"";
        const std::size_t at = answer.body.find(marker) + marker.size();
        const std::string release = answer.body.substr(at, answer.body.find('"', at) - at);
        REQUIRE(release.rfind("20", 0) == 0);

        r = aktoken({"whoami"}, aktoken_env(sandbox, kAliceKey, home));
        CHECK(r.exit_code == 0);
        CHECK(r.err == "");
        CHECK(r.out == "username:  alice\npk:        2\nname:      Alice Example\nsuperuser: no\nurl:       " +
                           sandbox.url() + "/api/v3\nauthentik: " + release + "\n");
        r = aktoken({"whoami", "-o", "json"}, aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.out == "{\n  \"url\": \"" + sandbox.url() +
                           "/api/v3\",\n  \"pk\": 1,\n  \"username\": \"akadmin\",\n  \"name\": \"authentik Default "
                           "Admin\",\n  \"is_superuser\": true,\n  \"authentik_version\": \"" +
                           release + "\"\n}\n");
        r = aktoken({"whoami"}, aktoken_env(sandbox, "wrong", home));
        CHECK(r.exit_code == 4);
    }

    TEST_CASE("-o: a format the command does not print is refused, naming the ones it prints") {
        Sandbox sandbox;
        TempDir home;
        expect_refused(
            sandbox, home,
            {
                {{"delete", "--yes", "bob-app", "-o", "tsv"},
                 "--output: delete does not print \"tsv\": expected table, json, jsonl or id"},
                {{"delete", "--yes", "bob-app", "-o", "wide"},
                 "--output: delete does not print \"wide\": expected table, json, jsonl or id"},
                {{"whoami", "-o", "tsv"}, "--output: whoami does not print \"tsv\": expected table, json or jsonl"},
                {{"-o", "id", "whoami"}, "--output: whoami does not print \"id\": expected table, json or jsonl"},
                {{"used-by", "bob-api", "-o", "id"},
                 "--output: used-by does not print \"id\": expected table, json, jsonl or tsv"},
                {{"view-key", "bob-api", "--output", "jsonl"},
                 "--output: view-key does not print \"jsonl\": expected table"},
            });

        // A profile's format is every command's default: where a command does not print it, the
        // command prints its own first format instead.
        const Env env = aktoken_env(sandbox, kAdminKey, home);
        const RunResult plain = aktoken({"whoami"}, env);
        REQUIRE(plain.exit_code == 0);
        home.write(".config/aktoken/config", "[default]\noutput = tsv\n");
        RunResult r = aktoken({"whoami"}, env);
        CHECK(r.exit_code == 0);
        CHECK(r.err == "");
        CHECK(r.out == plain.out);
        r = aktoken({"list", "--user", "bob", "--intent", "api"}, env);
        CHECK(r.out == "identifier\tintent\tuser\texpires\tdescription\nbob-api\tapi\tbob\tnever\tBob scripts\n");
    }

}  // TEST_SUITE
