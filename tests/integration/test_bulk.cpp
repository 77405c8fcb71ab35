// SPDX-License-Identifier: MIT
// Bulk work: several identifiers from arguments and --from-file, worked on by --parallel.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "integration/harness.h"

using namespace harness;

namespace {

// bulk-01 ... bulk-NN: bob's app passwords that never expire, with fixed pks, so that every
// output and every request body is exact.
std::string bulk_seed(int count) {
    std::string json = "[";
    for (int i = 1; i <= count; ++i) {
        json += fmt::format(R"({}{{"identifier":"bulk-{:02}","pk":"00000000-0000-4000-8000-0000000000{:02}",)"
                            R"("intent":"app_password","user":3,"description":"bulk {:02}","expires":null,)"
                            R"("expiring":false}})",
                            i == 1 ? "" : ",", i, i, i);
    }
    return json + "]";
}

std::string bulk(int i) { return fmt::format("bulk-{:02}", i); }

// bulk-FROM ... bulk-TO.
std::vector<std::string> bulk_ids(int from, int to) {
    std::vector<std::string> ids;
    for (int i = from; i <= to; ++i) {
        ids.push_back(bulk(i));
    }
    return ids;
}

std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

// A sandbox holding the default seed and bulk-01 ... bulk-12, its log cleared.
struct BulkSandbox {
    Sandbox sandbox;
    TempDir home;
    Env env;
    BulkSandbox() {
        add_tokens(sandbox, bulk_seed(12));
        sandbox.clear_requests();
        env = aktoken_env(sandbox, kAdminKey, home);
    }
};

// The `-o tsv` lines of get and update for bulk tokens with the given description.
std::string tsv_header() { return "identifier\tintent\tuser\texpires\tdescription\n"; }

std::string tsv_row(int i, const std::string& description = {}) {
    return fmt::format("bulk-{:02}\tapp_password\tbob\tnever\t{}\n", i,
                       description.empty() ? fmt::format("bulk {:02}", i) : description);
}

std::string tsv_rows(const std::vector<int>& numbers, const std::string& description = {}) {
    std::string text = tsv_header();
    for (int i : numbers) {
        text += tsv_row(i, description);
    }
    return text;
}

// Each request as "METHOD PATH[ BODY]", in arrival order.
std::vector<std::string> request_lines_with_bodies(const Sandbox& sandbox) {
    std::vector<std::string> lines;
    for (const Recorded& r : sandbox.requests()) {
        lines.push_back(r.body.empty() ? fmt::format("{} {}", r.method, r.path)
                                       : fmt::format("{} {} {}", r.method, r.path, r.body));
    }
    return lines;
}

// The same, sorted: workers of --parallel send in any order.
std::vector<std::string> sorted_request_lines_with_bodies(const Sandbox& sandbox) {
    std::vector<std::string> lines = request_lines_with_bodies(sandbox);
    std::sort(lines.begin(), lines.end());
    return lines;
}

std::string get_line(const std::string& identifier) { return fmt::format("GET /api/v3/core/tokens/{}/", identifier); }

std::string patch_line(const std::string& identifier, const std::string& body) {
    return fmt::format("PATCH /api/v3/core/tokens/{}/ {}", identifier, body);
}

std::vector<std::string> get_lines(const std::vector<std::string>& identifiers) {
    std::vector<std::string> lines;
    for (const std::string& identifier : identifiers) {
        lines.push_back(get_line(identifier));
    }
    return lines;
}

std::vector<std::string> sorted(std::vector<std::string> lines) {
    std::sort(lines.begin(), lines.end());
    return lines;
}

// Makes the first API request to take a fault sleep `ms` before it is answered. With --parallel 4
// that is one of the first four items (a worker takes a fifth only after an answer), so that
// early item is answered after later ones.
void slow_first_request(const Sandbox& sandbox, int ms = 300) { sandbox.fault("delay", 1, ms); }

// Checks that exactly one request was delayed, and that it was one of the first four items.
// (The log may record it after a request that arrived at the same time.)
void check_early_item_delayed(const Sandbox& sandbox, const std::vector<std::string>& identifiers) {
    std::set<std::string> first_four;
    for (std::size_t i = 0; i < 4 && i < identifiers.size(); ++i) {
        first_four.insert(fmt::format("/api/v3/core/tokens/{}/", identifiers[i]));
    }
    std::vector<std::string> delayed;
    for (const Recorded& r : sandbox.requests()) {
        if (!r.fault.empty()) {
            CHECK(r.fault == "delay");
            delayed.push_back(r.path);
        }
    }
    REQUIRE(delayed.size() == 1);
    CHECK(first_four.count(delayed[0]) == 1);
}

std::string not_found(const std::string& identifier) {
    return error_line(fmt::format("token \"{}\" not found (HTTP 404 Not Found)", identifier));
}

// The identifier file of these tests: comments, blank and indented lines, a CRLF line end and
// no newline at the end.
const std::string kIdentifierFile =
    "# tokens of the nightly job\n"
    "bulk-03\n"
    "\n"
    "   bulk-04   \n"
    "  # an indented comment\n"
    "\t\n"
    "bulk-05\r\n"
    "bulk-06";

}  // namespace

