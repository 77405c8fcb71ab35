// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <functional>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "integration/harness.h"
#include "rapidjson/document.h"

using namespace harness;

namespace {

const std::vector<std::string> kFrozen = {"--now", "2026-11-29T12:00:00Z"};

std::size_t count_requests(const Sandbox& sandbox, const std::string& method) {
    std::size_t n = 0;
    for (const Recorded& r : sandbox.requests()) {
        n += r.method == method ? 1 : 0;
    }
    return n;
}

// The value of a token's field as the sandbox holds it ("" when there is no such token).
std::string field_of(const Sandbox& sandbox, const std::string& identifier, const char* field) {
    rapidjson::Document doc;
    doc.Parse(sandbox.control_get("tokens").c_str());
    REQUIRE_FALSE(doc.HasParseError());
    for (const auto& token : doc.GetArray()) {
        if (token["identifier"].GetString() == identifier) {
            return token[field].GetString();
        }
    }
    return {};
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
    if (from.empty()) {
        return text;
    }
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
        text.replace(at, from.size(), to);
    }
    return text;
}

// One command of the fault matrix and what it sends when nothing goes wrong.
struct Command {
    std::vector<std::string> args;
    // "METHOD PATH[?QUERY]" of each request, in order.
    std::vector<std::string> requests;
    // Whether the answer to the first request has a body (a truncated empty body is still whole).
    bool answer_has_body = true;
    // For a first request that is not idempotent (create's POST): the request that reads back
    // whether it was applied when its answer was lost. Empty: the first request is retried.
    std::string read_back = {};
    // A token field the command prints that is random on every run (a new pk, a new key).
    std::string varying_token = {};
    const char* varying_field = nullptr;
    // Whether it fetches through libcurl's multi interface (pages of a listing): a retry then
    // waits inside libcurl, which skip_sleeps does not reach, so the wait is waited out.
    bool waits_in_libcurl = false;
};

// What a fault does to the command.
enum class Effect {
    refused,    // refused before anything was applied: retried, whatever the request
    lost,       // the answer is lost and the request may have been applied: retried if idempotent,
                // else read back and sent once more when it was not applied
    failed,     // an error that retrying does not fix: reported at once
    truncated,  // half the body: a broken answer is never accepted, an empty one stays whole
    runs_out,   // refused every time: retried until --retries runs out
};

struct Mode {
    std::string fault;
    int count;
    int arg;
    Effect effect;
    std::vector<std::string> options = {};  // besides --retries
    // Why the answer was lost, as aktoken says it (for create's note), from the request's method and URL.
    std::function<std::string(const std::string& method, const std::string& url)> lost_cause = {};
};

// Why an answer was lost, as aktoken says it in create's note, from the request's method and URL.
std::string proxy_error(const std::string& method, const std::string& url) {
    return fmt::format("HTTP 502 Bad Gateway from {} {}: 502 Bad Gateway", method, url);
}

std::string dropped(const std::string&, const std::string&) {
    return "connection to 127.0.0.1 closed without a response";
}

std::string timed_out(const std::string&, const std::string& url) {
    return fmt::format("request to {} timed out after 0.5 s", url);
}

// The modes in the order they run. `delay` comes last: its delayed request is still being served
// after the command ends, and may still change the store, so nothing may run after it.
const std::vector<Mode>& modes() {
    using E = Effect;
    static const std::vector<Mode> all = {
        // Retry-After: 1, then the answer.
        {.fault = "503", .count = 1, .arg = 1, .effect = E::refused},
        {.fault = "429", .count = 1, .arg = 1, .effect = E::refused},
        // A proxy's error page, no answer at all.
        {.fault = "502", .count = 1, .arg = 0, .effect = E::lost, .lost_cause = proxy_error},
        {.fault = "drop", .count = 1, .arg = 0, .effect = E::lost, .lost_cause = dropped},
        {.fault = "500", .count = 1, .arg = 0, .effect = E::failed},
        {.fault = "truncate", .count = 1, .arg = 0, .effect = E::truncated},
        // Still failing when the retries run out.
        {.fault = "503", .count = 10, .arg = 0, .effect = E::runs_out},
        // Answered 1.5 s late, past --timeout 0.5.
        {.fault = "delay",
         .count = 1,
         .arg = 1500,
         .effect = E::lost,
         .options = {"--timeout", "0.5"},
         .lost_cause = timed_out},
    };
    return all;
}

