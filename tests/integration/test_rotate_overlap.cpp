// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "integration/harness.h"
#include "rapidjson/document.h"

using namespace harness;

namespace {

// 2026-11-29T12:00:00Z, the sandbox's and aktoken's frozen now.
constexpr long long kNow = 1795953600;
const std::vector<std::string> kFrozen = {"--now", "2026-11-29T12:00:00Z", "--default-token-duration", "30m"};

struct Stored {
    std::string key;
    std::string intent;
    bool expiring = true;
    std::string expires;  // "" for null
    std::string description;
    long long user = 0;
};

// Every token the sandbox holds, by identifier.
std::map<std::string, Stored> stored_tokens(const Sandbox& sandbox) {
    rapidjson::Document doc;
    doc.Parse(sandbox.control_get("tokens").c_str());
    std::map<std::string, Stored> tokens;
    for (const auto& t : doc.GetArray()) {
        Stored s;
        s.key = t["key"].GetString();
        s.intent = t["intent"].GetString();
        s.expiring = t["expiring"].GetBool();
        s.expires = t["expires"].IsNull() ? "" : t["expires"].GetString();
        s.description = t["description"].GetString();
        s.user = t["user"].GetInt64();
        tokens[t["identifier"].GetString()] = s;
    }
    return tokens;
}

// The identifiers the sandbox holds that start with `prefix`.
std::vector<std::string> named(const Sandbox& sandbox, const std::string& prefix) {
    std::vector<std::string> names;
    for (const auto& [identifier, token] : stored_tokens(sandbox)) {
        if (identifier.rfind(prefix, 0) == 0) {
            names.push_back(identifier);
        }
    }
    return names;
}

// Each write request as "METHOD PATH BODY", PATH without /api/v3/core/tokens/ in front.
std::vector<std::string> writes(const Sandbox& sandbox) {
    const std::string prefix = "/api/v3/core/tokens/";
    std::vector<std::string> result;
    for (const Recorded& r : sandbox.requests()) {
        if (r.method == "GET") {
            continue;
        }
        const std::string path = r.path.rfind(prefix, 0) == 0 ? r.path.substr(prefix.size()) : r.path;
        result.push_back(r.method + " " + path + (r.body.empty() ? "" : " " + r.body));
    }
    return result;
}

int status_with(const Sandbox& sandbox, const std::string& key) {
    return sandbox.api("GET", "/core/users/me/", "Bearer " + key).status;
}

// Whether the sandbox has faulted a request in `mode` (apply-then-delay logs it once applied).
bool saw_fault(const Sandbox& sandbox, const std::string& mode) {
    for (const Recorded& r : sandbox.requests()) {
        if (r.fault == mode) {
            return true;
        }
    }
    return false;
}

Env frozen_env(const Sandbox& sandbox, const TempDir& home, const std::string& token = kAdminKey) {
    return frozen_clock(aktoken_env(sandbox, token, home), kNow);
}

}  // namespace

