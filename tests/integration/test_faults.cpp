// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include "integration/harness.h"

using namespace harness;

namespace {

const std::vector<std::string> kFrozen = {"--now", "2026-11-29T12:00:00Z"};

struct Fault {
    std::string mode;
    int count;
    int arg;
};

struct Case {
    std::string name;
    std::vector<std::string> args;
    std::vector<Fault> faults;
    int exit_code;
    std::string input = {};
};

std::size_t count_requests(const Sandbox& sandbox, const std::string& method) {
    std::size_t n = 0;
    for (const Recorded& r : sandbox.requests()) {
        n += r.method == method ? 1 : 0;
    }
    return n;
}

}  // namespace

TEST_SUITE("integration") {

TEST_CASE("faults: every command against every fault mode of the sandbox") {
    TempDir home;
    const std::string key_file = home.write("new.key", "a-brand-new-key-0123456789\n");
    const std::vector<std::string> commands[] = {
        {"get", "alice-api"},
        {"update", "alice-app", "--description", "x"},
        {"list", "-o", "id"},
        {"create", "fresh-token"},
        {"delete", "--yes", "bob-app"},
        {"view-key", "alice-api"},
        {"set-key", "bob-api", "--key-file", key_file},
        {"used-by", "outpost-token"},
        {"whoami"},
        {"rotate", "bob-api", "--show-key"},
        {"check", "alice-api"},
        {"check", "--user", "alice"},
    };
    for (const auto& command : commands) {
        struct Mode {
            std::vector<Fault> faults;
            int exit_code;
        };
        const bool body_less = command[0] == "delete" || command[0] == "set-key";
        const Mode modes[] = {
            {{{"503", 1, 1}}, 0},                      // retried after Retry-After: 1
            {{{"429", 1, 1}}, 0},
            {{{"502", 1, 0}}, 0},                      // a proxy error: retried where safe, read back for create
            {{{"drop", 1, 0}}, 0},                     // no answer at all
            {{{"delay", 1, 2500}}, 0},                 // past --timeout 1: retried where safe
            {{{"500", 1, 0}}, 8},                      // not retried
            {{{"truncate", 1, 0}}, body_less ? 0 : 8}, // a broken answer is never accepted
            {{{"503", 10, 0}}, 8},                     // still failing after --retries 2
        };
        for (const Mode& mode : modes) {
            CAPTURE(command[0]);
            CAPTURE(mode.faults[0].mode);
            Sandbox sandbox(kFrozen);
            for (const Fault& f : mode.faults) {
                sandbox.fault(f.mode, f.count, f.arg);
            }
            std::vector<std::string> args = {"--timeout", "1", "--retries", "2"};
            args.insert(args.end(), command.begin(), command.end());
            RunResult r = aktoken(args, aktoken_env(sandbox, kAdminKey, home));
            // check speaks the monitoring-plugin language: 3 is "could not check".
            const int expected = command[0] == "check" && mode.exit_code != 0 ? 3 : mode.exit_code;
            CHECK(r.exit_code == expected);
            CHECK(r.err.find(kAdminKey) == std::string::npos);
            if (mode.exit_code == 0) {
                CHECK(r.out != "");
            }
        }
    }
}

TEST_CASE("faults: a create whose answer was lost is read back, never sent twice") {
    Sandbox sandbox(kFrozen);
    TempDir home;
    sandbox.fault("apply-then-drop", 1);
    RunResult r = aktoken({"create", "ci-lost", "--description", "CI", "-o", "id"}, aktoken_env(sandbox, kAdminKey, home));
    CHECK(r.exit_code == 0);
    CHECK(r.out == "ci-lost\n");
    CHECK(r.err ==
          "aktoken: note: the answer to the create of token \"ci-lost\" was lost (connection to 127.0.0.1 closed "
          "without a response); the token exists as requested\n");
    CHECK(count_requests(sandbox, "POST") == 1);

    // Nothing was created: one more attempt.
    sandbox.clear_requests();
    sandbox.fault("drop", 1);
    r = aktoken({"create", "ci-dropped", "-o", "id"}, aktoken_env(sandbox, kAdminKey, home));
    CHECK(r.exit_code == 0);
    CHECK(count_requests(sandbox, "POST") == 2);

    // A 503 comes from authentik's front proxy while booting: nothing was applied, retry.
    sandbox.clear_requests();
    sandbox.fault("503", 1, 1);
    r = aktoken({"create", "ci-booting", "-o", "id", "-v"}, aktoken_env(sandbox, kAdminKey, home));
    CHECK(r.exit_code == 0);
    CHECK(r.err.find("aktoken: retry 1/3 after 1.0 s: HTTP 503 Service Unavailable\n") != std::string::npos);
    CHECK(count_requests(sandbox, "POST") == 2);
}

TEST_CASE("faults: a DELETE retried after a lost answer counts the 404 as deleted") {
    Sandbox sandbox(kFrozen);
    TempDir home;
    sandbox.fault("apply-then-drop", 1);
    RunResult r = aktoken({"delete", "--yes", "bob-app"}, aktoken_env(sandbox, kAdminKey, home));
    CHECK(r.err == "");
    CHECK(r.exit_code == 0);
    CHECK(r.out == "deleted bob-app\n");
    CHECK(count_requests(sandbox, "DELETE") == 2);
}

TEST_CASE("faults: --retries 0 and AKTOKEN_RETRIES turn retries off, bad values are refused") {
    Sandbox sandbox(kFrozen);
    TempDir home;
    sandbox.fault("503", 1, 0);
    RunResult r = aktoken({"get", "alice-api", "--retries", "0"}, aktoken_env(sandbox, kAdminKey, home));
    CHECK(r.exit_code == 8);
    Env env = aktoken_env(sandbox, kAdminKey, home);
    env.emplace("AKTOKEN_RETRIES", "0");
    sandbox.fault("503", 1, 0);
    r = aktoken({"get", "alice-api"}, env);
    CHECK(r.exit_code == 8);
    r = aktoken({"get", "alice-api", "--retries", "11"}, aktoken_env(sandbox, kAdminKey, home));
    CHECK(r.exit_code == 2);
    CHECK(r.err == error_line("--retries: invalid value \"11\": expected a whole number from 0 to 10"));
}

}  // TEST_SUITE