// --retries of every run.
constexpr int kRetries = 2;

// The least and the most wait before retry n (1-based): the backoff, 2^(n-1) s with jitter (half
// of it to all of it), but no less than the server's Retry-After (the 503 and 429 modes send 1 s
// or 0 s).
std::pair<double, double> retry_wait(int n, const Mode& mode) {
    const double backoff = std::ldexp(1.0, n - 1);
    const double retry_after = mode.fault == "503" || mode.fault == "429" ? mode.arg : 0;
    return {std::max(backoff / 2, retry_after), std::max(backoff, retry_after)};
}

// Each "retrying in N s" of stderr with the wait left out: the waits carry jitter and are
// checked on their own (the skipped sleeps).
std::string without_waits(const std::string& err) {
    static const std::regex wait("retrying in [0-9.]+ s");
    return std::regex_replace(err, wait, "retrying in <wait>");
}

// The line aktoken prints before retry n (1-based) of the mode's failure.
std::string retry_line(const Mode& mode, int n, const std::string& method, const std::string& url) {
    const std::string cause = mode.fault == "503"   ? "503 Service Unavailable"
                              : mode.fault == "429" ? "429 Too Many Requests"
                              : mode.fault == "502" ? "502 Bad Gateway"
                                                    : mode.lost_cause(method, url);
    return fmt::format("aktoken: retrying in <wait> ({}), attempt {} of {}\n", cause, n + 1, kRetries + 1);
}