TEST_SUITE("integration") {
    TEST_CASE("rotate --overlap: an api token's successor takes the name, the old key works until prune") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        const std::string path = home.path() + "/bob.key";
        home.write("bob.key", std::string(kBobKey) + "\n");
        RunResult r = aktoken({"rotate", "bob-api", "--overlap", "7d", "--key-file", path, "-o", "tsv"},
                              frozen_env(sandbox, home));
        CHECK(r.err == "");
        CHECK(r.exit_code == 0);
        const std::string retired = "bob-api--retired-until-20261206T1200Z";
        CHECK(r.out ==
              "identifier\tresult\texpires\tretired_until\tretired\tkey_went_to\treason\n"
              "bob-api\trotated\tnever\t2026-12-06T12:00:00Z\t" +
                  retired + "\t" + path + "\trequested; the old key works until 2026-12-06T12:00:00Z as " + retired +
                  "\n");
        CHECK(writes(sandbox) ==
              std::vector<std::string>{
                  R"(POST  {"identifier":"bob-api--next-20261129T120000Z","intent":"api","user":3,)"
                  R"("description":"Bob scripts","expiring":false})",
                  R"(PATCH bob-api/ {"identifier":")" + retired + R"(","intent":"api","user":3})",
                  R"(PATCH bob-api--next-20261129T120000Z/ {"identifier":"bob-api","intent":"api","user":3})"});
        const auto tokens = stored_tokens(sandbox);
        REQUIRE(tokens.count("bob-api") == 1);
        REQUIRE(tokens.count(retired) == 1);
        const std::string new_key = tokens.at("bob-api").key;
        CHECK(new_key != kBobKey);
        CHECK(read_file(path) == new_key + "\n");
        CHECK(file_mode(path) == 0600);
        CHECK(file_mode(path + ".pending") == -1);
        CHECK(tokens.at(retired).key == kBobKey);
        CHECK_FALSE(tokens.at(retired).expiring);
        CHECK_FALSE(tokens.at("bob-api").expiring);
        CHECK(tokens.at("bob-api").description == "Bob scripts");
        CHECK(tokens.at("bob-api").user == 3);
        CHECK(named(sandbox, "bob-api--next-").empty());

        // Both keys work during the overlap, and past it until the retired generation is pruned.
        CHECK(status_with(sandbox, kBobKey) == 200);
        CHECK(status_with(sandbox, new_key) == 200);
        sandbox.set_clock("2026-12-06T12:00:01Z");
        CHECK(status_with(sandbox, kBobKey) == 200);
        r = aktoken({"prune", "bob-api", "-o", "id"},
                    frozen_clock(aktoken_env(sandbox, kAdminKey, home), kNow + 604801));
        CHECK(r.exit_code == 0);
        CHECK(r.out == retired + "\n");
        CHECK(status_with(sandbox, kBobKey) == 403);
        CHECK(status_with(sandbox, new_key) == 200);
    }

    TEST_CASE("rotate --overlap: an app password's retired generation expires at the until-time by itself") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        const std::string path = home.path() + "/alice-app.key";
        // Its expiry is later than alice may now keep an app password: the successor needs another.
        RunResult r = aktoken({"rotate", "alice-app", "--overlap", "2d", "--key-file", path, "-o", "id"},
                              frozen_env(sandbox, home));
        CHECK(r.exit_code == 7);
        CHECK(r.out == "alice-app\n");
        CHECK(r.err ==
              "aktoken: note: the successor of token \"alice-app\": an app password may expire at most at now + its "
              "owner's maximum lifetime (here 2027-02-27T12:00:00Z): the attribute "
              "goauthentik.io/user/token-maximum-lifetime (format hours=720, on the user or one of their groups), or "
              "without it the server's default token duration; ask for an earlier --expires or raise the attribute\n" +
                  error_line("expires: Token expires exceeds maximum lifetime (2027-02-27 12:00:00+00:00 UTC)."));
        CHECK(named(sandbox, "alice-app") == std::vector<std::string>{"alice-app"});
        sandbox.clear_requests();

        r = aktoken(
            {"rotate", "alice-app", "--overlap", "2d", "--key-file", path, "--expires", "2027-02-01", "-o", "json"},
            frozen_env(sandbox, home));
        CHECK(r.err == "");
        CHECK(r.exit_code == 0);
        const std::string retired = "alice-app--retired-until-20261201T1200Z";
        CHECK(r.out ==
              "[\n  {\n    \"identifier\": \"alice-app\",\n    \"result\": \"rotated\",\n"
              "    \"reason\": \"requested; the old key works until 2026-12-01T12:00:00Z as " +
                  retired +
                  "\",\n    \"expires\": \"2027-02-01T00:00:00Z\",\n"
                  "    \"retired_until\": \"2026-12-01T12:00:00Z\",\n    \"retired\": \"" +
                  retired + "\",\n    \"key_went_to\": \"" + path + "\"\n  }\n]\n");
        CHECK(writes(sandbox) ==
              std::vector<std::string>{
                  R"(POST  {"identifier":"alice-app--next-20261129T120000Z","intent":"app_password","user":2,)"
                  R"("description":"Alice mail client","expires":"2027-02-01T00:00:00Z","expiring":true})",
                  R"(PATCH alice-app/ {"identifier":")" + retired +
                      R"(","intent":"app_password","user":2,"expires":"2026-12-01T12:00:00Z"})",
                  R"(PATCH alice-app--next-20261129T120000Z/ {"identifier":"alice-app","intent":"app_password",)"
                  R"("user":2})"});
        auto tokens = stored_tokens(sandbox);
        CHECK(tokens.at(retired).key == "alice-secret-key-0003");
        CHECK(tokens.at(retired).expires == "2026-12-01T12:00:00Z");
        CHECK(tokens.at("alice-app").expires == "2027-02-01T00:00:00Z");
        CHECK(read_file(path) == tokens.at("alice-app").key + "\n");

        // authentik's housekeeping deletes the retired generation once its until-time has passed.
        sandbox.set_clock("2026-12-01T11:59:00Z");
        CHECK(stored_tokens(sandbox).count(retired) == 1);
        sandbox.set_clock("2026-12-01T12:05:00Z");
        tokens = stored_tokens(sandbox);
        CHECK(tokens.count(retired) == 0);
        CHECK(tokens.count("alice-app") == 1);
    }

    TEST_CASE("rotate --overlap: an app password its owner may not keep that long is retired non-expiring") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        // bob has no maximum lifetime: his app passwords may expire at most the default 30m ahead.
        RunResult r = aktoken({"rotate", "bob-app", "--overlap", "1d", "--show-key", "--expires", "+20m", "-o", "id"},
                              frozen_env(sandbox, home));
        CHECK(r.exit_code == 0);
        CHECK(r.out == "bob-app\n");
        CHECK(r.err ==
              "aktoken: note: token \"bob-app\" may not expire as late as 2026-11-30T12:00:00Z (its owner's maximum "
              "lifetime): its retired generation never expires, and `aktoken prune` deletes it\n");
        const auto tokens = stored_tokens(sandbox);
        const std::string retired = "bob-app--retired-until-20261130T1200Z";
        REQUIRE(tokens.count(retired) == 1);
        CHECK_FALSE(tokens.at(retired).expiring);
        CHECK(tokens.at(retired).key == "bob-secret-key-0005");
        CHECK(tokens.at("bob-app").expires == "2026-11-29T12:20:00Z");
    }

    TEST_CASE("rotate --overlap: a failing --exec rolls back: the successor is deleted, the old token untouched") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        const std::string path = home.path() + "/bob.key";
        home.write("bob.key", std::string(kBobKey) + "\n");
        const auto before = stored_tokens(sandbox);
        for (const auto& [command, how] : std::vector<std::pair<std::string, std::string>>{
                 {"cat >/dev/null; exit 3", "exited with status 3"},
                 {"kill -9 $$", "was killed by signal 9 (SIGKILL)"},
                 {"exec sleep 30", "timed out after 0.2 s and was killed"}}) {
            CAPTURE(command);
            sandbox.clear_requests();
            // Only the command meant to time out gets a short time-out: a loaded machine may take
            // longer than that to start the others.
            const bool times_out = how.rfind("timed out", 0) == 0;
            RunResult r = aktoken({"rotate", "bob-api", "--overlap", "7d", "--key-file", path, "--exec", command,
                                   "--exec-timeout", times_out ? "0.2" : "60"},
                                  frozen_env(sandbox, home));
            CHECK(r.exit_code == 12);
            CHECK(r.out ==
                  "IDENTIFIER  RESULT  EXPIRES  RETIRED UNTIL  KEY WENT TO  REASON\n"
                  "bob-api     failed  -        -              -            --exec \"" +
                      command + "\" " + how +
                      "; rolled back: the successor \"bob-api--next-20261129T120000Z\" was deleted and token "
                      "\"bob-api\" keeps its key\n");
            CHECK(r.err == error_line("--exec \"" + command + "\" " + how +
                                      "; rolled back: the successor \"bob-api--next-20261129T120000Z\" was deleted and "
                                      "token \"bob-api\" keeps its key"));
            CHECK(writes(sandbox) ==
                  std::vector<std::string>{
                      R"(POST  {"identifier":"bob-api--next-20261129T120000Z","intent":"api","user":3,)"
                      R"("description":"Bob scripts","expiring":false})",
                      "DELETE bob-api--next-20261129T120000Z/"});
            const auto after = stored_tokens(sandbox);
            CHECK(after.size() == before.size());
            CHECK(after.at("bob-api").key == kBobKey);
            CHECK(after.at("bob-api").expires == before.at("bob-api").expires);
            CHECK(read_file(path) == std::string(kBobKey) + "\n");
            CHECK(file_mode(path + ".pending") == -1);
        }
    }

    TEST_CASE("rotate --exec: the key only on stdin; AKTOKEN_IDENTIFIER and AKTOKEN_EXPIRES; its stdout on stderr") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        const std::string dir = home.path();
        const std::string command = "cat > " + dir + "/delivered; env > " + dir + "/env; cat /proc/$$/cmdline > " +
                                    dir + "/cmdline; echo delivered to the vault";
        RunResult r = aktoken({"rotate", "bob-api", "--overlap", "1h", "--exec", command, "-o", "id", "-v"},
                              frozen_env(sandbox, home));
        CHECK(r.exit_code == 0);
        CHECK(r.out == "bob-api\n");
        CHECK(r.err.find("delivered to the vault\n") != std::string::npos);
        const std::string key = stored_tokens(sandbox).at("bob-api").key;
        CHECK(read_file(dir + "/delivered") == key);
        const std::string env = read_file(dir + "/env");
        CHECK(env.find("AKTOKEN_IDENTIFIER=bob-api\n") != std::string::npos);
        CHECK(env.find("AKTOKEN_EXPIRES=\n") != std::string::npos);
        CHECK(env.find("AUTHENTIK_TOKEN") == std::string::npos);
        CHECK(env.find(key) == std::string::npos);
        CHECK(read_file(dir + "/cmdline").find(key) == std::string::npos);
        // The trace (-v) shows every request, the key of none.
        CHECK(r.err.find("view_key") != std::string::npos);
        CHECK(r.err.find(key) == std::string::npos);

        // An in-place rotation delivers too; there a failure cannot be undone and says so.
        const std::string path = dir + "/bob.key";
        r = aktoken({"rotate", "bob-api", "--key-file", path, "--exec", "exit 1", "-o", "id"},
                    frozen_env(sandbox, home));
        CHECK(r.exit_code == 12);
        CHECK(r.out == "bob-api\n");
        CHECK(r.err == error_line("--exec \"exit 1\" exited with status 1: token \"bob-api\" has its new key already, "
                                  "and an in-place rotation cannot be rolled back (--overlap can): the key is in " +
                                  path));
        CHECK(read_file(path) == stored_tokens(sandbox).at("bob-api").key + "\n");
    }

    TEST_CASE("rotate --overlap: refused for what a successor cannot stand in for, nothing written") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        add_tokens(sandbox, R"([
            {"identifier": "ldap-bind", "intent": "api", "user": 3, "description": "", "expiring": false,
             "used_by": [{"app": "authentik_sources_ldap", "model_name": "ldapsource", "pk": "7", "name": "Corp LDAP"}]},
            {"identifier": "outpost-api", "intent": "api", "user": 1, "description": "", "expiring": false,
             "managed": "goauthentik.io/outpost/ldap"}])");
        struct Case {
            std::string identifier;
            std::string err;
        };
        for (
            const Case& c : std::vector<Case>{
                {"ldap-bind",
                 "token \"ldap-bind\" is used by 1 object (ldapsource \"Corp LDAP\"), which refers to the token itself "
                 "and would keep the retired generation: rotate it without --overlap"},
                {"outpost-api",
                 "token \"outpost-api\" is managed by authentik (\"goauthentik.io/outpost/ldap\"), which finds it by "
                 "its own record, not by name: it cannot get a successor; rotate it without --overlap"},
                {"alice-recovery",
                 "token \"alice-recovery\" is a recovery token: only api tokens and app passwords can get a successor"},
                {"alice-api",
                 "token \"alice-api\" expires 2030-06-01T00:00:00Z (in 3y 6mo), but authentik gives a new api "
                 "token now + its default token duration (30m): the successor would expire first; --no-expiring "
                 "makes one that never expires"}}) {
            CAPTURE(c.identifier);
            sandbox.clear_requests();
            RunResult r = aktoken({"rotate", c.identifier, "--overlap", "7d", "--show-key"}, frozen_env(sandbox, home));
            CHECK(r.exit_code == 2);
            CHECK(r.err == error_line(c.err));
            CHECK(writes(sandbox).empty());
        }
        CHECK(named(sandbox, "alice-api--").empty());

        // The way forward for an expiring api token: a successor that never expires.
        RunResult r = aktoken({"rotate", "alice-api", "--overlap", "7d", "--show-key", "--no-expiring", "-o", "id"},
                              frozen_env(sandbox, home));
        CHECK(r.exit_code == 0);
        const auto tokens = stored_tokens(sandbox);
        CHECK_FALSE(tokens.at("alice-api").expiring);
        CHECK_FALSE(tokens.at("alice-api--retired-until-20261206T1200Z").expiring);
        CHECK(tokens.at("alice-api--retired-until-20261206T1200Z").key == "alice-secret-key-0002");
    }

    TEST_CASE("rotate --overlap: bad input is refused before anything is sent") {
        Sandbox sandbox;
        TempDir home;
        const std::string long_name(226, 'a');
        expect_refused(
            sandbox, home,
            {
                {{"rotate", "bob-api", "--overlap", "30s", "--show-key"},
                 "--overlap: invalid value \"30s\": expected a duration of at least 1m, such as 7d or 12h"},
                {{"rotate", "bob-api", "--overlap", "soon", "--show-key"},
                 "--overlap: invalid value \"soon\": expected a duration of at least 1m, such as 7d or 12h"},
                {{"rotate", "bob-api", "--overlap", "7d", "--show-key", "--length", "40"},
                 "--length does not apply with --overlap: authentik makes the successor's key itself"},
                {{"rotate", "bob-api", "--show-key", "--no-expiring"},
                 "--no-expiring needs --overlap: it is how the successor token is made"},
                {{"rotate", "bob-api", "--show-key", "--exec-timeout", "5"}, "--exec-timeout needs --exec CMD"},
                {{"rotate", "bob-api", "--show-key", "--exec", "x", "--exec-timeout", "0"},
                 "--exec-timeout: invalid value \"0\": expected a positive number of seconds"},
                {{"rotate", "bob-api", "--show-key", "--exec", " "},
                 "--exec: invalid value \" \": expected a shell command, run as /bin/sh -c CMD"},
                {{"rotate", "bob-api", "--exec", "true"},
                 "rotate needs --key-file PATH, --show-key or both (or --exec CMD with --overlap): the new key must "
                 "go somewhere"},
                {{"rotate", long_name, "--overlap", "1d", "--show-key"},
                 "token identifier \"" + long_name +
                     "\" is too long for --overlap: its retired generation's name would pass authentik's 255 "
                     "characters (at most 225)"},
                {{"rotate", "ci--retired-until-20261206T1200Z", "--overlap", "1d", "--show-key"},
                 "\"ci--retired-until-20261206T1200Z\" is a retired generation of token \"ci\": rotate \"ci\" itself"},
            });
    }

    TEST_CASE("rotate --overlap: a second run on the same token exits 10 and sends nothing, whatever its key file") {
        for (const bool key_file : {true, false}) {
            CAPTURE(key_file);
            Sandbox sandbox(kFrozen);
            TempDir home;
            const std::string dir = home.path();
            const std::string fifo = dir + "/release";
            REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
            const std::vector<std::string> args = {"rotate", "bob-api", "--overlap", "1d", "--show-key"};
            std::vector<std::string> first_args = args;
            if (key_file) {
                first_args.insert(first_args.end(), {"--key-file", dir + "/bob.key"});
            }
            // The first run waits inside its delivery until the test lets it go on.
            first_args.insert(first_args.end(),
                              {"--exec", "cat >/dev/null; : > " + dir + "/delivering; read line < " + fifo});
            Background first(AKTOKEN_BINARY, first_args, frozen_env(sandbox, home));
            REQUIRE(eventually([&] { return file_mode(dir + "/delivering") != -1; }));
            const std::size_t requests_so_far = sandbox.requests().size();

            RunResult second = aktoken(args, frozen_env(sandbox, home));
            CHECK(second.exit_code == 10);
            // The token's lock, with or without a key file: a run with another key file, or none,
            // must wait as well.
            // One lock file, named after a hash of the server's URL and the token.
            std::vector<std::string> locks;
            for (const auto& entry : std::filesystem::directory_iterator(dir + "/.local/state/aktoken")) {
                locks.push_back(entry.path().filename().string());
            }
            REQUIRE(locks.size() == 1);
            CHECK(std::regex_match(locks[0], std::regex("rotate-[0-9a-f]{16}-bob-api\\.lock")));
            CHECK(second.err == error_line("busy: " + dir + "/.local/state/aktoken/" + locks[0] +
                                           " is locked by another run (waited 0 s; see --lock-timeout)"));
            CHECK(sandbox.requests().size() == requests_so_far);

            const int fd = ::open(fifo.c_str(), O_WRONLY | O_CLOEXEC);
            REQUIRE(fd >= 0);
            CHECK(::write(fd, "\n", 1) == 1);
            ::close(fd);
            CHECK(first.wait() == 0);
            CHECK(named(sandbox, "bob-api") ==
                  std::vector<std::string>{"bob-api", "bob-api--retired-until-20261130T1200Z"});
        }
    }

    TEST_CASE("rotate --overlap: an owner without set_key permission rotates their own token with its own key") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        const std::string path = home.path() + "/bob.key";
        // bob may not set_key: a plain rotation is refused.
        RunResult r = aktoken({"rotate", "bob-api", "--key-file", path}, frozen_env(sandbox, home, kBobKey));
        CHECK(r.exit_code == 5);
        sandbox.clear_requests();
        // His create is made expiring (authentik ignores `expiring` from non-superusers): aktoken puts it
        // back to the old token's.
        r = aktoken({"rotate", "bob-api", "--overlap", "1d", "--key-file", path, "-o", "id"},
                    frozen_env(sandbox, home, kBobKey));
        CHECK(r.err == "");
        CHECK(r.exit_code == 0);
        CHECK(writes(sandbox) ==
              std::vector<std::string>{
                  R"(POST  {"identifier":"bob-api--next-20261129T120000Z","intent":"api","user":3,)"
                  R"("description":"Bob scripts","expiring":false})",
                  R"(PATCH bob-api--next-20261129T120000Z/ {"intent":"api","user":3,"expiring":false})",
                  R"(PATCH bob-api/ {"identifier":"bob-api--retired-until-20261130T1200Z","intent":"api","user":3})",
                  R"(PATCH bob-api--next-20261129T120000Z/ {"identifier":"bob-api","intent":"api","user":3})"});
        const auto tokens = stored_tokens(sandbox);
        CHECK_FALSE(tokens.at("bob-api").expiring);
        CHECK(read_file(path) == tokens.at("bob-api").key + "\n");
        CHECK(status_with(sandbox, kBobKey) == 200);
        CHECK(status_with(sandbox, tokens.at("bob-api").key) == 200);
    }

    TEST_CASE("rotate --overlap: a run killed at any step is finished by the next; a working key is always on disk") {
        const std::string successor = "bob-api--next-20261129T120000Z";
        const std::string retired = "bob-api--retired-until-20261130T1200Z";
        struct Step {
            std::string name;
            std::string method;  // the request the run is killed waiting for; "" for the delivery
            std::string path;
            std::string note;  // what the next run says
        };
        const std::vector<Step> steps = {
            {"create", "POST", "/core/tokens/",
             "taking up the successor \"" + successor + "\" an interrupted run left"},
            {"view_key", "GET", "/core/tokens/" + successor + "/view_key/",
             "taking up the successor \"" + successor + "\" an interrupted run left"},
            {"verify", "GET", "/core/users/me/",
             "taking up the successor \"" + successor + "\" an interrupted run left"},
            {"exec", "", "", "taking up the successor \"" + successor + "\" an interrupted run left"},
            {"retire", "PATCH", "/core/tokens/bob-api/",
             "completed the interrupted rotation of token \"bob-api\": \"" + successor + "\" took over its name"},
            {"promote", "PATCH", "/core/tokens/" + successor + "/",
             "completed the interrupted rotation of token \"bob-api\" from PATH.pending"},
        };
        for (const Step& step : steps) {
            CAPTURE(step.name);
            Sandbox sandbox(kFrozen);
            TempDir home;
            const std::string dir = home.path();
            const std::string path = dir + "/bob.key";
            home.write("bob.key", std::string(kBobKey) + "\n");
            // The delivery kills aktoken (its parent) the first time only; it records every key it got.
            const std::vector<std::string> args = {
                "rotate",
                "bob-api",
                "--overlap",
                "1d",
                "--key-file",
                path,
                "--exec",
                "cat >> " + dir + "/delivered; echo >> " + dir + "/delivered; " +
                    (step.name == "exec" ? "[ -e " + dir + "/killed ] || { : > " + dir + "/killed; kill -9 $PPID; }"
                                         : std::string(":"))};
            if (!step.method.empty()) {
                sandbox.fault_on(step.method, step.path, "apply-then-delay", 1, 20000);
            }
            Background run(AKTOKEN_BINARY, args, frozen_env(sandbox, home));
            if (step.method.empty()) {
                CHECK(run.wait() == 128 + SIGKILL);
            } else {
                REQUIRE(eventually([&] { return saw_fault(sandbox, "apply-then-delay"); }));
                run.kill(SIGKILL);
                CHECK(run.wait() == 128 + SIGKILL);
            }
            // Whatever the step, the key file holds a key that works.
            std::string on_disk = read_file(path);
            REQUIRE(!on_disk.empty());
            on_disk.pop_back();
            CHECK(status_with(sandbox, on_disk) == 200);

            sandbox.clear_faults();
            RunResult r = aktoken(args, frozen_env(sandbox, home));
            CHECK(r.exit_code == 0);
            std::string note = step.note;
            if (const auto at = note.find("PATH.pending"); at != std::string::npos) {
                note.replace(at, 12, path + ".pending");
            }
            CHECK(r.err == "aktoken: note: " + note + "\n");
            const auto tokens = stored_tokens(sandbox);
            CHECK(named(sandbox, "bob-api") == std::vector<std::string>{"bob-api", retired});
            CHECK(tokens.at(retired).key == kBobKey);
            CHECK(read_file(path) == tokens.at("bob-api").key + "\n");
            CHECK(file_mode(path + ".pending") == -1);
            CHECK(status_with(sandbox, kBobKey) == 200);
            CHECK(status_with(sandbox, tokens.at("bob-api").key) == 200);
            // The key delivered last is the one that took over.
            const std::string delivered = read_file(dir + "/delivered");
            CHECK(delivered.substr(delivered.rfind('\n', delivered.size() - 2) + 1) == tokens.at("bob-api").key + "\n");
        }
    }

    TEST_CASE("rotate --overlap: in bulk, in parallel, with --if-expiring-within, the run's own token included") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        const std::string dir = home.path();
        home.write("ids", "admin-api\nalice-api\nalice-app\nbob-api\n");
        RunResult r = aktoken({"rotate", "--from-file", dir + "/ids", "--overlap", "12h", "--key-file", dir + "/{}.key",
                               "--parallel", "3", "--if-expiring-within", "100d", "--expires", "+30d", "-o", "tsv"},
                              frozen_env(sandbox, home));
        CHECK(r.err == "");
        CHECK(r.exit_code == 0);
        CHECK(r.out ==
              "identifier\tresult\texpires\tretired_until\tretired\tkey_went_to\treason\n"
              "admin-api\tskipped\tnever\t-\t-\t-\tdoes not expire\n"
              "alice-api\tskipped\t2030-06-01T00:00:00Z\t-\t-\t-\texpires in 3y 6mo, not within 100d\n"
              "alice-app\trotated\t2026-12-29T12:00:00Z\t2026-11-30T00:00:00Z\talice-app--retired-until-"
              "20261130T0000Z\t" +
                  dir +
                  "/alice-app.key\texpires in 91d 12h, within 100d; the old key works until 2026-11-30T00:00:00Z as "
                  "alice-app--retired-until-20261130T0000Z\n"
                  "bob-api\tskipped\tnever\t-\t-\t-\tdoes not expire\n");

        // Without --if-expiring-within every token is due; the run's own token keeps working
        // through its overlap, so the rest of the run goes on with it.
        r = aktoken({"rotate", "admin-api", "bob-api", "--overlap", "12h", "--key-file", dir + "/{}.key", "--parallel",
                     "2", "-o", "id"},
                    frozen_env(sandbox, home));
        CHECK(r.err == "");
        CHECK(r.exit_code == 0);
        CHECK(r.out == "admin-api\nbob-api\n");
        const auto tokens = stored_tokens(sandbox);
        CHECK(tokens.at("admin-api--retired-until-20261130T0000Z").key == kAdminKey);
        CHECK(tokens.at("bob-api--retired-until-20261130T0000Z").key == kBobKey);
        CHECK(read_file(dir + "/admin-api.key") == tokens.at("admin-api").key + "\n");
        CHECK(read_file(dir + "/bob-api.key") == tokens.at("bob-api").key + "\n");
    }

    TEST_CASE("rotate --overlap: a successor left as authentik made it, not as aktoken asked, is replaced") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        const std::string successor = "/core/tokens/bob-api--next-20261129T120000Z/";
        // Killed while its PATCH back to non-expiring is on the way: the successor stays expiring.
        sandbox.fault_on("PATCH", successor, "delay", 1, 600000);
        Background run(AKTOKEN_BINARY, {"rotate", "bob-api", "--overlap", "1d", "--show-key"},
                       frozen_env(sandbox, home, kBobKey));
        REQUIRE(eventually([&] { return saw_fault(sandbox, "delay"); }));
        run.kill(SIGKILL);
        run.wait();
        CHECK(stored_tokens(sandbox).at("bob-api--next-20261129T120000Z").expiring);

        sandbox.clear_faults();
        RunResult r = aktoken({"rotate", "bob-api", "--overlap", "1d", "--show-key", "-o", "id"},
                              frozen_env(sandbox, home, kBobKey));
        CHECK(r.exit_code == 0);
        CHECK(r.err ==
              "aktoken: note: removed the successor \"bob-api--next-20261129T120000Z\" an interrupted run left\n");
        const auto tokens = stored_tokens(sandbox);
        CHECK(named(sandbox, "bob-api") ==
              std::vector<std::string>{"bob-api", "bob-api--retired-until-20261130T1200Z"});
        CHECK_FALSE(tokens.at("bob-api").expiring);
    }

    TEST_CASE("rotate --overlap: a successor key that is not one authentik makes is never written, shown or sent") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        const std::string dir = home.path();
        // A successor left by an earlier run whose key is no key authentik makes (controls in one are
        // refused by the JSON layer already): it would not even read back from PATH.pending.
        add_tokens(sandbox, R"([{"identifier": "bob-api--next-20261129T115900Z", "intent": "api", "user": 3,
            "description": "Bob scripts", "expiring": false, "key": "short;`reboot`"}])");
        RunResult r = aktoken({"rotate", "bob-api", "--overlap", "1d", "--key-file", dir + "/bob.key", "--show-key",
                               "--exec", "cat > " + dir + "/delivered", "-o", "id"},
                              frozen_env(sandbox, home));
        CHECK(r.exit_code == 8);
        CHECK(r.out == "bob-api\n");
        CHECK(r.err ==
              "aktoken: note: taking up the successor \"bob-api--next-20261129T115900Z\" an interrupted run left\n" +
                  error_line("the key view_key gave for \"bob-api--next-20261129T115900Z\" is not one authentik makes "
                             "(32 to 512 letters and digits), so it is not used; rolled back: the successor "
                             "\"bob-api--next-20261129T115900Z\" was deleted and token \"bob-api\" keeps its key"));
        CHECK(named(sandbox, "bob-api") == std::vector<std::string>{"bob-api"});
        CHECK(stored_tokens(sandbox).at("bob-api").key == kBobKey);
        CHECK(file_mode(dir + "/bob.key") == -1);
        CHECK(file_mode(dir + "/bob.key.pending") == -1);
        CHECK(file_mode(dir + "/delivered") == -1);
    }
}
