// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <map>
#include <set>
#include <sstream>

#include "integration/harness.h"
#include "rapidjson/document.h"

using namespace harness;

namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
constexpr seconds kDay{86400};

// An expiry time both as the seed text and as Unix seconds (whole seconds).
struct At {
    std::string text;
    long long unix = 0;
};

At at(std::chrono::system_clock::time_point base, seconds offset) {
    const std::time_t t = std::chrono::system_clock::to_time_t(base + offset);
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return {buffer, static_cast<long long>(t)};
}

// The tokens of these tests, all owned by bob and described "check test", with expiry times
// relative to the real clock (which aktoken uses): a minute each side of the 14d and 3d
// boundaries, far from any other so that the few seconds a run takes change no state and no
// LEFT text.
struct Tokens {
    std::map<std::string, At> expires;
};

Tokens add_check_tokens(const Sandbox& sandbox) {
    const auto base = std::chrono::system_clock::now();
    Tokens tokens;
    const std::pair<const char*, seconds> expiring[] = {
        {"chk-ok", 30 * kDay},
        {"chk-ok-lo", 14 * kDay + minutes(1)},
        {"chk-warn-hi", 14 * kDay - minutes(1)},
        {"chk-warn-lo", 3 * kDay + minutes(1)},
        {"chk-crit-hi", 3 * kDay - minutes(1)},
        {"chk-exp", -hours(2)},
    };
    std::string json = "[";
    for (const auto& [identifier, offset] : expiring) {
        tokens.expires.emplace(identifier, at(base, offset));
        json += fmt::format(R"({{"identifier":"{}","intent":"api","user":3,"description":"check test",)"
                            R"("expires":"{}","expiring":true}},)",
                            identifier, tokens.expires.at(identifier).text);
    }
    tokens.expires.emplace("chk-kept", at(base, -kDay));
    json += fmt::format(R"({{"identifier":"chk-kept","intent":"app_password","user":3,"description":"check test",)"
                        R"("expires":"{}","expiring":false}},)",
                        tokens.expires.at("chk-kept").text);
    json += R"({"identifier":"chk-never","intent":"api","user":3,"description":"check test","expires":null,)"
            R"("expiring":false},)";
    json += R"({"identifier":"chk-nodate","intent":"api","user":3,"description":"check test","expires":null,)"
            R"("expiring":true}])";
    add_tokens(sandbox, json);
    return tokens;
}

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> result;
    std::istringstream stream(text);
    for (std::string line; std::getline(stream, line);) {
        result.push_back(line);
    }
    return result;
}

bool starts_with(const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; }

std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string>& more) {
    args.insert(args.end(), more.begin(), more.end());
    return args;
}

// The monitoring summary (the first line of the table) with the fewest seconds left, which moves
// with the clock, as N; `seconds` gets the number.
std::string summary_of(const std::string& out, long& seconds) {
    std::string line = out.substr(0, out.find('\n'));
    const std::string key = "min_seconds_left=";
    const std::size_t at = line.find(key);
    if (at == std::string::npos) {
        return line;
    }
    const std::size_t end = line.find('s', at + key.size());
    seconds = std::stol(line.substr(at + key.size(), end - at - key.size()));
    return line.replace(at + key.size(), end - at - key.size(), "N");
}

}  // namespace