// Runs the command without a fault, then against each fault mode, on one sandbox that is reset
// in between. Checks the exit status, the requests sent (each one, in order, with its fault),
// the wait before a retry (skipped, not waited out), stdout (the fault-free output after a
// recovery, nothing after a failure) and stderr (exact but for the offset of a JSON syntax error).
void run_matrix(const Sandbox& sandbox, const TempDir& home, const Command& command) {
    const SkippedSleeps sleeps(home);
    const Env env = sleeps.apply(aktoken_env(sandbox, kAdminKey, home));
    // check speaks the monitoring-plugin language: 3 is "could not check".
    const int failure_exit = command.args[0] == "check" ? 3 : 8;
    // Their output has a row per token, a failed one too.
    const bool prints_failures = command.args[0] == "rotate" || command.args[0] == "delete";
    const std::string& first = command.requests.front();
    const std::string first_method = first.substr(0, first.find(' '));
    const std::string first_url = sandbox.url() + first.substr(first.find(' ') + 1);
    const std::vector<std::string> rest(command.requests.begin() + 1, command.requests.end());
    // The output with the random value the sandbox now holds replaced by a placeholder.
    auto normalized = [&](const std::string& out) {
        if (command.varying_field == nullptr) {
            return out;
        }
        return replace_all(out, field_of(sandbox, command.varying_token, command.varying_field), "<varying>");
    };

    sandbox.reset();
    std::vector<std::string> args = {"--retries", std::to_string(kRetries)};
    args.insert(args.end(), command.args.begin(), command.args.end());
    const RunResult clean = aktoken(args, env);
    REQUIRE(clean.exit_code == 0);
    CHECK(clean.err == "");
    CHECK(request_lines(sandbox) == command.requests);
    CHECK(sleeps.take().empty());
    const std::string expected_out = normalized(clean.out);
    CHECK(expected_out != "");

    for (const Mode& mode : modes()) {
        CAPTURE(mode.fault);
        CAPTURE(mode.count);
        sandbox.reset();
        sandbox.fault(mode.fault, mode.count, mode.arg);
        args = {"--retries", std::to_string(kRetries)};
        args.insert(args.end(), mode.options.begin(), mode.options.end());
        args.insert(args.end(), command.args.begin(), command.args.end());
        const auto start = std::chrono::steady_clock::now();
        const RunResult r = aktoken(args, env);
        const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
        const std::vector<double> slept = sleeps.take();
        const std::vector<std::string> sent = request_lines(sandbox);
        CHECK(sandbox.stats().requests == static_cast<int>(sent.size()));
        CHECK(r.err.find(kAdminKey) == std::string::npos);

        const std::string faulted = first + " (" + mode.fault + ")";
        std::vector<std::string> expected_requests = {faulted};
        bool recovers = true;
        int retries = 0;
        std::string expected_err;
        switch (mode.effect) {
            case Effect::refused:
                retries = 1;
                expected_requests.push_back(first);
                break;
            case Effect::lost:
                if (!command.read_back.empty()) {
                    expected_requests.push_back(command.read_back);
                    expected_err = fmt::format(
                        "aktoken: note: the create of token \"{}\" got no answer ({}) and created nothing; trying "
                        "once more\n",
                        command.args[1], mode.lost_cause(first_method, first_url));
                } else {
                    retries = 1;
                }
                expected_requests.push_back(first);
                break;
            case Effect::failed:
                recovers = false;
                expected_err = error_line(fmt::format(
                    "HTTP 500 Internal Server Error from {} {}: Internal Server Error", first_method, first_url));
                break;
            case Effect::truncated:
                recovers = !command.answer_has_body;
                if (!recovers) {
                    // Only where the body broke off differs from command to command.
                    const std::string prefix =
                        "aktoken: error: unexpected answer from the server: invalid JSON at offset ";
                    const std::string suffix = ": Missing a closing quotation mark in string.\n";
                    CHECK(r.err.rfind(prefix, 0) == 0);
                    CHECK(r.err.size() > prefix.size() + suffix.size());
                    CHECK(r.err.substr(r.err.size() - std::min(r.err.size(), suffix.size())) == suffix);
                    CHECK(r.err.find_first_not_of("0123456789", prefix.size()) == r.err.size() - suffix.size());
                }
                break;
            case Effect::runs_out:
                retries = kRetries;
                recovers = false;
                expected_requests.insert(expected_requests.end(), retries, faulted);
                expected_err = error_line(fmt::format(
                    "HTTP 503 Service Unavailable from {} {}: authentik starting; gave up after {} attempts",
                    first_method, first_url, kRetries + 1));
                break;
        }
        // Each retry is announced on stderr before its wait.
        std::string announced;
        for (int n = 1; n <= retries; ++n) {
            announced += retry_line(mode, n, first_method, first_url);
        }
        expected_err = announced + expected_err;
        if (recovers) {
            expected_requests.insert(expected_requests.end(), rest.begin(), rest.end());
        }
        CHECK(sent == expected_requests);
        if (command.waits_in_libcurl) {
            CHECK(slept.empty());
            double least = 0;
            for (int n = 1; n <= retries; ++n) {
                least += retry_wait(n, mode).first;
            }
            CHECK(elapsed.count() >= least);
        } else {
            REQUIRE(slept.size() == static_cast<std::size_t>(retries));
            for (int n = 1; n <= retries; ++n) {
                CAPTURE(n);
                CHECK(slept[n - 1] >= retry_wait(n, mode).first);
                CHECK(slept[n - 1] <= retry_wait(n, mode).second);
            }
        }
        CHECK(r.exit_code == (recovers ? 0 : failure_exit));
        if (recovers) {
            CHECK(normalized(r.out) == expected_out);
        } else if (!prints_failures) {
            CHECK(r.out == "");
        }
        if (recovers || mode.effect != Effect::truncated) {
            CHECK(without_waits(r.err) == expected_err);
        }
    }
}

// The sandbox and home directory of one command's matrix.
struct Matrix {
    Sandbox sandbox{kFrozen};
    TempDir home;
};

const std::string kTokens = "/api/v3/core/tokens/";

}  // namespace

