// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <functional>
#include <set>

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

bool saw_set_key(const Sandbox& sandbox, const std::string& identifier) {
    for (const Recorded& r : sandbox.requests()) {
        if (r.method == "POST" && r.path == "/api/v3/core/tokens/" + identifier + "/set_key/") {
            return true;
        }
    }
    return false;
}

std::string trimmed(const std::string& text) {
    std::string s = text;
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) {
        s.pop_back();
    }
    return s;
}

std::string utc_in(std::chrono::seconds offset) {
    std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() + offset);
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buffer;
}

std::vector<std::string> methods_and_paths(const Sandbox& sandbox) {
    std::vector<std::string> result;
    for (const Recorded& r : sandbox.requests()) {
        result.push_back(r.method + " " + r.path +
                         (r.body.empty() || r.path.find("set_key") != std::string::npos ? "" : " " + r.body));
    }
    return result;
}

// Each request as "METHOD PATH (FAULT)", PATH without /api/v3/core/tokens/ in front.
std::vector<std::string> token_requests(const Sandbox& sandbox) {
    const std::string prefix = "/api/v3/core/tokens/";
    std::vector<std::string> result;
    for (const Recorded& r : sandbox.requests()) {
        const std::string path = r.path.rfind(prefix, 0) == 0 ? r.path.substr(prefix.size()) : r.path;
        result.push_back(r.method + " " + path + (r.fault.empty() ? "" : " (" + r.fault + ")"));
    }
    return result;
}

}  // namespace