TEST_SUITE("integration") {
    TEST_CASE("bulk: get takes the arguments, then --from-file FILE or - lines, skipping blank and # lines") {
        BulkSandbox b;
        const std::string file = b.home.write("ids", kIdentifierFile);
        const std::vector<std::string> expected_order = bulk_ids(1, 6);

        RunResult r =
            aktoken({"get", "bulk-01", "bulk-02", "--from-file", file, "--parallel", "1", "-o", "tsv"}, b.env);
        CHECK(r.err == "");
        CHECK(r.exit_code == 0);
        CHECK(r.out == tsv_rows({1, 2, 3, 4, 5, 6}));
        CHECK(request_lines_with_bodies(b.sandbox) == get_lines(expected_order));

        b.sandbox.clear_requests();
        r = aktoken({"get", "--from-file", "-", "bulk-01", "bulk-02", "--parallel", "1", "-o", "tsv"}, b.env,
                    kIdentifierFile);
        CHECK(r.err == "");
        CHECK(r.exit_code == 0);
        CHECK(r.out == tsv_rows({1, 2, 3, 4, 5, 6}));
        CHECK(request_lines_with_bodies(b.sandbox) == get_lines(expected_order));

        // Only the file, in the table format of several tokens (blocks separated by a blank line).
        b.sandbox.clear_requests();
        r = aktoken({"get", "--from-file", "-"}, b.env, "bulk-07\n# bulk-08\nbulk-09\n");
        CHECK(r.err == "");
        CHECK(r.exit_code == 0);
        CHECK(r.out ==
              "identifier:  bulk-07\n"
              "pk:          00000000-0000-4000-8000-000000000007\n"
              "intent:      app_password\n"
              "user:        bob (3)\n"
              "description: bulk 07\n"
              "expires:     never\n"
              "expiring:    false\n"
              "managed:     -\n"
              "\n"
              "identifier:  bulk-09\n"
              "pk:          00000000-0000-4000-8000-000000000009\n"
              "intent:      app_password\n"
              "user:        bob (3)\n"
              "description: bulk 09\n"
              "expires:     never\n"
              "expiring:    false\n"
              "managed:     -\n");
        CHECK(sorted_request_lines_with_bodies(b.sandbox) == get_lines({"bulk-07", "bulk-09"}));
    }

    TEST_CASE("bulk: delete --yes takes the arguments, then --from-file FILE or - lines") {
        BulkSandbox b;
        const std::string file = b.home.write("ids", kIdentifierFile);
        RunResult r = aktoken({"delete", "--yes", "bulk-01", "bulk-02", "--from-file", file, "--parallel", "1"}, b.env);
        CHECK(r.err == "");
        CHECK(r.exit_code == 0);
        CHECK(r.out ==
              "deleted bulk-01\ndeleted bulk-02\ndeleted bulk-03\ndeleted bulk-04\ndeleted bulk-05\ndeleted bulk-06\n");
        std::vector<std::string> expected;
        for (const std::string& identifier : bulk_ids(1, 6)) {
            expected.push_back(fmt::format("DELETE /api/v3/core/tokens/{}/", identifier));
        }
        CHECK(request_lines_with_bodies(b.sandbox) == expected);

        b.sandbox.clear_requests();
        r = aktoken({"delete", "--yes", "bulk-07", "--from-file", "-", "--parallel", "1"}, b.env,
                    "# more\nbulk-08\n\nbulk-09\n");
        CHECK(r.err == "");
        CHECK(r.exit_code == 0);
        CHECK(r.out == "deleted bulk-07\ndeleted bulk-08\ndeleted bulk-09\n");
        CHECK(request_lines_with_bodies(b.sandbox) == std::vector<std::string>{"DELETE /api/v3/core/tokens/bulk-07/",
                                                                               "DELETE /api/v3/core/tokens/bulk-08/",
                                                                               "DELETE /api/v3/core/tokens/bulk-09/"});
        for (int i = 1; i <= 12; ++i) {
            CAPTURE(i);
            CHECK(b.sandbox.key_of(bulk(i)).has_value() == (i > 9));
        }
        CHECK(b.sandbox.key_of("alice-app").has_value());
    }

    TEST_CASE("bulk: update takes the arguments, then --from-file FILE or - lines") {
        BulkSandbox b;
        const std::string file = b.home.write("ids", kIdentifierFile);
        const std::string body = R"({"intent":"app_password","user":3,"description":"nightly"})";
        RunResult r = aktoken({"update", "bulk-01", "--from-file", file, "bulk-02", "--description", "nightly",
                               "--parallel", "1", "-o", "tsv"},
                              b.env);
        CHECK(r.err == "");
        CHECK(r.exit_code == 0);
        CHECK(r.out == tsv_rows({1, 2, 3, 4, 5, 6}, "nightly"));
        // Every token is read and planned before the first is written (issue 14).
        std::vector<std::string> expected;
        for (const std::string& identifier : bulk_ids(1, 6)) {
            expected.push_back(get_line(identifier));
        }
        for (const std::string& identifier : bulk_ids(1, 6)) {
            expected.push_back(patch_line(identifier, body));
        }
        CHECK(request_lines_with_bodies(b.sandbox) == expected);

        b.sandbox.clear_requests();
        r = aktoken({"update", "--from-file", "-", "--description", "stdin", "--parallel", "1", "-o", "id"}, b.env,
                    "bulk-07\n#bulk-08\n  bulk-09\n");
        CHECK(r.err == "");
        CHECK(r.exit_code == 0);
        CHECK(r.out == "bulk-07\nbulk-09\n");
        const std::string stdin_body = R"({"intent":"app_password","user":3,"description":"stdin"})";
        CHECK(request_lines_with_bodies(b.sandbox) == std::vector<std::string>{get_line("bulk-07"), get_line("bulk-09"),
                                                                               patch_line("bulk-07", stdin_body),
                                                                               patch_line("bulk-09", stdin_body)});
    }

    TEST_CASE("bulk: rotate takes the arguments, then --from-file FILE or - lines") {
        BulkSandbox b;
        const std::string file = b.home.write("ids", kIdentifierFile);
        const std::string pattern = b.home.path() + "/{}.key";
        const std::optional<std::string> untouched = b.sandbox.key_of("bulk-02");
        REQUIRE(untouched);
        RunResult r = aktoken(
            {"rotate", "bulk-01", "--from-file", file, "--key-file", pattern, "--parallel", "1", "-o", "tsv"}, b.env);
        CHECK(r.err == "");
        CHECK(r.exit_code == 0);
        std::string expected_out = "identifier\tresult\texpires\tkey_went_to\treason\n";
        std::vector<std::string> expected_requests;
        for (int i : {1, 3, 4, 5, 6}) {
            const std::string path = fmt::format("{}/{}.key", b.home.path(), bulk(i));
            expected_out += fmt::format("{}\trotated\tnever\t{}\trequested\n", bulk(i), path);
            auto key = b.sandbox.key_of(bulk(i));
            REQUIRE(key);
            CHECK(read_file(path) == *key + "\n");
            CHECK(file_mode(path) == 0600);
            expected_requests.push_back(get_line(bulk(i)));
            expected_requests.push_back(
                fmt::format(R"(POST /api/v3/core/tokens/{}/set_key/ {{"key":"{}"}})", bulk(i), *key));
        }
        CHECK(r.out == expected_out);
        CHECK(request_lines_with_bodies(b.sandbox) == expected_requests);

        b.sandbox.clear_requests();
        r = aktoken({"rotate", "--from-file", "-", "bulk-07", "--key-file", pattern, "--parallel", "1", "-o", "id"},
                    b.env, "\n# one more\nbulk-08\n");
        CHECK(r.err == "");
        CHECK(r.exit_code == 0);
        CHECK(r.out == "bulk-07\nbulk-08\n");
        auto key7 = b.sandbox.key_of("bulk-07");
        auto key8 = b.sandbox.key_of("bulk-08");
        REQUIRE(key7);
        REQUIRE(key8);
        CHECK(request_lines_with_bodies(b.sandbox) ==
              std::vector<std::string>{
                  get_line("bulk-07"),
                  fmt::format(R"(POST /api/v3/core/tokens/bulk-07/set_key/ {{"key":"{}"}})", *key7),
                  get_line("bulk-08"),
                  fmt::format(R"(POST /api/v3/core/tokens/bulk-08/set_key/ {{"key":"{}"}})", *key8)});
        CHECK(b.sandbox.key_of("bulk-02") == untouched);
    }

    TEST_CASE("bulk: check takes the arguments, then --from-file FILE or - lines") {
        BulkSandbox b;
        const std::string file = b.home.write("ids", kIdentifierFile);
        const std::string table =
            "AKTOKEN OK - 0 expired, 0 expiring within 3d, 0 expiring within 14d, 5 ok | not_found=0 expired=0 "
            "critical=0 warning=0 ok=5\n"
            "STATE  IDENTIFIER  EXPIRES  LEFT\n"
            "OK     bulk-01     never    -\n"
            "OK     bulk-03     never    -\n"
            "OK     bulk-04     never    -\n"
            "OK     bulk-05     never    -\n"
            "OK     bulk-06     never    -\n";
        RunResult r = aktoken({"check", "bulk-01", "--from-file", file, "--parallel", "1"}, b.env);
        CHECK(r.err == "");
        CHECK(r.exit_code == 0);
        CHECK(r.out == table);
        CHECK(request_lines_with_bodies(b.sandbox) ==
              get_lines({"bulk-01", "bulk-03", "bulk-04", "bulk-05", "bulk-06"}));

        b.sandbox.clear_requests();
        r = aktoken({"check", "--from-file", "-", "bulk-01", "--parallel", "4"}, b.env, kIdentifierFile);
        CHECK(r.err == "");
        CHECK(r.exit_code == 0);
        CHECK(r.out == table);
        CHECK(sorted_request_lines_with_bodies(b.sandbox) ==
              get_lines({"bulk-01", "bulk-03", "bulk-04", "bulk-05", "bulk-06"}));
    }

    TEST_CASE(
        "bulk: a missing or unreadable --from-file, or an identifier given twice, is refused before anything is sent") {
        Sandbox sandbox;
        TempDir home;
        const std::string missing = home.path() + "/no-such-file";
        const std::string twice = home.write("twice", "bulk-01\nalice-app\n");
        const std::string cannot_read = fmt::format("--from-file: cannot read {}: No such file or directory", missing);
        expect_refused(sandbox, home,
                       {
                           {{"get", "--from-file", missing}, cannot_read},
                           {{"get", "alice-app", "--from-file", missing}, cannot_read},
                           {{"delete", "--yes", "--from-file", missing}, cannot_read},
                           {{"update", "--from-file", missing, "--description", "x"}, cannot_read},
                           {{"rotate", "--from-file", missing, "--show-key"}, cannot_read},
                           {{"get", "alice-app", "--from-file", twice}, "IDENTIFIER: \"alice-app\" is given twice"},
                           {{"update", "alice-app", "--from-file", twice, "--description", "x"},
                            "IDENTIFIER: \"alice-app\" is given twice"},
                           {{"get", "--from-file", "-", "--token-file", "-"},
                            "--from-file - and --token-file - cannot both read standard input"},
                           {{"get", "--from-file", home.path()},
                            fmt::format("--from-file: cannot read identifier file {}: Is a directory", home.path())},
                       });

        // check refuses the same way, with the monitoring exit status for "could not check".
        RunResult r = aktoken({"check", "--from-file", missing}, aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.exit_code == 3);
        CHECK(r.out == "");
        CHECK(r.err == error_line(cannot_read));
        CHECK(sandbox.requests().empty());
    }

    TEST_CASE("bulk: an empty --from-file is nothing to do: exit 0, a note, nothing sent; check checks no token") {
        Sandbox sandbox;
        TempDir home;
        const Env env = aktoken_env(sandbox, kAdminKey, home);
        const std::string empty = home.write("empty", "\n# nothing expired tonight\n   \n");
        struct Case {
            std::vector<std::string> args;
            std::string input;
            std::string out;
            std::string note;
        };
        const std::string file_note =
            fmt::format("aktoken: note: nothing to do: --from-file {} holds no identifier\n", empty);
        const std::string stdin_note = "aktoken: note: nothing to do: --from-file - holds no identifier\n";
        const std::vector<Case> cases = {
            {{"get", "--from-file", empty}, "", "", file_note},
            {{"get", "--from-file", "-", "-o", "json"}, "", "[]\n", stdin_note},
            {{"get", "--from-file", "-", "-o", "tsv"}, "\n\n", "", stdin_note},
            // The man page's `aktoken list -o id --expired | aktoken delete --yes --from-file -`.
            {{"delete", "--yes", "--from-file", "-"}, "", "", stdin_note},
            {{"delete", "--yes", "--from-file", empty, "-o", "json"}, "", "[]\n", file_note},
            {{"update", "--from-file", empty, "--description", "x"}, "", "", file_note},
            {{"rotate", "--from-file", "-", "--show-key", "-o", "jsonl"}, "# none\n", "", stdin_note},
            {{"rotate", "--from-file", empty, "--key-file", home.path() + "/{}.key", "-o", "json"},
             "",
             "[]\n",
             file_note},
        };
        for (const Case& c : cases) {
            const std::string command_line = fmt::format("{}", fmt::join(c.args, " "));
            CAPTURE(command_line);
            RunResult r = aktoken(c.args, env, c.input);
            CHECK(r.exit_code == 0);
            CHECK(r.out == c.out);
            CHECK(r.err == c.note);
        }
        CHECK(sandbox.requests().empty());

        // The flags are still checked: a typo must not wait for a night with work to show.
        expect_refused(sandbox, home,
                       {{{"update", "--from-file", empty, "--expires", "soon"},
                         "--expires: invalid value \"soon\": expected an RFC 3339 time (2027-01-31T12:00:00Z), a "
                         "date (2027-01-31), a duration (+30d, 12h, 1d12h) or never"},
                        {{"rotate", "--from-file", empty},
                         "rotate needs --key-file PATH, --show-key or both: the new "
                         "key must go somewhere"}});

        // check: an empty list of names checks no token (never every token), with the status line.
        const std::string summary =
            "AKTOKEN OK - 0 expired, 0 expiring within 3d, 0 expiring within 14d, 0 ok | not_found=0 expired=0 "
            "critical=0 warning=0 ok=0\n";
        RunResult r = aktoken({"check", "--from-file", empty}, env);
        CHECK(r.exit_code == 0);
        CHECK(r.out == summary);
        CHECK(r.err == "");
        r = aktoken({"check", "--from-file", "-", "-o", "json"}, env, "");
        CHECK(r.exit_code == 0);
        CHECK(r.out == "[]\n");
        CHECK(r.err == "");
        CHECK(sandbox.requests().empty());
    }

    TEST_CASE("bulk: --parallel takes 1 to 16 workers") {
        Sandbox sandbox;
        TempDir home;
        const std::string expected = "expected a number of workers from 1 to 16";
        std::vector<Refusal> refusals;
        for (const char* value : {"0", "17", "x", "-1", ""}) {
            const std::string message = fmt::format("--parallel: invalid value \"{}\": {}", value, expected);
            refusals.push_back({{"get", "alice-app", "--parallel", value}, message});
            refusals.push_back({{"delete", "--yes", "alice-app", "--parallel", value}, message});
            refusals.push_back({{"update", "alice-app", "--description", "x", "--parallel", value}, message});
            refusals.push_back({{"rotate", "alice-app", "--show-key", "--parallel", value}, message});
            refusals.push_back({{"list", "--parallel", value}, message});
        }
        expect_refused(sandbox, home, refusals);

        RunResult r = aktoken({"check", "alice-app", "--parallel", "17"}, aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.exit_code == 3);
        CHECK(r.out == "");
        CHECK(r.err == error_line(fmt::format("--parallel: invalid value \"17\": {}", expected)));
        CHECK(sandbox.requests().empty());

        r = aktoken({"get", "alice-app", "bob-app", "--parallel", "16", "-o", "id"},
                    aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.err == "");
        CHECK(r.exit_code == 0);
        CHECK(r.out == "alice-app\nbob-app\n");
        r = aktoken({"check", "admin-api", "--parallel", "16", "-o", "id"}, aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.err == "");
        CHECK(r.exit_code == 0);
        CHECK(r.out == "admin-api\n");
    }

    TEST_CASE("bulk: results come out in input order with --parallel 4 while an early item is answered last") {
        BulkSandbox b;
        const std::vector<std::string> ids = bulk_ids(1, 8);

        SUBCASE("get") {
            slow_first_request(b.sandbox);
            RunResult r = aktoken(concat({"get", "--parallel", "4", "-o", "tsv"}, ids), b.env);
            CHECK(r.err == "");
            CHECK(r.exit_code == 0);
            CHECK(r.out == tsv_rows({1, 2, 3, 4, 5, 6, 7, 8}));
            check_early_item_delayed(b.sandbox, ids);
            CHECK(sorted_request_lines_with_bodies(b.sandbox) == get_lines(ids));
        }
        SUBCASE("delete writes each result as soon as the earlier ones are done") {
            slow_first_request(b.sandbox);
            RunResult r = aktoken(concat({"delete", "--yes", "--parallel", "4"}, ids), b.env);
            CHECK(r.err == "");
            CHECK(r.exit_code == 0);
            CHECK(r.out ==
                  "deleted bulk-01\ndeleted bulk-02\ndeleted bulk-03\ndeleted bulk-04\n"
                  "deleted bulk-05\ndeleted bulk-06\ndeleted bulk-07\ndeleted bulk-08\n");
            check_early_item_delayed(b.sandbox, ids);
        }
        SUBCASE("update: each token's warnings too") {
            std::string seed = "[";
            for (int i = 1; i <= 8; ++i) {
                seed += fmt::format(R"({}{{"identifier":"managed-{}","intent":"app_password","user":3,"expires":null,)"
                                    R"("expiring":false,"managed":"example/managed-{}"}})",
                                    i == 1 ? "" : ",", i, i);
            }
            add_tokens(b.sandbox, seed + "]");
            b.sandbox.clear_requests();
            slow_first_request(b.sandbox);
            std::vector<std::string> managed;
            std::string warnings;
            std::string out;
            for (int i = 1; i <= 8; ++i) {
                managed.push_back(fmt::format("managed-{}", i));
                warnings += fmt::format(
                    "aktoken: warning: token \"managed-{}\" is managed by authentik (example/managed-{}): authentik "
                    "may overwrite this change\n",
                    i, i);
                out += fmt::format("managed-{}\n", i);
            }
            RunResult r =
                aktoken(concat({"update", "--description", "d", "--parallel", "4", "-o", "id"}, managed), b.env);
            CHECK(r.err == warnings);
            CHECK(r.exit_code == 0);
            CHECK(r.out == out);
            check_early_item_delayed(b.sandbox, managed);
            CHECK(b.sandbox.requests().size() == 16);
        }
        SUBCASE("rotate") {
            slow_first_request(b.sandbox);
            RunResult r = aktoken(
                concat({"rotate", "--key-file", b.home.path() + "/{}.key", "--parallel", "4", "-o", "id"}, ids), b.env);
            CHECK(r.err == "");
            CHECK(r.exit_code == 0);
            CHECK(r.out == "bulk-01\nbulk-02\nbulk-03\nbulk-04\nbulk-05\nbulk-06\nbulk-07\nbulk-08\n");
            check_early_item_delayed(b.sandbox, ids);
        }
        SUBCASE("check") {
            slow_first_request(b.sandbox);
            RunResult r = aktoken(concat({"check", "--parallel", "4", "-o", "id"}, ids), b.env);
            CHECK(r.err == "");
            CHECK(r.exit_code == 0);
            CHECK(r.out == "bulk-01\nbulk-02\nbulk-03\nbulk-04\nbulk-05\nbulk-06\nbulk-07\nbulk-08\n");
            check_early_item_delayed(b.sandbox, ids);
        }
    }

    TEST_CASE("bulk: each failure names its identifier, the others are still done, the most severe status wins") {
        BulkSandbox b;

        SUBCASE("get: missing tokens among existing ones exit 6") {
            slow_first_request(b.sandbox);
            RunResult r = aktoken(
                {"get", "bulk-01", "gone-1", "bulk-02", "gone-2", "bulk-03", "--parallel", "4", "-o", "tsv"}, b.env);
            CHECK(r.exit_code == 6);
            CHECK(r.err == not_found("gone-1") + not_found("gone-2"));
            CHECK(r.out == tsv_rows({1, 2, 3}));
            CHECK(sorted_request_lines_with_bodies(b.sandbox) ==
                  sorted(get_lines({"bulk-01", "gone-1", "bulk-02", "gone-2", "bulk-03"})));
        }
        SUBCASE("update: a 404 (6) and a refused recovery token (7) exit 7; the others are updated") {
            RunResult r = aktoken({"update", "bulk-01", "gone", "alice-recovery", "bulk-02", "--description", "d",
                                   "--parallel", "4", "-o", "tsv"},
                                  b.env);
            CHECK(r.exit_code == 7);
            CHECK(r.err ==
                  not_found("gone") +
                      error_line("token \"alice-recovery\" has intent recovery, which authentik refuses in any "
                                 "write; only api and app_password tokens can be updated (--intent converts "
                                 "it)"));
            CHECK(r.out == tsv_rows({1, 2}, "d"));
            const std::string body = R"({"intent":"app_password","user":3,"description":"d"})";
            CHECK(sorted_request_lines_with_bodies(b.sandbox) ==
                  sorted({get_line("bulk-01"), get_line("gone"), get_line("alice-recovery"), get_line("bulk-02"),
                          patch_line("bulk-01", body), patch_line("bulk-02", body)}));
        }
        SUBCASE("get: a server error (8) outranks a 404 (6)") {
            b.sandbox.fault("500", 1);
            RunResult r =
                aktoken({"get", "bulk-01", "gone", "bulk-02", "--parallel", "1", "--retries", "0", "-o", "tsv"}, b.env);
            CHECK(r.exit_code == 8);
            CHECK(r.err == error_line(fmt::format("HTTP 500 Internal Server Error from GET {}/api/v3/core/tokens/"
                                                  "bulk-01/: Internal Server Error",
                                                  b.sandbox.url())) +
                               not_found("gone"));
            CHECK(r.out == tsv_rows({2}));
            CHECK(request_lines_with_bodies(b.sandbox) == get_lines({"bulk-01", "gone", "bulk-02"}));
        }
        SUBCASE("delete: the missing one is reported, the others are deleted") {
            RunResult r = aktoken({"delete", "--yes", "bulk-01", "gone", "bulk-02", "--parallel", "4"}, b.env);
            CHECK(r.exit_code == 6);
            CHECK(r.err == not_found("gone"));
            CHECK(r.out == "deleted bulk-01\nfailed gone\ndeleted bulk-02\n");
            CHECK_FALSE(b.sandbox.key_of("bulk-01"));
            CHECK_FALSE(b.sandbox.key_of("bulk-02"));
            CHECK(b.sandbox.key_of("bulk-03"));
            CHECK(sorted_request_lines_with_bodies(b.sandbox) ==
                  sorted({"DELETE /api/v3/core/tokens/bulk-01/", "DELETE /api/v3/core/tokens/gone/",
                          "DELETE /api/v3/core/tokens/bulk-02/"}));
        }
        SUBCASE("rotate: the missing one is a failed row, the others are rotated") {
            const std::string pattern = b.home.path() + "/{}.key";
            RunResult r = aktoken(
                {"rotate", "bulk-01", "gone", "bulk-02", "--key-file", pattern, "--parallel", "4", "-o", "tsv"}, b.env);
            CHECK(r.exit_code == 6);
            CHECK(r.err == not_found("gone"));
            CHECK(r.out == fmt::format("identifier\tresult\texpires\tkey_went_to\treason\n"
                                       "bulk-01\trotated\tnever\t{0}/bulk-01.key\trequested\n"
                                       "gone\tfailed\t-\t-\ttoken \"gone\" not found (HTTP 404 Not Found)\n"
                                       "bulk-02\trotated\tnever\t{0}/bulk-02.key\trequested\n",
                                       b.home.path()));
            CHECK(file_mode(b.home.path() + "/gone.key") == -1);
            CHECK(read_file(b.home.path() + "/bulk-01.key") == b.sandbox.key_of("bulk-01").value_or("?") + "\n");
        }
        SUBCASE("check: a token that is gone is a CRITICAL row; the others are still checked") {
            RunResult r = aktoken({"check", "bulk-01", "gone", "bulk-02", "--parallel", "1"}, b.env);
            CHECK(r.exit_code == 2);
            CHECK(r.err == "");
            CHECK(r.out ==
                  "AKTOKEN CRITICAL - 1 not found, 0 expired, 0 expiring within 3d, 0 expiring within 14d, 2 ok | "
                  "not_found=1 expired=0 critical=0 warning=0 ok=2\n"
                  "STATE     IDENTIFIER  EXPIRES  LEFT\n"
                  "OK        bulk-01     never    -\n"
                  "CRITICAL  gone        -        not found\n"
                  "OK        bulk-02     never    -\n");
            CHECK(request_lines_with_bodies(b.sandbox) == get_lines({"bulk-01", "gone", "bulk-02"}));
        }
    }

    TEST_CASE("bulk: --parallel N opens at most N connections, --parallel 1 exactly one") {
        BulkSandbox b;
        const std::vector<std::string> ids = bulk_ids(1, 12);
        const std::string out = tsv_rows({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
        for (const auto& run : std::vector<std::pair<std::string, int>>{{"4", 4}, {"1", 1}, {"16", 12}}) {
            const std::string& parallel = run.first;
            const int most = run.second;
            CAPTURE(parallel);
            b.sandbox.reset();
            add_tokens(b.sandbox, bulk_seed(12));
            b.sandbox.clear_requests();
            const Stats before = b.sandbox.stats();
            RunResult r = aktoken(concat({"get", "--parallel", parallel, "-o", "tsv"}, ids), b.env);
            CHECK(r.err == "");
            CHECK(r.exit_code == 0);
            CHECK(r.out == out);
            const Stats after = b.sandbox.stats();
            CHECK(after.requests - before.requests == 12);
            const int api_connections = after.api_connections - before.api_connections;
            // Every connection aktoken opened carried a request (the one more is the second stats call).
            CHECK(after.connections - before.connections - 1 == api_connections);
            CHECK(api_connections >= 1);
            CHECK(api_connections <= most);
            if (most == 1) {
                CHECK(api_connections == 1);
            }
        }
    }

    TEST_CASE("bulk: commands that send nothing do no network work") {
        TempDir home;
        const int port = closed_port();
        for (const std::string& url :
             {std::string("http://does-not-resolve.invalid"), fmt::format("http://127.0.0.1:{}", port)}) {
            CAPTURE(url);
            const Env env{{"HOME", home.path()}, {"AUTHENTIK_URL", url}, {"AUTHENTIK_TOKEN", kAdminKey}};
            RunResult r = aktoken({"--help"}, env);
            CHECK(r.exit_code == 0);
            CHECK(r.err == "");
            CHECK(r.out.substr(0, 40) == "aktoken: administer authentik API tokens");

            r = aktoken({"update", "X", "--description", "d", "--dry-run", "--no-preserve"}, env);
            CHECK(r.exit_code == 0);
            // The plan of a write whose token was not read (issue 14).
            const std::string plan =
                "FIELD        NOW  AFTER                                      NOTE\n"
                "intent       -    api                                        not sent: authentik sets api\n"
                "user         -    the caller                                 not sent: authentik gives the token to "
                "the caller\n"
                "description  -    d\n"
                "expires      -    now + the server's default token duration  authentik resets an api token's expiry "
                "on every "
                "write: now + the server's default token duration\n"
                "expiring     -    as stored\n"
                "warning: authentik makes the token an api token: intent is not sent\n"
                "warning: authentik gives the token to the caller: user is not sent\n"
                "warning: the token expires at now + the server's default token duration; housekeeping then gives it a "
                "new "
                "random key, locking out whoever holds the old one\n";
            CHECK(r.out ==
                  fmt::format("PATCH {}/api/v3/core/tokens/X/\n{{\n  \"description\": \"d\"\n}}\n", url) + plan);
            CHECK(r.err == "aktoken: note: dry run: nothing was sent\n");

            r = aktoken({"--url", url, "update", "X", "Y", "Z", "--description", "d", "--dry-run", "--no-preserve",
                         "--parallel", "4"},
                        {{"HOME", home.path()}, {"AUTHENTIK_TOKEN", kAdminKey}});
            CHECK(r.exit_code == 0);
            CHECK(r.out == fmt::format("PATCH {0}/api/v3/core/tokens/X/\n{{\n  \"description\": \"d\"\n}}\n{1}"
                                       "PATCH {0}/api/v3/core/tokens/Y/\n{{\n  \"description\": \"d\"\n}}\n{1}"
                                       "PATCH {0}/api/v3/core/tokens/Z/\n{{\n  \"description\": \"d\"\n}}\n{1}",
                                       url, plan));
            CHECK(r.err == "aktoken: note: dry run: nothing was sent\n");
        }

        // Against a listening server: not even a connection is opened.
        Sandbox sandbox;
        const Stats before = sandbox.stats();
        RunResult r = aktoken({"update", "alice-app", "bob-app", "--description", "d", "--dry-run", "--no-preserve"},
                              aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.exit_code == 0);
        r = aktoken({"--help"}, aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.exit_code == 0);
        const Stats after = sandbox.stats();
        CHECK(after.requests == before.requests);
        CHECK(after.api_connections == before.api_connections);
        CHECK(after.connections == before.connections + 1);  // the second stats call only
    }

}  // TEST_SUITE