TEST_SUITE("integration") {
    TEST_CASE_FIXTURE(Matrix, "faults: get against every fault mode of the sandbox") {
        run_matrix(sandbox, home, {{"get", "alice-api"}, {"GET " + kTokens + "alice-api/"}});
    }

    TEST_CASE_FIXTURE(Matrix, "faults: update against every fault mode of the sandbox") {
        run_matrix(sandbox, home,
                   {{"update", "alice-app", "--description", "x"},
                    {"GET " + kTokens + "alice-app/", "PATCH " + kTokens + "alice-app/"}});
    }

    TEST_CASE_FIXTURE(Matrix, "faults: list against every fault mode of the sandbox") {
        run_matrix(sandbox, home,
                   {.args = {"list", "-o", "id"},
                    .requests = {"GET " + kTokens + "?page_size=100&page=1"},
                    .waits_in_libcurl = true});
    }

    TEST_CASE_FIXTURE(Matrix, "faults: create against every fault mode of the sandbox") {
        run_matrix(sandbox, home,
                   {{"create", "fresh-token"},
                    {"POST " + kTokens},
                    true,
                    "GET " + kTokens + "fresh-token/",
                    "fresh-token",
                    "pk"});
    }

    TEST_CASE_FIXTURE(Matrix, "faults: delete against every fault mode of the sandbox") {
        run_matrix(sandbox, home, {{"delete", "--yes", "bob-app"}, {"DELETE " + kTokens + "bob-app/"}, false});
    }

    TEST_CASE_FIXTURE(Matrix, "faults: view-key against every fault mode of the sandbox") {
        run_matrix(sandbox, home, {{"view-key", "alice-api"}, {"GET " + kTokens + "alice-api/view_key/"}});
    }

    TEST_CASE_FIXTURE(Matrix, "faults: set-key against every fault mode of the sandbox") {
        const std::string key_file = home.write("new.key", "a-brand-new-key-0123456789\n");
        run_matrix(sandbox, home,
                   {{"set-key", "bob-api", "--key-file", key_file}, {"POST " + kTokens + "bob-api/set_key/"}, false});
    }

    TEST_CASE("faults: used-by against every fault mode of the sandbox") {
        // The matrix resets the sandbox before each mode, so the token that something uses (the
        // built-in seed, like authentik, has none) must come from the seed itself.
        const TempDir seed_dir;
        const std::string seed =
            seed_dir.write("seed.json", R"({"users": [{"pk": 1, "username": "akadmin", "is_superuser": true}],
                "tokens": [{"identifier": "admin-api", "user": 1, "expiring": false, "key": "akadmin-secret-key-0001"},
                           {"identifier": "linked", "user": 1, "expiring": false,
                            "used_by": [{"app": "authentik_flows", "model_name": "flowtoken", "pk": "42",
                                         "name": "Password reset", "action": "cascade"}]}]})");
        std::vector<std::string> args = kFrozen;
        args.insert(args.end(), {"--seed", seed});
        const Sandbox sandbox(args);
        const TempDir home;
        run_matrix(sandbox, home, {{"used-by", "linked"}, {"GET " + kTokens + "linked/used_by/"}});
    }

    TEST_CASE_FIXTURE(Matrix, "faults: whoami against every fault mode of the sandbox") {
        run_matrix(sandbox, home, {{"whoami"}, {"GET /api/v3/core/users/me/", "GET /api/v3/admin/version/"}});
    }

    TEST_CASE_FIXTURE(Matrix, "faults: rotate against every fault mode of the sandbox") {
        run_matrix(
            sandbox, home,
            {{"rotate", "bob-api", "--show-key"},
             {"GET " + kTokens + "bob-api/", "POST " + kTokens + "bob-api/set_key/", "GET /api/v3/core/users/me/"},
             true,
             {},
             "bob-api",
             "key"});
    }

    TEST_CASE_FIXTURE(Matrix, "faults: check IDENTIFIER against every fault mode of the sandbox") {
        // -o tsv and the table carry the seconds left, which move on between two runs: -o id.
        run_matrix(sandbox, home, {{"check", "alice-api", "-o", "id"}, {"GET " + kTokens + "alice-api/"}});
    }

    TEST_CASE_FIXTURE(Matrix, "faults: check --user against every fault mode of the sandbox") {
        run_matrix(sandbox, home,
                   {.args = {"check", "--user", "alice", "-o", "id"},
                    .requests = {"GET " + kTokens + "?user__username=alice&page_size=100&page=1"},
                    .waits_in_libcurl = true});
    }

    TEST_CASE("faults: a create whose answer was lost is read back, never sent twice") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        const SkippedSleeps sleeps(home);
        const Env env = sleeps.apply(aktoken_env(sandbox, kAdminKey, home));
        sandbox.fault("apply-then-drop", 1);
        RunResult r = aktoken({"create", "ci-lost", "--description", "CI", "-o", "id"}, env);
        CHECK(r.exit_code == 0);
        CHECK(r.out == "ci-lost\n");
        CHECK(r.err ==
              "aktoken: note: the answer to the create of token \"ci-lost\" was lost (connection to 127.0.0.1 closed "
              "without a response); the token exists as requested\n");
        CHECK(count_requests(sandbox, "POST") == 1);

        // Nothing was created: one more attempt, at once.
        sandbox.clear_requests();
        sandbox.fault("drop", 1);
        r = aktoken({"create", "ci-dropped", "-o", "id"}, env);
        CHECK(r.exit_code == 0);
        CHECK(count_requests(sandbox, "POST") == 2);
        CHECK(sleeps.take().empty());

        // A 503 comes from authentik's front proxy while booting: nothing was applied, retry.
        sandbox.clear_requests();
        sandbox.fault("503", 1, 1);
        r = aktoken({"create", "ci-booting", "-o", "id", "-v"}, env);
        CHECK(r.exit_code == 0);
        CHECK(r.err.find("aktoken: retrying in 1 s (503 Service Unavailable), attempt 2 of 4\n") != std::string::npos);
        CHECK(count_requests(sandbox, "POST") == 2);
        CHECK(sleeps.take() == std::vector<double>{1.0});

        // --quiet: a retry that ends well says nothing.
        sandbox.clear_requests();
        sandbox.fault("503", 1, 1);
        r = aktoken({"-q", "create", "ci-booting-quietly", "-o", "id"}, env);
        CHECK(r.exit_code == 0);
        CHECK(r.out == "ci-booting-quietly\n");
        CHECK(r.err == "");
        CHECK(count_requests(sandbox, "POST") == 2);
        CHECK(sleeps.take() == std::vector<double>{1.0});
    }

    TEST_CASE("faults: a DELETE retried after a lost answer counts the 404 as deleted") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        const SkippedSleeps sleeps(home);
        sandbox.fault("apply-then-drop", 1);
        RunResult r = aktoken({"delete", "--yes", "bob-app"}, sleeps.apply(aktoken_env(sandbox, kAdminKey, home)));
        CHECK(without_waits(r.err) ==
              "aktoken: retrying in <wait> (connection to 127.0.0.1 closed without a response), attempt 2 of 4\n");
        CHECK(r.exit_code == 0);
        CHECK(r.out == "deleted bob-app\n");
        CHECK(request_lines(sandbox) ==
              std::vector<std::string>{"DELETE /api/v3/core/tokens/bob-app/ (apply-then-drop)",
                                       "DELETE /api/v3/core/tokens/bob-app/"});
        // After the first backoff: 1 s with jitter.
        const std::vector<double> slept = sleeps.take();
        REQUIRE(slept.size() == 1);
        CHECK(slept[0] >= 0.5);
        CHECK(slept[0] <= 1.0);
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

    TEST_CASE("faults: a targeted fault hits only its method and path; the first matching fault is taken") {
        Sandbox sandbox(kFrozen);
        const std::string admin = "Bearer " + kAdminKey;
        // Queue: a PATCH of alice-api (twice), then a fault for any request, then one for any
        // request to bob-app's path, then one for any DELETE.
        sandbox.fault_on("PATCH", "/core/tokens/alice-api/", "503", 2, 0);
        sandbox.fault("500", 1);
        CHECK(sandbox.control_post("faults", R"({"mode":"502","path":"/api/v3/core/tokens/bob-app/"})") == "");
        CHECK(sandbox.control_post("faults", R"({"mode":"drop","method":"DELETE","path":null})") == "");

        const std::string patch = R"({"intent":"api","user":2,"description":"changed"})";
        // The untargeted 500 is the first fault that matches a GET.
        CHECK(sandbox.api("GET", "/core/tokens/alice-api/", admin).status == 500);
        CHECK(sandbox.api("GET", "/core/tokens/alice-api/", admin).status == 200);
        CHECK(sandbox.api("PATCH", "/core/tokens/bob-api/", admin, R"({"intent":"api","user":3})").status == 200);
        CHECK(sandbox.api("GET", "/core/tokens/?search=alice-api", admin).status == 200);
        CHECK(sandbox.api("PATCH", "/core/tokens/alice-api/", admin, patch).status == 503);
        CHECK(sandbox.api("PATCH", "/core/tokens/alice-api/", admin, patch).status == 503);
        CHECK(field_of(sandbox, "alice-api", "description") == "Alice CI");
        CHECK(sandbox.api("PATCH", "/core/tokens/alice-api/", admin, patch).status == 200);
        CHECK(field_of(sandbox, "alice-api", "description") == "changed");
        // The path fault takes any method, its path's actions (view_key/) are other paths.
        CHECK(sandbox.api("GET", "/core/tokens/bob-app/view_key/", admin).status == 200);
        CHECK(sandbox.api("GET", "/core/tokens/bob-app/", admin).status == 502);
        CHECK(sandbox.api("GET", "/core/tokens/bob-app/", admin).status == 200);
        CHECK_THROWS(sandbox.api("DELETE", "/core/tokens/bob-app/", admin));
        CHECK(sandbox.api("DELETE", "/core/tokens/bob-app/", admin).status == 204);
        CHECK(request_lines(sandbox) == std::vector<std::string>{
                                            "GET /api/v3/core/tokens/alice-api/ (500)",
                                            "GET /api/v3/core/tokens/alice-api/",
                                            "PATCH /api/v3/core/tokens/bob-api/",
                                            "GET /api/v3/core/tokens/?search=alice-api",
                                            "PATCH /api/v3/core/tokens/alice-api/ (503)",
                                            "PATCH /api/v3/core/tokens/alice-api/ (503)",
                                            "PATCH /api/v3/core/tokens/alice-api/",
                                            "GET /api/v3/core/tokens/bob-app/view_key/",
                                            "GET /api/v3/core/tokens/bob-app/ (502)",
                                            "GET /api/v3/core/tokens/bob-app/",
                                            "DELETE /api/v3/core/tokens/bob-app/ (drop)",
                                            "DELETE /api/v3/core/tokens/bob-app/",
                                        });

        // A path matches without the query: the list's path is /api/v3/core/tokens/.
        sandbox.fault_on("GET", "/core/tokens/", "429", 1, 7);
        const HttpAnswer throttled = sandbox.api("GET", "/core/tokens/?page=1&page_size=5", admin);
        CHECK(throttled.status == 429);
        CHECK(throttled.body == R"({"detail":"Request was throttled. Expected available in 7 seconds."})");
        CHECK(sandbox.api("GET", "/core/tokens/?page=1&page_size=5", admin).status == 200);
    }

    TEST_CASE("faults: a targeted fault with a bad method or path is refused") {
        Sandbox sandbox(kFrozen);
        CHECK(sandbox.control_post("faults", R"({"mode":"503","method":"patch"})") ==
              R"({"error":"method must be a request method in capitals, e.g. \"PATCH\""})");
        CHECK(sandbox.control_post("faults", R"({"mode":"503","method":""})") ==
              R"({"error":"method must be a request method in capitals, e.g. \"PATCH\""})");
        CHECK(sandbox.control_post("faults", R"({"mode":"503","method":5})") ==
              R"({"error":"method must be a request method in capitals, e.g. \"PATCH\""})");
        const std::string bad_path =
            R"({"error":"path must be a request path without query, e.g. \"/api/v3/core/tokens/ci/\""})";
        CHECK(sandbox.control_post("faults", R"({"mode":"503","path":"core/tokens/"})") == bad_path);
        CHECK(sandbox.control_post("faults", R"({"mode":"503","path":"/api/v3/core/tokens/?page=2"})") == bad_path);
        CHECK(sandbox.control_post("faults", R"({"mode":"503","path":[]})") == bad_path);
        CHECK_THROWS_WITH(
            sandbox.fault_on("patch", "/core/tokens/", "503"),
            R"(sandbox refused the fault: {"error":"method must be a request method in capitals, e.g. \"PATCH\""})");
        // Nothing was queued.
        CHECK(sandbox.api("GET", "/core/tokens/", "Bearer " + kAdminKey).status == 200);
    }

    TEST_CASE("faults: apply-then-delay applies the write, logs it, then holds the answer back") {
        Sandbox sandbox(kFrozen);
        const std::string admin = "Bearer " + kAdminKey;
        sandbox.fault_on("PATCH", "/core/tokens/bob-api/", "apply-then-delay", 1, 300);
        const auto start = std::chrono::steady_clock::now();
        const HttpAnswer a = sandbox.api("PATCH", "/core/tokens/bob-api/", admin,
                                         R"({"intent":"api","user":3,"identifier":"bob-api--retired"})");
        const auto waited = std::chrono::steady_clock::now() - start;
        CHECK(waited >= std::chrono::milliseconds(300));
        CHECK(a.status == 200);
        CHECK(a.content_type == "application/json");
        rapidjson::Document token;
        token.Parse(a.body.c_str());
        REQUIRE_FALSE(token.HasParseError());
        CHECK(token["identifier"].GetString() == std::string("bob-api--retired"));
        CHECK(token["expires"].GetString() == std::string("2026-11-29T12:30:00Z"));
        CHECK(sandbox.key_of("bob-api--retired") == kBobKey);
        CHECK_FALSE(sandbox.key_of("bob-api"));
        CHECK(request_lines(sandbox) ==
              std::vector<std::string>{"PATCH /api/v3/core/tokens/bob-api/ (apply-then-delay)"});
        // Without an arg: 1000 ms.
        CHECK(sandbox.control_post("faults", R"({"mode":"apply-then-delay","method":"GET"})") == "");
        const auto again = std::chrono::steady_clock::now();
        CHECK(sandbox.api("GET", "/core/users/me/", admin).status == 200);
        CHECK(std::chrono::steady_clock::now() - again >= std::chrono::milliseconds(1000));
    }

    TEST_CASE("faults: a client killed while apply-then-delay holds its answer left the write applied") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        // Held far longer than the test runs: the client is killed and the sandbox with it at the end.
        sandbox.fault_on("PATCH", "/core/tokens/bob-api/", "apply-then-delay", 1, 600000);
        Background client(AKTOKEN_BINARY, {"update", "bob-api", "--description", "Rotated scripts"},
                          aktoken_env(sandbox, kAdminKey, home));
        // Once the PATCH is in the log, the store holds its write.
        const auto patched = [&] {
            const auto lines = request_lines(sandbox);
            return std::find(lines.begin(), lines.end(), "PATCH /api/v3/core/tokens/bob-api/ (apply-then-delay)") !=
                   lines.end();
        };
        REQUIRE(eventually(patched));
        CHECK(field_of(sandbox, "bob-api", "description") == "Rotated scripts");
        // The sandbox serves other connections, API and control, while the answer is held.
        const HttpAnswer other = sandbox.api("GET", "/core/tokens/bob-api/", "Bearer " + kAliceKey);
        CHECK(other.status == 404);
        CHECK(sandbox.api("GET", "/core/tokens/bob-api/", "Bearer " + kBobKey).status == 200);
        CHECK(sandbox.stats().requests == 4);
        CHECK_FALSE(client.finished());
        client.kill(SIGKILL);
        CHECK(client.wait() == 128 + SIGKILL);
        CHECK(field_of(sandbox, "bob-api", "description") == "Rotated scripts");
        CHECK(request_lines(sandbox) ==
              std::vector<std::string>{"GET /api/v3/core/tokens/bob-api/",
                                       "PATCH /api/v3/core/tokens/bob-api/ (apply-then-delay)",
                                       "GET /api/v3/core/tokens/bob-api/", "GET /api/v3/core/tokens/bob-api/"});
    }

}  // TEST_SUITE