TEST_SUITE("integration") {
    TEST_CASE("check: the table of every state, exit 2") {
        Sandbox sandbox;
        TempDir home;
        Tokens tokens = add_check_tokens(sandbox);
        const auto& e = tokens.expires;
        RunResult r = aktoken({"check", "--description", "check test"}, aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.err == "");
        CHECK(r.exit_code == 2);
        // The first line is the monitoring plugin's status: the worst state, the counts, performance
        // data (the fewest seconds left is chk-exp's, expired two hours ago).
        long fewest = 0;
        CHECK(summary_of(r.out, fewest) ==
              "AKTOKEN CRITICAL - 1 expired, 1 expiring within 3d, 2 expiring within 14d, 5 ok | not_found=0 "
              "expired=1 critical=1 warning=2 ok=5 min_seconds_left=Ns;1209600:;259200:");
        CHECK(fewest <= -7200);
        CHECK(fewest > -7260);
        CHECK(r.out.substr(r.out.find('\n') + 1) ==
              fmt::format("STATE     IDENTIFIER   EXPIRES               LEFT\n"
                          "CRITICAL  chk-crit-hi  {}  2d 23h\n"
                          "EXPIRED   chk-exp      {}  expired 2h ago\n"
                          "OK        chk-kept     {}  -\n"
                          "OK        chk-never    never                 -\n"
                          "OK        chk-nodate   never                 -\n"
                          "OK        chk-ok       {}  29d 23h\n"
                          "OK        chk-ok-lo    {}  14d\n"
                          "WARNING   chk-warn-hi  {}  13d 23h\n"
                          "WARNING   chk-warn-lo  {}  3d\n",
                          e.at("chk-crit-hi").text, e.at("chk-exp").text, e.at("chk-kept").text, e.at("chk-ok").text,
                          e.at("chk-ok-lo").text, e.at("chk-warn-hi").text, e.at("chk-warn-lo").text));
        auto requests = sandbox.requests();
        REQUIRE(requests.size() == 1);
        CHECK(requests[0].path == "/api/v3/core/tokens/");
        CHECK(requests[0].query == "description=check%20test&page_size=100&page=1");

        const std::string summary = summary_of(r.out, fewest);
        const std::string rows = r.out.substr(r.out.find('\n', r.out.find('\n') + 1) + 1);
        r = aktoken({"check", "--description", "check test", "--no-headers", "-o", "table"},
                    aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.exit_code == 2);
        // Without headers the summary is still the first line, never a token's row.
        CHECK(summary_of(r.out, fewest) == summary);
        CHECK(r.out.substr(r.out.find('\n') + 1) == rows);
    }

    TEST_CASE("check: exit status at each boundary, IDENTIFIERs read with GET") {
        Sandbox sandbox;
        TempDir home;
        add_check_tokens(sandbox);
        const Env env = aktoken_env(sandbox, kAdminKey, home);
        struct Case {
            std::vector<std::string> args;
            int exit_code;
        };
        const Case cases[] = {
            {{"chk-ok", "chk-ok-lo", "chk-never", "chk-nodate", "chk-kept"}, 0},
            {{"chk-warn-hi"}, 1},
            {{"chk-warn-lo"}, 1},
            {{"chk-ok", "chk-warn-hi", "chk-never"}, 1},
            {{"chk-crit-hi"}, 2},
            {{"chk-exp"}, 2},
            {{"chk-warn-lo", "chk-crit-hi"}, 2},
            {{"chk-ok", "chk-exp"}, 2},
            {{"chk-warn-hi", "--warn", "13d"}, 0},
            {{"chk-ok-lo", "--warn", "15d"}, 1},
            {{"chk-warn-hi", "--crit", "14d"}, 2},
            {{"chk-warn-lo", "--crit", "4d", "--warn", "4d"}, 2},
            {{"chk-crit-hi", "--crit", "0s", "--warn", "0s"}, 0},
            {{"chk-exp", "--crit", "0s", "--warn", "0s"}, 2},
            {{"chk-ok", "--warn", "31d"}, 1},
        };
        for (const Case& c : cases) {
            CAPTURE(fmt::format("{}", fmt::join(c.args, " ")));
            sandbox.clear_requests();
            RunResult r = aktoken(with({"check", "-o", "id"}, c.args), env);
            CHECK(r.exit_code == c.exit_code);
            CHECK(r.err == "");
            std::string ids;
            for (const std::string& arg : c.args) {
                if (starts_with(arg, "chk-")) {
                    ids += arg;
                    ids += '\n';
                }
            }
            CHECK(r.out == ids);
            // One GET per identifier; --parallel workers send them in any order.
            auto requests = sandbox.requests();
            REQUIRE(requests.size() == lines(ids).size());
            std::multiset<std::string> sent;
            std::multiset<std::string> expected;
            for (std::size_t i = 0; i < requests.size(); ++i) {
                sent.insert(requests[i].method + " " + requests[i].path);
                expected.insert(fmt::format("GET /api/v3/core/tokens/{}/", lines(ids)[i]));
            }
            CHECK(sent == expected);
        }
    }

    TEST_CASE("check: list filters select the tokens") {
        Sandbox sandbox;
        TempDir home;
        add_check_tokens(sandbox);
        const Env env = aktoken_env(sandbox, kAdminKey, home);
        RunResult r = aktoken({"check", "--description", "check test", "--expired", "-o", "id"}, env);
        CHECK(r.exit_code == 2);
        CHECK(r.out == "chk-exp\n");
        r = aktoken({"check", "--description", "check test", "--no-expiring", "-o", "id"}, env);
        CHECK(r.exit_code == 0);
        CHECK(r.out == "chk-kept\nchk-never\n");
        r = aktoken(
            {"check", "--description", "check test", "--expiring-within", "14d", "--ordering", "-expires", "-o", "id"},
            env);
        CHECK(r.exit_code == 2);
        CHECK(r.out == "chk-warn-hi\nchk-warn-lo\nchk-crit-hi\nchk-exp\n");
        r = aktoken({"check", "--description", "check test", "--intent", "app_password", "-o", "id"}, env);
        CHECK(r.exit_code == 0);
        CHECK(r.out == "chk-kept\n");
        r = aktoken({"check", "--description", "nothing", "-o", "id"}, env);
        CHECK(r.exit_code == 0);
        CHECK(r.out == "");
        CHECK(r.err == "");

        // Without filters: every visible token (the seed's 8 and these 9), one list request.
        sandbox.clear_requests();
        r = aktoken({"check", "-o", "id"}, env);
        CHECK(r.exit_code == 2);
        CHECK(lines(r.out).size() == 17);
        auto requests = sandbox.requests();
        REQUIRE(requests.size() == 1);
        CHECK(requests[0].query == "page_size=100&page=1");
    }

    TEST_CASE("check: json, jsonl and tsv") {
        Sandbox sandbox;
        TempDir home;
        Tokens tokens = add_check_tokens(sandbox);
        const Env env = aktoken_env(sandbox, kAdminKey, home);
        RunResult r = aktoken({"check", "chk-warn-hi", "chk-never", "chk-kept", "-o", "json"}, env);
        CHECK(r.exit_code == 1);
        rapidjson::Document doc;
        doc.Parse(r.out.c_str());
        REQUIRE(doc.IsArray());
        REQUIRE(doc.Size() == 3);
        const auto& warn = doc[0];
        CHECK(std::string(warn["identifier"].GetString()) == "chk-warn-hi");
        CHECK(std::string(warn["state"].GetString()) == "WARNING");
        CHECK(std::string(warn["expires"].GetString()) == tokens.expires.at("chk-warn-hi").text);
        const long long left = warn["seconds_left"].GetInt64();
        CHECK(left <= 14 * 86400 - 60);
        CHECK(left > 14 * 86400 - 120);
        CHECK(std::string(warn["intent"].GetString()) == "api");
        CHECK(std::string(warn["user"].GetString()) == "bob");
        CHECK(warn.MemberCount() == 6);
        CHECK(std::string(doc[1]["state"].GetString()) == "OK");
        CHECK(doc[1]["expires"].IsNull());
        CHECK(doc[1]["seconds_left"].IsNull());
        CHECK(std::string(doc[2]["expires"].GetString()) == tokens.expires.at("chk-kept").text);
        CHECK(doc[2]["seconds_left"].IsNull());
        CHECK(std::string(doc[2]["intent"].GetString()) == "app_password");

        r = aktoken({"check", "chk-never", "chk-kept", "-o", "jsonl"}, env);
        CHECK(r.exit_code == 0);
        CHECK(r.out == fmt::format(R"({{"identifier":"chk-never","state":"OK","expires":null,"seconds_left":null,)"
                                   R"("intent":"api","user":"bob"}})"
                                   "\n"
                                   R"({{"identifier":"chk-kept","state":"OK","expires":"{}","seconds_left":null,)"
                                   R"("intent":"app_password","user":"bob"}})"
                                   "\n",
                                   tokens.expires.at("chk-kept").text));

        r = aktoken({"check", "chk-never", "chk-exp", "-o", "tsv"}, env);
        CHECK(r.exit_code == 2);
        auto rows = lines(r.out);
        REQUIRE(rows.size() == 3);
        CHECK(rows[0] == "state\tidentifier\texpires\tseconds_left\tintent\tuser");
        CHECK(rows[1] == "OK\tchk-never\tnever\t-\tapi\tbob");
        CHECK(starts_with(rows[2], fmt::format("EXPIRED\tchk-exp\t{}\t-72", tokens.expires.at("chk-exp").text)));
        CHECK(r.out.size() > 0);
    }

    TEST_CASE("check: --prometheus writes the textfile atomically with mode 0644") {
        Sandbox sandbox;
        TempDir home;
        TempDir dir;
        Tokens tokens = add_check_tokens(sandbox);
        const auto& e = tokens.expires;
        const Env env = aktoken_env(sandbox, kAdminKey, home);
        const std::string path = dir.write("authentik.prom", "stale\n", 0600);
        RunResult r = aktoken({"check", "--description", "check test", "--prometheus", path, "-o", "id"}, env);
        CHECK(r.exit_code == 2);
        CHECK(lines(r.out).size() == 9);
        CHECK(file_mode(path) == 0644);
        std::string expected =
            "# HELP authentik_token_expires_timestamp_seconds When the authentik token expires, in Unix seconds (only "
            "tokens that expire).\n"
            "# TYPE authentik_token_expires_timestamp_seconds gauge\n";
        for (const char* id : {"chk-crit-hi", "chk-exp", "chk-ok", "chk-ok-lo", "chk-warn-hi", "chk-warn-lo"}) {
            expected += fmt::format(
                "authentik_token_expires_timestamp_seconds{{identifier=\"{}\",intent=\"api\",username=\"bob\"}} {}\n",
                id, e.at(id).unix);
        }
        expected +=
            "# HELP authentik_token_expiring Whether the authentik token is set to expire (its expiring field).\n"
            "# TYPE authentik_token_expiring gauge\n";
        const std::pair<const char*, const char*> expiring[] = {
            {"chk-crit-hi", "api 1"}, {"chk-exp", "api 1"},     {"chk-kept", "app_password 0"},
            {"chk-never", "api 0"},   {"chk-nodate", "api 1"},  {"chk-ok", "api 1"},
            {"chk-ok-lo", "api 1"},   {"chk-warn-hi", "api 1"}, {"chk-warn-lo", "api 1"},
        };
        for (const auto& [id, rest] : expiring) {
            const std::string text(rest);
            const std::size_t space = text.find(' ');
            expected += fmt::format("authentik_token_expiring{{identifier=\"{}\",intent=\"{}\",username=\"bob\"}} {}\n",
                                    id, text.substr(0, space), text.substr(space + 1));
        }
        CHECK(read_file(path) == expected);

        // A check that fails leaves the file as it was (its mtime shows how old it is).
        const std::string before = read_file(path);
        r = aktoken({"check", "chk-ok", "--prometheus", path}, aktoken_env(sandbox, "not-a-key", home));
        CHECK(r.exit_code == 3);
        CHECK(r.out == "");
        CHECK(read_file(path) == before);

        // Not the token's owner: still 0644, and only what the caller sees.
        const std::string alice_path = dir.write("alice.prom", "", 0600);
        r = aktoken({"check", "--prometheus", alice_path, "-o", "id"}, aktoken_env(sandbox, kAliceKey, home));
        CHECK(r.out == "alice-api\nalice-app\nalice-recovery\n");
        CHECK(file_mode(alice_path) == 0644);
    }

    TEST_CASE("check: anything that prevents the check exits 3 (UNKNOWN)") {
        Sandbox sandbox;
        TempDir home;
        add_check_tokens(sandbox);
        const Env env = aktoken_env(sandbox, kAdminKey, home);

        RunResult r = aktoken({"check", "chk-ok"}, aktoken_env(sandbox, "not-a-key", home));
        CHECK(r.exit_code == 3);
        CHECK(r.out == "");
        CHECK(r.err == error_line("authentication failed: Token invalid/expired (HTTP 403 Forbidden)"));

        sandbox.fault("500", 1);
        r = aktoken({"check", "--description", "check test"}, env);
        CHECK(r.exit_code == 3);
        CHECK(r.out == "");
        CHECK(starts_with(r.err, "aktoken: error: "));

        // The JSON error object carries the status the process exits with.
        r = aktoken({"check", "chk-ok", "-o", "json"}, aktoken_env(sandbox, "not-a-key", home));
        CHECK(r.exit_code == 3);
        CHECK(r.out == "");
        CHECK(r.err.find(R"("exit_code":3)") != std::string::npos);

        const int port = closed_port();
        r = aktoken({"check", "--warn", "7d", "--retries", "0"},
                    {{"HOME", home.path()},
                     {"AUTHENTIK_URL", fmt::format("http://127.0.0.1:{}", port)},
                     {"AUTHENTIK_TOKEN", kAdminKey}});
        CHECK(r.exit_code == 3);
        CHECK(r.out == "");
        CHECK(r.err == fmt::format("aktoken: error: cannot connect to 127.0.0.1:{}: Connection refused\n", port));

        // No URL configured at all.
        r = aktoken({"check"}, {{"HOME", home.path()}, {"AUTHENTIK_TOKEN", kAdminKey}});
        CHECK(r.exit_code == 3);
        CHECK(r.out == "");
    }

    TEST_CASE("check: usage errors exit 3, not 2 (CRITICAL), and send nothing") {
        Sandbox sandbox;
        TempDir home;
        struct Case {
            std::vector<std::string> args;
            std::string err;  // empty: only the `aktoken: error: ` prefix is checked (CLI11's wording)
        };
        const Case cases[] = {
            {{"check", "--warn", "soon"},
             R"(--warn: invalid value "soon": expected a duration such as 14d, 12h, 1d12h)"},
            {{"check", "--crit", "20d"}, R"(--crit: invalid value "20d": must not exceed --warn (14d, the default))"},
            {{"check", "--warn", "2d", "--crit", "5d"}, R"(--crit: invalid value "5d": must not exceed --warn "2d")"},
            {{"check", "--warn", "1d"},
             R"(--warn: invalid value "1d": must not be less than --crit (3d, the default))"},
            {{"check", "--prometheus", ""}, R"(--prometheus: invalid value "": expected a file path)"},
            {{"check", "--prometheus", "/nonexistent-dir/a.prom"},
             R"(--prometheus: invalid value "/nonexistent-dir/a.prom": directory /nonexistent-dir does not exist)"},
            {{"check", "--prometheus", "/tmp"}, R"(--prometheus: invalid value "/tmp": /tmp is a directory)"},
            {{"check", "alice-api", "--intent", "api"},
             "--intent cannot be used with IDENTIFIER arguments: the list filters select the tokens only when no "
             "IDENTIFIER is given"},
            {{"check", "alice-api", "alice-api"}, R"(IDENTIFIER: "alice-api" is given twice)"},
            {{"check", "--intent", "admin"},
             R"(--intent: invalid value "admin": expected verification, api, recovery or app_password)"},
            {{"check", "--bogus"}, ""},
            {{"check", "--warn"}, ""},
        };
        for (const Case& c : cases) {
            CAPTURE(fmt::format("{}", fmt::join(c.args, " ")));
            RunResult r = aktoken(c.args, aktoken_env(sandbox, kAdminKey, home));
            CHECK(r.exit_code == 3);
            CHECK(r.out == "");
            if (c.err.empty()) {
                CHECK(starts_with(r.err, "aktoken: error: "));
            } else {
                CHECK(r.err == error_line(c.err));
            }
        }
        CHECK(sandbox.requests().empty());
    }

    TEST_CASE("check: on a terminal a summary follows on the error stream") {
        Sandbox sandbox;
        TempDir home;
        Tokens tokens = add_check_tokens(sandbox);
        Env env = aktoken_env(sandbox, kAdminKey, home);
        env.emplace("NO_COLOR", "1");
        RunResult r = run_on_terminal(AKTOKEN_BINARY, {"check", "chk-never", "chk-warn-lo"}, env, "");
        CHECK(r.exit_code == 1);
        long fewest = 0;
        CHECK(summary_of(r.out, fewest) ==
              "AKTOKEN WARNING - 0 expired, 0 expiring within 3d, 1 expiring within 14d, 1 ok | not_found=0 "
              "expired=0 critical=0 warning=1 ok=1 min_seconds_left=Ns;1209600:;259200:\r");
        CHECK(r.out.substr(r.out.find('\n') + 1) ==
              fmt::format("STATE    IDENTIFIER   EXPIRES               LEFT\r\n"
                          "OK       chk-never    never                 -\r\n"
                          "WARNING  chk-warn-lo  {}  3d\r\n"
                          "aktoken: check: 2 tokens: 1 OK, 1 WARNING, 0 CRITICAL, 0 EXPIRED\r\n",
                          tokens.expires.at("chk-warn-lo").text));

        r = run_on_terminal(AKTOKEN_BINARY, {"check", "--description", "nothing"}, env, "");
        CHECK(r.exit_code == 0);
        CHECK(r.out ==
              "AKTOKEN OK - 0 expired, 0 expiring within 3d, 0 expiring within 14d, 0 ok | not_found=0 expired=0 "
              "critical=0 warning=0 ok=0\r\n"
              "aktoken: check: 0 tokens: 0 OK, 0 WARNING, 0 CRITICAL, 0 EXPIRED\r\n");
    }

    TEST_CASE("check: a named token that is gone is a CRITICAL row; the others still print") {
        Sandbox sandbox;
        TempDir home;
        Tokens tokens = add_check_tokens(sandbox);
        RunResult r = aktoken({"check", "chk-warn-lo", "nope", "chk-never", "--no-headers"},
                              aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.exit_code == 2);
        CHECK(r.err == "");
        long fewest = 0;
        CHECK(summary_of(r.out, fewest) ==
              "AKTOKEN CRITICAL - 1 not found, 0 expired, 0 expiring within 3d, 1 expiring within 14d, 1 ok | "
              "not_found=1 expired=0 critical=0 warning=1 ok=1 min_seconds_left=Ns;1209600:;259200:");
        CHECK(r.out.substr(r.out.find('\n') + 1) ==
              fmt::format("WARNING   chk-warn-lo  {}  3d\n"
                          "CRITICAL  nope         -                     not found\n"
                          "OK        chk-never    never                 -\n",
                          tokens.expires.at("chk-warn-lo").text));
        CHECK(sandbox.requests().size() == 3);
    }

    TEST_CASE("check: a retired generation is RETIRING until a day after its until-time, then CRITICAL") {
        Sandbox sandbox({"--now", "2026-11-29T12:00:00Z"});
        TempDir home;
        // ci's generation still works for a day; db's (an app password whose expiry is its
        // until-time) ended three hours ago; mail's ended nine days ago and prune never ran.
        add_tokens(sandbox,
                   R"([{"identifier":"ci--retired-until-20261130T1200Z","intent":"api","user":3,"description":"gen",)"
                   R"("expires":null,"expiring":false},)"
                   R"({"identifier":"db--retired-until-20261129T0900Z","intent":"app_password","user":3,)"
                   R"("description":"gen","expires":"2026-11-29T09:00:00Z","expiring":true},)"
                   R"({"identifier":"mail--retired-until-20261120T0000Z","intent":"api","user":3,"description":"gen",)"
                   R"("expires":null,"expiring":false}])");
        const Env env = frozen_clock(aktoken_env(sandbox, kAdminKey, home), 1795953600);
        const std::string path = home.path() + "/tokens.prom";
        RunResult r = aktoken({"check", "ci--retired-until-20261130T1200Z", "db--retired-until-20261129T0900Z"}, env);
        CHECK(r.err == "");
        CHECK(r.exit_code == 0);
        CHECK(r.out ==
              "AKTOKEN OK - 0 expired, 0 expiring within 3d, 0 expiring within 14d, 0 ok, 2 retiring | not_found=0 "
              "expired=0 critical=0 warning=0 ok=0 retiring=2 not_pruned=0\n"
              "STATE     IDENTIFIER                        EXPIRES               LEFT\n"
              "RETIRING  ci--retired-until-20261130T1200Z  never                 retired until 2026-11-30T12:00:00Z "
              "(in 1d)\n"
              "RETIRING  db--retired-until-20261129T0900Z  2026-11-29T09:00:00Z  retired until 2026-11-29T09:00:00Z "
              "(3h ago), not pruned yet\n");

        r = aktoken({"check", "--description", "gen", "--prometheus", path}, env);
        CHECK(r.err == "");
        CHECK(r.exit_code == 2);
        CHECK(r.out ==
              "AKTOKEN CRITICAL - 1 not pruned, 0 expired, 0 expiring within 3d, 0 expiring within 14d, 0 ok, 2 "
              "retiring | not_found=0 expired=0 critical=0 warning=0 ok=0 retiring=2 not_pruned=1\n"
              "STATE     IDENTIFIER                          EXPIRES               LEFT\n"
              "RETIRING  ci--retired-until-20261130T1200Z    never                 retired until 2026-11-30T12:00:00Z "
              "(in 1d)\n"
              "RETIRING  db--retired-until-20261129T0900Z    2026-11-29T09:00:00Z  retired until 2026-11-29T09:00:00Z "
              "(3h ago), not pruned yet\n"
              "CRITICAL  mail--retired-until-20261120T0000Z  never                 retired until 2026-11-20T00:00:00Z "
              "(9d 12h ago), still there: run `aktoken prune`\n");
        CHECK(
            read_file(path) ==
            "# HELP authentik_token_expires_timestamp_seconds When the authentik token expires, in Unix seconds "
            "(only tokens that expire).\n"
            "# TYPE authentik_token_expires_timestamp_seconds gauge\n"
            "# HELP authentik_token_expiring Whether the authentik token is set to expire (its expiring field).\n"
            "# TYPE authentik_token_expiring gauge\n"
            "authentik_token_expiring{identifier=\"ci--retired-until-20261130T1200Z\",intent=\"api\",username=\"bob\"} "
            "0\n"
            "authentik_token_expiring{identifier=\"db--retired-until-20261129T0900Z\",intent=\"app_password\","
            "username=\"bob\"} 1\n"
            "authentik_token_expiring{identifier=\"mail--retired-until-20261120T0000Z\",intent=\"api\",username="
            "\"bob\"} "
            "0\n"
            "# HELP authentik_token_retired_until_timestamp_seconds Until when a retired generation's key works "
            "(rotate --overlap), in Unix seconds; aktoken prune deletes it after that.\n"
            "# TYPE authentik_token_retired_until_timestamp_seconds gauge\n"
            "authentik_token_retired_until_timestamp_seconds{identifier=\"ci--retired-until-20261130T1200Z\","
            "intent=\"api\",username=\"bob\"} 1796040000\n"
            "authentik_token_retired_until_timestamp_seconds{identifier=\"db--retired-until-20261129T0900Z\","
            "intent=\"app_password\",username=\"bob\"} 1795942800\n"
            "authentik_token_retired_until_timestamp_seconds{identifier=\"mail--retired-until-20261120T0000Z\","
            "intent=\"api\",username=\"bob\"} 1795132800\n");

        // json: the LEFT text as reason, no seconds_left (the expiry is not judged).
        r = aktoken({"check", "mail--retired-until-20261120T0000Z", "-o", "jsonl"}, env);
        CHECK(r.exit_code == 2);
        CHECK(r.out ==
              R"({"identifier":"mail--retired-until-20261120T0000Z","state":"CRITICAL","expires":null,)"
              R"("seconds_left":null,"intent":"api","user":"bob","reason":"retired until 2026-11-20T00:00:00Z )"
              R"((9d 12h ago), still there: run `aktoken prune`"})"
              "\n");

        // On a terminal the summary counts them too.
        Env terminal = env;
        terminal.emplace("NO_COLOR", "1");
        r = run_on_terminal(AKTOKEN_BINARY, {"check", "--description", "gen", "-o", "id"}, terminal, "");
        CHECK(r.exit_code == 2);
        CHECK(r.out ==
              "ci--retired-until-20261130T1200Z\r\n"
              "db--retired-until-20261129T0900Z\r\n"
              "mail--retired-until-20261120T0000Z\r\n"
              "aktoken: check: 3 tokens: 0 OK, 0 WARNING, 1 CRITICAL, 0 EXPIRED, 2 RETIRING (1 not pruned)\r\n");
    }
}  // TEST_SUITE