TEST_SUITE("integration") {
    TEST_CASE("rotate: a key file gets the key the server holds, mode 0600; an expiry months away is kept") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        const std::string path = home.path() + "/alice.key";
        RunResult r = aktoken({"rotate", "alice-api", "--key-file", path}, aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.err == "");
        CHECK(r.exit_code == 0);
        const std::string key = *sandbox.key_of("alice-api");
        CHECK(key.size() == 60);
        CHECK(key != kAliceKey);
        CHECK(read_file(path) == key + "\n");
        CHECK(file_mode(path) == 0600);
        CHECK(file_mode(path + ".pending") == -1);
        const std::string padding(path.size() - std::string("KEY WENT TO").size(), ' ');
        CHECK(r.out == "IDENTIFIER  RESULT   EXPIRES               KEY WENT TO" + padding + "  REASON\n" +
                           "alice-api   rotated  2030-06-01T00:00:00Z  " + path + "  requested\n");
        // A renewing PATCH would make it now + 30 minutes: set_key alone leaves the expiry alone.
        CHECK(methods_and_paths(sandbox) == std::vector<std::string>{
                                                "GET /api/v3/core/tokens/alice-api/",
                                                "GET /api/v3/admin/settings/",
                                                "POST /api/v3/core/tokens/alice-api/set_key/",
                                                "GET /api/v3/core/users/me/",
                                            });
        // The old key no longer works, the new one does.
        CHECK(aktoken({"whoami"}, aktoken_env(sandbox, kAliceKey, home)).exit_code == 4);
        CHECK(aktoken({"whoami"}, aktoken_env(sandbox, key, home)).exit_code == 0);
    }

    TEST_CASE("rotate: an expired api token is renewed first, then gets its key, and the short expiry is told") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        add_tokens(sandbox, R"([{"identifier":"old-api","intent":"api","user":2,"expires":"2026-11-01T00:00:00Z",)"
                            R"("expiring":true}])");
        RunResult r = aktoken({"rotate", "old-api", "--show-key", "-o", "tsv"},
                              frozen_clock(aktoken_env(sandbox, kAdminKey, home), 1795953600));
        CHECK(r.exit_code == 0);
        CHECK(r.err ==
              "aktoken: warning: token \"old-api\" expires 2026-11-29T12:30:00Z (in 30m), within a day: authentik's "
              "housekeeping then gives it another key; `aktoken update old-api --no-expiring` keeps it from "
              "expiring\n");
        CHECK(r.out ==
              "identifier\tresult\texpires\tkey_went_to\treason\tkey\nold-api\trotated\t2026-11-29T12:30:00Z\t"
              "stdout\trequested\t" +
                  *sandbox.key_of("old-api") + "\n");
        CHECK(methods_and_paths(sandbox) == std::vector<std::string>{
                                                "GET /api/v3/core/tokens/old-api/",
                                                "PATCH /api/v3/core/tokens/old-api/ {\"intent\":\"api\",\"user\":2}",
                                                "POST /api/v3/core/tokens/old-api/set_key/",
                                                "GET /api/v3/core/users/me/",
                                            });
    }

    TEST_CASE("rotate: an app password's expiry follows --expires, and keys can be shown as JSON") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        RunResult r =
            aktoken({"rotate", "alice-app", "--show-key", "--expires", "2027-02-01", "-o", "json", "--length", "40"},
                    aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.err == "");
        CHECK(r.exit_code == 0);
        const std::string key = *sandbox.key_of("alice-app");
        CHECK(key.size() == 40);
        CHECK(r.out ==
              "[\n  {\n    \"identifier\": \"alice-app\",\n    \"result\": \"rotated\",\n    \"reason\": "
              "\"requested\",\n    \"expires\": \"2027-02-01T00:00:00Z\",\n    \"key_went_to\": \"stdout\",\n"
              "    \"key\": \"" +
                  key + "\"\n  }\n]\n");
        auto requests = sandbox.requests();
        REQUIRE(requests.size() == 3);
        CHECK(requests[1].method == "PATCH");
        CHECK(requests[1].body == R"({"intent":"app_password","user":2,"expires":"2027-02-01T00:00:00Z"})");
        CHECK(requests[2].path == "/api/v3/core/tokens/alice-app/set_key/");
    }

    TEST_CASE("rotate: GitHub Actions masks a printed key on stderr first, in every format, stdout unchanged") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        Env env = aktoken_env(sandbox, kAdminKey, home);
        env.emplace("GITHUB_ACTIONS", "true");
        RunResult r = aktoken_masked({"rotate", "bob-api", "--show-key", "-o", "tsv"}, env);
        CHECK(r.exit_code == 0);
        std::string key = *sandbox.key_of("bob-api");
        CHECK(r.err == "::add-mask::" + key + "\n");
        CHECK(r.out ==
              "identifier\tresult\texpires\tkey_went_to\treason\tkey\n"
              "bob-api\trotated\tnever\tstdout\trequested\t" +
                  key + "\n");

        r = aktoken_masked({"rotate", "bob-api", "--show-key", "-o", "json"}, env);
        CHECK(r.exit_code == 0);
        key = *sandbox.key_of("bob-api");
        CHECK(r.err == "::add-mask::" + key + "\n");
        CHECK(r.out ==
              "[\n  {\n    \"identifier\": \"bob-api\",\n    \"result\": \"rotated\",\n    \"reason\": "
              "\"requested\",\n    \"expires\": null,\n    \"key_went_to\": \"stdout\",\n    \"key\": \"" +
                  key + "\"\n  }\n]\n");

        for (const char* format : {"table", "jsonl"}) {
            CAPTURE(format);
            r = aktoken_masked({"rotate", "bob-api", "alice-api", "--show-key", "-o", format}, env);
            CHECK(r.exit_code == 0);
            const std::string bob = *sandbox.key_of("bob-api");
            const std::string alice = *sandbox.key_of("alice-api");
            CHECK(r.err == "::add-mask::" + bob + "\n::add-mask::" + alice + "\n");
            CHECK(r.out.find("::") == std::string::npos);
            CHECK(r.out.find(bob) != std::string::npos);
            CHECK(r.out.find(alice) != std::string::npos);
        }
    }

    TEST_CASE("rotate: a new key that stdout cannot take is an error saying where the key still is") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        const Env env = aktoken_env(sandbox, kAdminKey, home);
        const std::string binary = AKTOKEN_BINARY;
        struct Case {
            std::string redirect;
            std::string reason;
        };
        const Case cases[] = {{"> /dev/full", "No space left on device"}, {">&-", "Bad file descriptor"}};
        for (const Case& c : cases) {
            CAPTURE(c.redirect);
            RunResult r =
                run_program("/bin/sh", {"-c", "exec " + binary + " rotate bob-api --show-key " + c.redirect}, env);
            CHECK(r.exit_code == 11);
            CHECK(r.out == "");
            CHECK(r.err == error_line("the new key of token \"bob-api\" could not be written to standard output (" +
                                      c.reason + "); the server holds it: read it with `aktoken view-key bob-api`"));
            CHECK(sandbox.key_of("bob-api") != kBobKey);

            r = run_program("/bin/sh",
                            {"-c", "exec " + binary + " rotate alice-api bob-api --show-key --parallel 1 --key-file " +
                                       home.path() + "/{}.key " + c.redirect},
                            env);
            CHECK(r.exit_code == 11);
            CHECK(r.err == error_line("the new key of token \"alice-api\" could not be written to standard output (" +
                                      c.reason + "); it is also in " + home.path() + "/alice-api.key") +
                               error_line("the new key of token \"bob-api\" could not be written to standard output (" +
                                          c.reason + "); it is also in " + home.path() + "/bob-api.key"));
            CHECK(read_file(home.path() + "/alice-api.key") == *sandbox.key_of("alice-api") + "\n");
            CHECK(read_file(home.path() + "/bob-api.key") == *sandbox.key_of("bob-api") + "\n");
        }
    }

    TEST_CASE("rotate: the expiry is renewed before the key changes; a failed renewal changes no key") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        const std::string path = home.write("alice.key", "old-key-on-disk\n");
        sandbox.fault("delay", 1, 0);
        sandbox.fault("500", 1);
        add_tokens(sandbox, R"([{"identifier":"old-api","intent":"api","user":2,"expires":"2026-11-01T00:00:00Z",)"
                            R"("expiring":true,"key":"old-api-key"}])");
        RunResult r = aktoken({"rotate", "old-api", "--key-file", path, "--retries", "0", "-o", "tsv"},
                              aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.exit_code == 8);
        CHECK(token_requests(sandbox) == std::vector<std::string>{"GET old-api/ (delay)", "PATCH old-api/ (500)"});
        CHECK(sandbox.key_of("old-api") == "old-api-key");
        CHECK(read_file(path) == "old-key-on-disk\n");
        CHECK(file_mode(path + ".pending") == -1);
    }

    TEST_CASE("rotate: --if-expiring-within skips with the reason and changes nothing") {
        Sandbox sandbox;
        TempDir home;
        const std::string later = utc_in(std::chrono::hours(24 * 10) + std::chrono::minutes(30));
        const std::string soon = utc_in(std::chrono::hours(24 * 2) + std::chrono::minutes(30));
        add_tokens(
            sandbox,
            fmt::format(R"([{{"identifier":"later","intent":"app_password","user":2,"expires":"{}","expiring":true}},)"
                        R"({{"identifier":"soon","intent":"app_password","user":2,"expires":"{}","expiring":true}}])",
                        later, soon));
        const std::string pattern = home.path() + "/{}.key";
        RunResult r = aktoken(
            {"rotate", "admin-api", "later", "soon", "--if-expiring-within", "7d", "--key-file", pattern, "-o", "tsv"},
            aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.err == "aktoken: warning: token \"soon\" expires " + soon +
                           " (in 2d), within --if-expiring-within 7d: authentik's housekeeping then deletes it; rotate "
                           "it with --expires to renew it\n");
        CHECK(r.exit_code == 0);
        CHECK(r.out ==
              "identifier\tresult\texpires\tkey_went_to\treason\n"
              "admin-api\tskipped\tnever\t-\tdoes not expire\n"
              "later\tskipped\t" +
                  later + "\t-\texpires in 10d, not within 7d\n" + "soon\trotated\t" + soon + "\t" + home.path() +
                  "/soon.key\texpires in 2d, within 7d\n");
        CHECK(file_mode(home.path() + "/later.key") == -1);
        CHECK(read_file(home.path() + "/soon.key") == *sandbox.key_of("soon") + "\n");
        CHECK(sandbox.key_of("admin-api") == kAdminKey);
    }

    TEST_CASE("rotate: rotating the run's own token switches to the new key and verifies it") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        const std::string token_file = home.write("token", kAdminKey + "\n");
        Env env{{"HOME", home.path()}, {"AUTHENTIK_URL", sandbox.url()}, {"AUTHENTIK_TOKEN_FILE", token_file}};
        RunResult r = aktoken(
            {"rotate", "admin-api", "bob-api", "--key-file", home.path() + "/{}", "-o", "jsonl", "--parallel", "1"},
            env);
        CHECK(r.err == "");
        CHECK(r.exit_code == 0);
        // The token file was the key file of admin-api: it now holds the new key, which works.
        std::filesystem::rename(home.path() + "/admin-api", token_file);
        CHECK(read_file(token_file) == *sandbox.key_of("admin-api") + "\n");
        CHECK(aktoken({"whoami"}, env).exit_code == 0);
        auto calls = methods_and_paths(sandbox);
        // The last two are whoami's (users/me, admin/version).
        REQUIRE(calls.size() == 9);
        CHECK(calls[8] == "GET /api/v3/admin/version/");
        CHECK(calls[2] == "GET /api/v3/core/users/me/");  // 403: the old key is dead
        CHECK(calls[3] == "GET /api/v3/core/users/me/");  // 200 with the new key
        CHECK(calls[4] == "GET /api/v3/core/tokens/bob-api/");
        CHECK(r.out.find("\"reason\":\"requested; aktoken now authenticates with the new key (verified)\"") !=
              std::string::npos);
    }

    TEST_CASE("rotate: a set_key refused with 403 leaves the old key working and no pending file") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        const std::string path = home.path() + "/alice.key";
        RunResult r = aktoken({"rotate", "alice-api", "--key-file", path}, aktoken_env(sandbox, kAliceKey, home));
        CHECK(r.exit_code == 5);
        CHECK(file_mode(path) == -1);
        CHECK(file_mode(path + ".pending") == -1);
        CHECK(sandbox.key_of("alice-api") == kAliceKey);
        CHECK(aktoken({"whoami"}, aktoken_env(sandbox, kAliceKey, home)).exit_code == 0);
    }

    TEST_CASE("rotate: an unconfirmed set_key keeps PATH.pending, and the next run completes it") {
        struct Case {
            std::string mode;
            int exit_code;
            std::vector<std::string> requests;
        };
        // With --retries 0 (retrying is not the point) each request is sent once, except that libcurl
        // sends an idempotent request once more, on a new connection, when the connection it reused
        // closes without an answer.
        const Case cases[] = {
            {"drop",
             9,
             {"GET bob-api/ (delay)", "POST bob-api/set_key/ (drop)", "POST bob-api/set_key/ (drop)",
              "GET bob-api/view_key/ (drop)"}},
            {"apply-then-drop",
             9,
             {"GET bob-api/ (delay)", "POST bob-api/set_key/ (apply-then-drop)", "POST bob-api/set_key/ (drop)",
              "GET bob-api/view_key/ (drop)"}},
            {"500",
             8,
             {"GET bob-api/ (delay)", "POST bob-api/set_key/ (500)", "GET bob-api/view_key/ (drop)",
              "GET bob-api/view_key/ (drop)"}},
        };
        Sandbox sandbox(kFrozen);
        for (const Case& c : cases) {
            CAPTURE(c.mode);
            sandbox.reset();
            TempDir home;
            const std::string path = home.path() + "/bob.key";
            home.write("bob.key", "old-key-on-disk\n");
            // The GET passes; set_key fails in `mode`, and everything after it (the view_key
            // confirmation) fails too.
            sandbox.fault("delay", 1, 0);
            sandbox.fault(c.mode, 1);
            sandbox.fault("drop", 50);
            RunResult r = aktoken({"rotate", "bob-api", "--key-file", path, "--retries", "0"},
                                  aktoken_env(sandbox, kAdminKey, home));
            CHECK(r.exit_code == c.exit_code);
            CHECK(token_requests(sandbox) == c.requests);
            CHECK(read_file(path) == "old-key-on-disk\n");
            REQUIRE(file_mode(path + ".pending") == 0600);
            const std::string pending = trimmed(read_file(path + ".pending"));
            CHECK(r.err.find(path + ".pending is kept and the next run completes the rotation") != std::string::npos);
            CHECK(r.err.find(pending) == std::string::npos);

            sandbox.clear_faults();
            r = aktoken({"rotate", "bob-api", "--key-file", path}, aktoken_env(sandbox, kAdminKey, home));
            CHECK(r.exit_code == 0);
            CHECK(r.err ==
                  "aktoken: note: completed the interrupted rotation of token \"bob-api\" from " + path + ".pending\n");
            CHECK(file_mode(path + ".pending") == -1);
            CHECK(read_file(path) == *sandbox.key_of("bob-api") + "\n");
        }
    }

    TEST_CASE("rotate: a run killed at any step leaves the key file and the server in agreement") {
        // Killed after PATH.pending is written while set_key keeps failing (nothing applied), and
        // killed after set_key was applied but before the rename (the answer was lost).
        for (const char* first_fault : {"500", "apply-then-drop"}) {
            CAPTURE(first_fault);
            Sandbox sandbox(kFrozen);
            TempDir home;
            const std::string path = home.path() + "/bob.key";
            home.write("bob.key", "old-key-on-disk\n");
            sandbox.fault("delay", 1, 0);
            sandbox.fault(first_fault, 1);
            sandbox.fault("delay", 50, 300);  // slow answers after that: time to kill the run
            Background run(AKTOKEN_BINARY, {"rotate", "bob-api", "--key-file", path},
                           aktoken_env(sandbox, kAdminKey, home));
            REQUIRE(
                eventually([&] { return file_mode(path + ".pending") == 0600 && saw_set_key(sandbox, "bob-api"); }));
            run.kill(SIGKILL);
            run.wait();
            CHECK(read_file(path) == "old-key-on-disk\n");

            sandbox.clear_faults();
            RunResult r = aktoken({"rotate", "bob-api", "--key-file", path}, aktoken_env(sandbox, kAdminKey, home));
            CHECK(r.exit_code == 0);
            CHECK(file_mode(path + ".pending") == -1);
            CHECK(read_file(path) == *sandbox.key_of("bob-api") + "\n");
        }
    }

    TEST_CASE("rotate: SIGTERM and SIGINT end the run with 143 and 130, no temporary file left, PATH.pending kept") {
        for (int signal_number : {SIGTERM, SIGINT}) {
            CAPTURE(signal_number);
            Sandbox sandbox(kFrozen);
            TempDir home;
            const std::string path = home.path() + "/bob.key";
            sandbox.fault("delay", 1, 0);
            sandbox.fault("delay", 5, 3000);
            Background run(AKTOKEN_BINARY, {"rotate", "bob-api", "--key-file", path},
                           aktoken_env(sandbox, kAdminKey, home));
            REQUIRE(
                eventually([&] { return file_mode(path + ".pending") == 0600 && saw_set_key(sandbox, "bob-api"); }));
            run.kill(signal_number);
            CHECK(run.wait() == 128 + signal_number);
            std::set<std::string> left;
            for (const auto& entry : std::filesystem::directory_iterator(home.path())) {
                left.insert(entry.path().filename().string());
            }
            CHECK(left == std::set<std::string>{"bob.key.lock", "bob.key.pending"});
        }
    }

    TEST_CASE("rotate: without a key file, a key whose fate is unknown is still shown") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        sandbox.fault("delay", 1, 0);
        sandbox.fault("apply-then-drop", 1);
        sandbox.fault("drop", 50);
        RunResult r = aktoken({"rotate", "bob-api", "--show-key", "-o", "jsonl", "--retries", "0"},
                              aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.exit_code == 9);
        // libcurl sends set_key once more on a new connection (the reused one closed without an
        // answer); then view_key cannot tell which key the server holds.
        CHECK(token_requests(sandbox) ==
              std::vector<std::string>{"GET bob-api/ (delay)", "POST bob-api/set_key/ (apply-then-drop)",
                                       "POST bob-api/set_key/ (drop)", "GET bob-api/view_key/ (drop)"});
        const std::string key = *sandbox.key_of("bob-api");
        CHECK(r.out ==
              "{\"identifier\":\"bob-api\",\"result\":\"failed\",\"reason\":\"outcome unknown: the server "
              "may hold the key shown\",\"expires\":null,\"key_went_to\":\"stdout\",\"key\":\"" +
                  key + "\"}\n");
    }

    TEST_CASE("rotate: --lock makes a second scheduler exit 10") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        const std::string lock_path = home.path() + "/rotate.lock";
        int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        REQUIRE(::flock(fd, LOCK_EX) == 0);
        RunResult r = aktoken({"rotate", "bob-api", "--show-key", "--lock", lock_path, "--lock-timeout", "0.2"},
                              aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.exit_code == 10);
        CHECK(r.out == "");
        CHECK(r.err ==
              error_line("busy: " + lock_path + " is locked by another run (waited 0.2 s; see --lock-timeout)"));
        CHECK(sandbox.requests().empty());
        ::close(fd);
        r = aktoken({"rotate", "bob-api", "--show-key", "--lock", lock_path}, aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.exit_code == 0);
    }

    TEST_CASE("rotate: a PATH.pending that aktoken cannot have written is refused, and nothing is sent") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        const std::string path = home.path() + "/ci.key";
        const std::string pending = path + ".pending";
        const std::string other = home.path() + "/other.key";
        const std::string well_formed(60, 'P');
        const std::string content_problem =
            "it does not hold a key as aktoken writes one (32 to 512 letters and digits, then a newline)";
        struct Case {
            std::string name;
            std::function<void()> plant;
            std::string problem;
        };
        std::vector<Case> cases = {
            {"a symbolic link to a file of the right form",
             [&] {
                 home.write("other.key", well_formed + "\n");
                 REQUIRE(::symlink(other.c_str(), pending.c_str()) == 0);
             },
             "it is a symbolic link"},
            {"a FIFO", [&] { REQUIRE(::mkfifo(pending.c_str(), 0600) == 0); }, "it is not a regular file"},
            {"mode 0644", [&] { home.write("ci.key.pending", well_formed + "\n", 0644); },
             "its mode is 0644, not 0600"},
            {"a second name of another file",
             [&] {
                 home.write("other.key", well_formed + "\n");
                 REQUIRE(::link(other.c_str(), pending.c_str()) == 0);
             },
             "it has 2 hard links, not 1"},
            {"5 characters", [&] { home.write("ci.key.pending", "abcde\n"); }, content_problem},
            {"31 characters", [&] { home.write("ci.key.pending", std::string(31, 'P') + "\n"); }, content_problem},
            {"513 characters", [&] { home.write("ci.key.pending", std::string(513, 'P') + "\n"); }, content_problem},
            {"a character outside [A-Za-z0-9]",
             [&] { home.write("ci.key.pending", std::string(40, 'P') + "-" + std::string(19, 'P') + "\n"); },
             content_problem},
            {"no newline", [&] { home.write("ci.key.pending", well_formed); }, content_problem},
            {"two keys", [&] { home.write("ci.key.pending", well_formed + "\n" + well_formed + "\n"); },
             content_problem},
        };
        if (::geteuid() == 0) {
            cases.push_back({"owned by another user",
                             [&] {
                                 home.write("ci.key.pending", well_formed + "\n");
                                 REQUIRE(::chown(pending.c_str(), 65534, 65534) == 0);
                             },
                             "it is owned by uid 65534, not by uid 0 who runs aktoken"});
        }
        for (const Case& c : cases) {
            CAPTURE(c.name);
            ::unlink(pending.c_str());
            ::unlink(other.c_str());
            c.plant();
            sandbox.clear_requests();
            RunResult r = aktoken({"rotate", "bob-api", "--key-file", path, "--if-expiring-within", "7d"},
                                  aktoken_env(sandbox, kAdminKey, home));
            CHECK(r.exit_code == 3);
            CHECK(r.out == "");
            CHECK(r.err == error_line("refusing pending key file " + pending + ": " + c.problem +
                                      "; nothing was sent: check where it came from, then remove it"));
            CHECK(sandbox.requests().empty());
            CHECK(sandbox.key_of("bob-api") == kBobKey);
            CHECK(file_mode(path) == -1);
        }
    }

    TEST_CASE("rotate: every rotation to a key file holds PATH.lock; a second run exits 10 and sends nothing") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        const std::string path = home.path() + "/bob-api.key";
        const std::string lock = path + ".lock";
        const int fd = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        REQUIRE(::flock(fd, LOCK_EX) == 0);
        const std::string busy = "busy: " + lock + " is locked by another run (waited 0 s; see --lock-timeout)";
        RunResult r =
            aktoken({"rotate", "bob-api", "--key-file", path, "-o", "tsv"}, aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.exit_code == 10);
        CHECK(r.err == error_line(busy));
        CHECK(r.out == "identifier\tresult\texpires\tkey_went_to\treason\nbob-api\tfailed\t-\t-\t" + busy + "\n");
        CHECK(sandbox.requests().empty());

        r = aktoken({"rotate", "bob-api", "--key-file", path, "--lock-timeout", "0.2", "-o", "id"},
                    aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.exit_code == 10);
        CHECK(r.err == error_line("busy: " + lock + " is locked by another run (waited 0.2 s; see --lock-timeout)"));
        CHECK(sandbox.requests().empty());

        // One lock per key file: in a bulk run only the token whose file is locked fails.
        r = aktoken(
            {"rotate", "alice-api", "bob-api", "--key-file", home.path() + "/{}.key", "--parallel", "2", "-o", "tsv"},
            aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.exit_code == 10);
        CHECK(r.err == error_line("token \"bob-api\": " + busy));
        CHECK(r.out ==
              "identifier\tresult\texpires\tkey_went_to\treason\n"
              "alice-api\trotated\t2030-06-01T00:00:00Z\t" +
                  home.path() + "/alice-api.key\trequested\nbob-api\tfailed\t-\t-\t" + busy + "\n");
        CHECK(sandbox.key_of("bob-api") == kBobKey);
        CHECK(read_file(home.path() + "/alice-api.key") == *sandbox.key_of("alice-api") + "\n");

        ::close(fd);
        r = aktoken({"rotate", "bob-api", "--key-file", path}, aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.exit_code == 0);
        CHECK(read_file(path) == *sandbox.key_of("bob-api") + "\n");
        CHECK(file_mode(lock) == 0600);

        // --lock naming PATH.lock itself is one lock, not a run waiting for itself.
        r = aktoken({"rotate", "bob-api", "--key-file", path, "--lock", home.path() + "/./bob-api.key.lock"},
                    aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.err == "");
        CHECK(r.exit_code == 0);
        CHECK(read_file(path) == *sandbox.key_of("bob-api") + "\n");
    }

    TEST_CASE("rotate: a second run on the same key file leaves the first run's PATH.pending alone") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        const std::string path = home.path() + "/bob.key";
        const Env env = aktoken_env(sandbox, kAdminKey, home);
        sandbox.fault("delay", 1, 0);
        sandbox.fault("delay", 5, 3000);
        Background first(AKTOKEN_BINARY, {"rotate", "bob-api", "--key-file", path}, env);
        REQUIRE(eventually([&] { return file_mode(path + ".pending") == 0600 && saw_set_key(sandbox, "bob-api"); }));
        const std::string first_key = trimmed(read_file(path + ".pending"));
        const std::size_t requests_so_far = sandbox.requests().size();

        RunResult second = aktoken({"rotate", "bob-api", "--key-file", path, "-o", "id"}, env);
        CHECK(second.exit_code == 10);
        CHECK(second.out == "bob-api\n");
        CHECK(second.err ==
              error_line("busy: " + path + ".lock is locked by another run (waited 0 s; see --lock-timeout)"));
        CHECK(sandbox.requests().size() == requests_so_far);
        CHECK(trimmed(read_file(path + ".pending")) == first_key);

        // The first run dies waiting for its set_key; the next run completes its rotation.
        first.kill(SIGKILL);
        first.wait();
        sandbox.clear_faults();
        RunResult third = aktoken({"rotate", "bob-api", "--key-file", path, "--if-expiring-within", "7d"}, env);
        CHECK(third.exit_code == 0);
        CHECK(read_file(path) == first_key + "\n");
        CHECK(sandbox.key_of("bob-api") == first_key);
    }

    TEST_CASE("rotate: bad input is refused before anything is sent") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        expect_refused(
            sandbox, home,
            {
                {{"rotate", "bob-api"},
                 "rotate needs --key-file PATH, --show-key or both (or --exec CMD with --overlap): the new key must go "
                 "somewhere"},
                {{"rotate", "bob-api", "--show-key", "--length", "31"},
                 "--length: invalid value \"31\": expected a number of characters from 32 to 512"},
                {{"rotate", "bob-api", "--show-key", "--if-expiring-within", "soon"},
                 "--if-expiring-within: invalid value \"soon\": expected a duration such as 14d, 12h, 1d12h"},
                {{"rotate", "a", "b", "--key-file", "/tmp/x.key"},
                 "--key-file: invalid value \"/tmp/x.key\": rotating several tokens needs {} in the path, replaced by "
                 "each "
                 "identifier"},
                {{"rotate", "bob-api", "--show-key", "--lock-timeout", "5"},
                 "--lock-timeout needs --lock FILE, --key-file PATH (whose PATH.lock every rotation takes) or "
                 "--overlap (which locks each token)"},
                // Found before anything is sent: a set_key whose key cannot be written would lose it.
                {{"rotate", "a", "b", "--key-file", "/nonexistent-dir/{}.key"},
                 "--key-file: invalid value \"/nonexistent-dir/{}.key\": directory /nonexistent-dir does not exist"},
                {{"rotate", "bob-api", "--key-file", "/tmp"},
                 "--key-file: invalid value \"/tmp\": /tmp is a directory"},
                {{"rotate", "bob-api", "--show-key", "--expires", "tomorrow"},
                 "--expires: invalid value \"tomorrow\": expected an RFC 3339 time (2027-01-31T12:00:00Z), a date "
                 "(2027-01-31), a duration (+30d, 12h, 1d12h) or never"},
            });
    }

}  // TEST_SUITE
