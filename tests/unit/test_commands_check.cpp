// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "aktoken/api/client.h"
#include "aktoken/commands/check.h"
#include "unit/fake_transport.h"
#include "unit/temp_dir.h"

using namespace aktoken;
using commands::CheckFlags;
using commands::TokenState;
using std::chrono::hours;
using std::chrono::microseconds;
using std::chrono::seconds;

namespace {

using test::TempDir;

const util::Timestamp kNow = *util::parse_timestamp("2026-11-29T12:00:00Z");
constexpr seconds kDay{86400};

model::Token token(const std::string& identifier, std::optional<util::Timestamp> expires, bool expiring = true) {
    model::Token t;
    t.identifier = identifier;
    t.intent = "api";
    t.user = 2;
    t.user_obj = model::User{2, "alice", "Alice", false};
    t.expires = expires;
    t.expiring = expiring;
    return t;
}

TokenState state_at(util::Timestamp expires, bool expiring = true) {
    return commands::state_of(token("t", expires, expiring), kNow, commands::kDefaultWarn, commands::kDefaultCrit);
}

std::string plan_error(const CheckFlags& flags) {
    try {
        commands::plan_check(flags);
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::usage);
        return e.what();
    }
    return "no error";
}

// The five tokens of the rendering tests: one of each state and a past date that does not expire.
std::vector<model::Token> report_tokens() {
    std::vector<model::Token> tokens;
    tokens.push_back(token("ok-never", std::nullopt, false));
    tokens.push_back(token("warn", kNow + 10 * kDay + hours(5)));
    tokens.push_back(token("crit", kNow + 2 * kDay));
    tokens.push_back(token("gone", kNow - hours(2)));
    tokens.push_back(token("kept", util::parse_timestamp("2020-01-01T00:00:00Z"), false));
    tokens[2].intent = "app_password";
    tokens[3].user_obj.reset();
    return tokens;
}

std::string render(output::Format format, bool headers = true, bool color = false) {
    commands::CheckPlan plan;
    plan.headers = headers;
    output::Style style;
    style.now = kNow;
    style.color = color;
    return commands::check_report(report_tokens(), plan, format, style);
}

// A token object as authentik sends it.
std::string token_json(const std::string& identifier, const std::string& expires, bool expiring) {
    return fmt::format(R"({{"pk":"p-{}","managed":null,"identifier":"{}","intent":"api","user":2,)"
                       R"("user_obj":{{"pk":2,"username":"alice","name":"Alice","is_superuser":false}},)"
                       R"("description":"","expires":{},"expiring":{}}})",
                       identifier, identifier, expires, expiring ? "true" : "false");
}

std::string page_json(const std::vector<std::string>& tokens, int next) {
    std::string results;
    for (const std::string& t : tokens) {
        results += results.empty() ? "" : ",";
        results += t;
    }
    return fmt::format(R"({{"pagination":{{"next":{},"count":3,"total_pages":2}},"results":[{}]}})", next, results);
}

struct Fixture {
    testing::FakeTransport transport;
    api::Client client{transport, "https://ak.example.com/api/v3",
                       std::make_shared<api::Credentials>([] { return util::Secret("s3cret"); })};
    std::ostringstream out;
    std::ostringstream err;

    commands::Context context(output::Format format = output::Format::table, bool terminal = false) {
        output::Style style;
        style.now = kNow;
        style.terminal = terminal;
        return commands::Context{client, format, style, out, err, false};
    }
};

std::string slurp(const std::string& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

TEST_SUITE("unit") {
    TEST_CASE("check state: every boundary with the default 14d / 3d") {
        CHECK(state_at(kNow - seconds(1)) == TokenState::expired);
        CHECK(state_at(kNow) == TokenState::expired);
        CHECK(state_at(kNow + microseconds(1)) == TokenState::critical);
        CHECK(state_at(kNow + seconds(1)) == TokenState::critical);
        CHECK(state_at(kNow + 3 * kDay) == TokenState::critical);
        CHECK(state_at(kNow + 3 * kDay + microseconds(1)) == TokenState::warning);
        CHECK(state_at(kNow + 3 * kDay + seconds(1)) == TokenState::warning);
        CHECK(state_at(kNow + 14 * kDay) == TokenState::warning);
        CHECK(state_at(kNow + 14 * kDay + microseconds(1)) == TokenState::ok);
        CHECK(state_at(kNow + 14 * kDay + seconds(1)) == TokenState::ok);
        CHECK(state_at(kNow + 3650 * kDay) == TokenState::ok);
    }

    TEST_CASE("check state: tokens that do not expire are OK whatever their date") {
        const seconds warn = commands::kDefaultWarn;
        const seconds crit = commands::kDefaultCrit;
        CHECK(commands::state_of(token("t", std::nullopt, true), kNow, warn, crit) == TokenState::ok);
        CHECK(commands::state_of(token("t", std::nullopt, false), kNow, warn, crit) == TokenState::ok);
        CHECK(state_at(kNow - 365 * kDay, false) == TokenState::ok);
        CHECK(state_at(kNow, false) == TokenState::ok);
        CHECK(state_at(kNow + kDay, false) == TokenState::ok);
    }

    TEST_CASE("check state: other thresholds, zero included") {
        const model::Token t = token("t", kNow + seconds(1));
        CHECK(commands::state_of(t, kNow, seconds(0), seconds(0)) == TokenState::ok);
        CHECK(commands::state_of(t, kNow, seconds(1), seconds(0)) == TokenState::warning);
        CHECK(commands::state_of(t, kNow, seconds(1), seconds(1)) == TokenState::critical);
        CHECK(commands::state_of(token("t", kNow), kNow, seconds(0), seconds(0)) == TokenState::expired);
    }

    TEST_CASE("check state: names") {
        CHECK(commands::state_name(TokenState::ok) == "OK");
        CHECK(commands::state_name(TokenState::warning) == "WARNING");
        CHECK(commands::state_name(TokenState::critical) == "CRITICAL");
        CHECK(commands::state_name(TokenState::expired) == "EXPIRED");
    }

    TEST_CASE("check exit code: the worst state wins") {
        using S = TokenState;
        CHECK(commands::check_exit_code({}) == 0);
        CHECK(commands::check_exit_code({S::ok, S::ok}) == 0);
        CHECK(commands::check_exit_code({S::ok, S::warning, S::ok}) == 1);
        CHECK(commands::check_exit_code({S::warning, S::critical}) == 2);
        CHECK(commands::check_exit_code({S::critical, S::warning}) == 2);
        CHECK(commands::check_exit_code({S::expired}) == 2);
        CHECK(commands::check_exit_code({S::ok, S::expired, S::warning}) == 2);
        CHECK(commands::kCheckUnknown == 3);
    }

    TEST_CASE("check plan: defaults and accepted values") {
        commands::CheckPlan plan = commands::plan_check({});
        CHECK(plan.warn == 14 * kDay);
        CHECK(plan.crit == 3 * kDay);
        CHECK(plan.identifiers.empty());
        CHECK(!plan.prometheus);
        CHECK(plan.headers);
        CHECK(plan.list.query == api::Query{{"page_size", "100"}});

        CheckFlags flags;
        flags.warn = "1w";
        flags.crit = "1w";
        flags.prometheus = "/tmp/authentik.prom";
        flags.filters.field_filter("intent") = "api";
        flags.filters.expired = true;
        flags.filters.no_headers = true;
        plan = commands::plan_check(flags);
        CHECK(plan.warn == 7 * kDay);
        CHECK(plan.crit == 7 * kDay);
        CHECK(plan.prometheus == "/tmp/authentik.prom");
        CHECK(!plan.headers);
        CHECK(plan.list.expired);
        CHECK(plan.list.query == api::Query{{"intent", "api"}, {"page_size", "100"}});

        flags = {};
        flags.identifiers = {"a", "b"};
        flags.filters.no_headers = true;
        flags.warn = "0s";
        flags.crit = "0s";
        plan = commands::plan_check(flags);
        CHECK(plan.identifiers == std::vector<std::string>{"a", "b"});
        CHECK(plan.warn == seconds(0));
        CHECK(plan.crit == seconds(0));
    }

    TEST_CASE("check plan: bad values are usage errors naming the flag") {
        struct Case {
            void (*set)(CheckFlags&);
            std::string message;
        };
        const Case cases[] = {
            {[](CheckFlags& f) { f.warn = "2x"; },
             R"(--warn: invalid value "2x": expected a duration such as 14d, 12h, 1d12h)"},
            {[](CheckFlags& f) { f.crit = ""; },
             R"(--crit: invalid value "": expected a duration such as 14d, 12h, 1d12h)"},
            {[](CheckFlags& f) { f.crit = "-1d"; },
             R"(--crit: invalid value "-1d": expected a duration such as 14d, 12h, 1d12h)"},
            {[](CheckFlags& f) { f.crit = "20d"; },
             R"(--crit: invalid value "20d": must not exceed --warn (14d, the default))"},
            {[](CheckFlags& f) {
                 f.warn = "4d";
                 f.crit = "5d";
             },
             R"(--crit: invalid value "5d": must not exceed --warn "4d")"},
            {[](CheckFlags& f) { f.warn = "2d"; },
             R"(--warn: invalid value "2d": must not be less than --crit (3d, the default))"},
            {[](CheckFlags& f) { f.prometheus = ""; }, R"(--prometheus: invalid value "": expected a file path)"},
            {[](CheckFlags& f) { f.prometheus = "-"; },
             R"(--prometheus: invalid value "-": expected a file path (the file is replaced atomically; standard )"
             R"(output is not possible))"},
            {[](CheckFlags& f) {
                 f.identifiers = {"a"};
                 f.filters.field_filter("intent") = "api";
             },
             "--intent cannot be used with IDENTIFIER arguments: the list filters select the tokens only when no "
             "IDENTIFIER is given"},
            {[](CheckFlags& f) {
                 f.identifiers = {"a"};
                 f.filters.expired = true;
             },
             "--expired cannot be used with IDENTIFIER arguments: the list filters select the tokens only when no "
             "IDENTIFIER is given"},
            {[](CheckFlags& f) {
                 f.identifiers = {"a"};
                 f.filters.limit = "3";
             },
             "--limit cannot be used with IDENTIFIER arguments: the list filters select the tokens only when no "
             "IDENTIFIER is given"},
            {[](CheckFlags& f) { f.identifiers = {"a b"}; },
             R"(IDENTIFIER: invalid value "a b": expected 1 to 255 letters, digits, '-' or '_' (authentik's identifier slug))"},
            {[](CheckFlags& f) {
                 f.identifiers = {"a", "a"};
             },
             R"(IDENTIFIER: "a" is given twice)"},
            {[](CheckFlags& f) { f.filters.field_filter("intent") = "admin"; },
             R"(--intent: invalid value "admin": expected verification, api, recovery or app_password)"},
            {[](CheckFlags& f) { f.filters.limit = "0"; },
             R"(--limit: invalid value "0": expected a positive integer)"},
        };
        for (const Case& c : cases) {
            CAPTURE(c.message);
            CheckFlags flags;
            c.set(flags);
            CHECK(plan_error(flags) == c.message);
        }
    }

    TEST_CASE("check prometheus: HELP, TYPE, samples, escaped labels") {
        std::vector<model::Token> tokens;
        tokens.push_back(token("a", util::parse_timestamp("2026-12-01T00:00:00Z")));
        tokens.back().user_obj->username = "al\"ice\\x\ny";
        tokens.push_back(token("b", util::parse_timestamp("2026-12-01T00:00:00.25Z")));
        tokens.back().intent = "app_password";
        tokens.back().user_obj.reset();
        tokens.push_back(token("c", util::parse_timestamp("2020-01-01T00:00:00Z"), false));
        tokens.push_back(token("d", std::nullopt, true));
        tokens.push_back(token("e", util::parse_timestamp("1969-12-31T23:59:58.5Z")));
        CHECK(
            commands::prometheus_text(tokens) ==
            "# HELP authentik_token_expires_timestamp_seconds When the authentik token expires, in Unix seconds (only "
            "tokens that expire).\n"
            "# TYPE authentik_token_expires_timestamp_seconds gauge\n"
            "authentik_token_expires_timestamp_seconds{identifier=\"a\",intent=\"api\",username=\"al\\\"ice\\\\x\\ny\"}"
            " "
            "1796083200\n"
            "authentik_token_expires_timestamp_seconds{identifier=\"b\",intent=\"app_password\",username=\"\"} "
            "1796083200.25\n"
            "authentik_token_expires_timestamp_seconds{identifier=\"e\",intent=\"api\",username=\"alice\"} -1.5\n"
            "# HELP authentik_token_expiring Whether the authentik token is set to expire (its expiring field).\n"
            "# TYPE authentik_token_expiring gauge\n"
            "authentik_token_expiring{identifier=\"a\",intent=\"api\",username=\"al\\\"ice\\\\x\\ny\"} 1\n"
            "authentik_token_expiring{identifier=\"b\",intent=\"app_password\",username=\"\"} 1\n"
            "authentik_token_expiring{identifier=\"c\",intent=\"api\",username=\"alice\"} 0\n"
            "authentik_token_expiring{identifier=\"d\",intent=\"api\",username=\"alice\"} 1\n"
            "authentik_token_expiring{identifier=\"e\",intent=\"api\",username=\"alice\"} 1\n");
        CHECK(
            commands::prometheus_text({}) ==
            "# HELP authentik_token_expires_timestamp_seconds When the authentik token expires, in Unix seconds (only "
            "tokens that expire).\n"
            "# TYPE authentik_token_expires_timestamp_seconds gauge\n"
            "# HELP authentik_token_expiring Whether the authentik token is set to expire (its expiring field).\n"
            "# TYPE authentik_token_expiring gauge\n");
    }

    TEST_CASE("check report: table") {
        const std::string rows =
            "OK        ok-never    never                 -\n"
            "WARNING   warn        2026-12-09T17:00:00Z  10d 5h\n"
            "CRITICAL  crit        2026-12-01T12:00:00Z  2d\n"
            "EXPIRED   gone        2026-11-29T10:00:00Z  expired 2h ago\n"
            "OK        kept        2020-01-01T00:00:00Z  -\n";
        const std::string summary =
            "AKTOKEN CRITICAL - 1 expired, 1 expiring within 3d, 1 expiring within 14d, 2 ok | not_found=0 expired=1 "
            "critical=1 warning=1 ok=2 min_seconds_left=-7200s;1209600:;259200:\n";
        CHECK(render(output::Format::table) ==
              fmt::format("{}STATE     IDENTIFIER  EXPIRES               LEFT\n{}", summary, rows));
        CHECK(render(output::Format::wide) == render(output::Format::table));
        // The summary stays the first line without headers: never a token's row.
        CHECK(render(output::Format::table, false) == summary +
                                                          "OK        ok-never  never                 -\n"
                                                          "WARNING   warn      2026-12-09T17:00:00Z  10d 5h\n"
                                                          "CRITICAL  crit      2026-12-01T12:00:00Z  2d\n"
                                                          "EXPIRED   gone      2026-11-29T10:00:00Z  expired 2h ago\n"
                                                          "OK        kept      2020-01-01T00:00:00Z  -\n");
        CHECK(render(output::Format::table, true, true) ==
              summary +
                  "STATE     IDENTIFIER  EXPIRES               LEFT\n"
                  "OK        ok-never    never                 -\n"
                  "\033[33mWARNING\033[0m   warn        2026-12-09T17:00:00Z  10d 5h\n"
                  "\033[31mCRITICAL\033[0m  crit        2026-12-01T12:00:00Z  2d\n"
                  "\033[31mEXPIRED\033[0m   gone        2026-11-29T10:00:00Z  expired 2h ago\n"
                  "OK        kept        2020-01-01T00:00:00Z  -\n");
    }

    TEST_CASE("check state: a retired generation is RETIRING until a day after its until-time, then CRITICAL") {
        const auto state = [](const std::string& identifier, std::optional<util::Timestamp> expires, bool expiring) {
            return commands::state_of(token(identifier, expires, expiring), kNow, commands::kDefaultWarn,
                                      commands::kDefaultCrit);
        };
        // Its own expiry is not judged: a retired app password expires at its until-time.
        CHECK(state("ci--retired-until-20261130T1200Z", kNow + hours(24), true) == TokenState::retiring);
        CHECK(state("ci--retired-until-20261129T1200Z", kNow, true) == TokenState::retiring);
        CHECK(state("ci--retired-until-20261128T1201Z", kNow - hours(2), true) == TokenState::retiring);
        CHECK(state("ci--retired-until-20261128T1200Z", std::nullopt, false) == TokenState::not_pruned);
        CHECK(state("ci--retired-until-20261101T0000Z", kNow - 28 * kDay, true) == TokenState::not_pruned);
        // Only a name that parses as a retired generation counts; a successor is checked as any token.
        CHECK(state("ci--retired-until-20261128T120000Z", kNow - hours(2), true) == TokenState::expired);
        CHECK(state("ci--next-20261129T110000Z", kNow - hours(2), true) == TokenState::expired);
        CHECK(commands::state_name(TokenState::retiring) == "RETIRING");
        CHECK(commands::state_name(TokenState::not_pruned) == "CRITICAL");
        CHECK(commands::check_exit_code({TokenState::ok, TokenState::retiring}) == 0);
        CHECK(commands::check_exit_code({TokenState::retiring, TokenState::warning}) == 1);
        CHECK(commands::check_exit_code({TokenState::retiring, TokenState::not_pruned}) == 2);
    }

    TEST_CASE("check report: retired generations, their status line counts and gauges") {
        std::vector<model::Token> tokens;
        tokens.push_back(token("ci", std::nullopt, false));
        tokens.push_back(token("ci--retired-until-20261130T1200Z", std::nullopt, false));
        tokens.push_back(token("db--retired-until-20261129T0900Z", kNow - hours(3)));
        tokens.back().intent = "app_password";
        tokens.push_back(token("mail--retired-until-20261120T0000Z", kNow - 9 * kDay - hours(12)));
        commands::CheckPlan plan;
        output::Style style;
        style.now = kNow;
        CHECK(commands::check_report(tokens, plan, output::Format::table, style) ==
              "AKTOKEN CRITICAL - 1 not pruned, 0 expired, 0 expiring within 3d, 0 expiring within 14d, 1 ok, 2 "
              "retiring | not_found=0 expired=0 critical=0 warning=0 ok=1 retiring=2 not_pruned=1\n"
              "STATE     IDENTIFIER                          EXPIRES               LEFT\n"
              "OK        ci                                  never                 -\n"
              "RETIRING  ci--retired-until-20261130T1200Z    never                 retired until "
              "2026-11-30T12:00:00Z (in 1d)\n"
              "RETIRING  db--retired-until-20261129T0900Z    2026-11-29T09:00:00Z  retired until "
              "2026-11-29T09:00:00Z (3h ago), not pruned yet\n"
              "CRITICAL  mail--retired-until-20261120T0000Z  2026-11-20T00:00:00Z  retired until "
              "2026-11-20T00:00:00Z (9d 12h ago), still there: run `aktoken prune`\n");
        CHECK(commands::check_report({tokens[2]}, plan, output::Format::jsonl, style) ==
              R"({"identifier":"db--retired-until-20261129T0900Z","state":"RETIRING","expires":"2026-11-29T09:00:00Z",)"
              R"("seconds_left":null,"intent":"app_password","user":"alice","reason":"retired until )"
              R"(2026-11-29T09:00:00Z (3h ago), not pruned yet"})"
              "\n");
        CHECK(commands::check_report({tokens[2]}, plan, output::Format::tsv, style) ==
              "state\tidentifier\texpires\tseconds_left\tintent\tuser\n"
              "RETIRING\tdb--retired-until-20261129T0900Z\t2026-11-29T09:00:00Z\t-\tapp_password\talice\n");
        // Their expiry has no sample: an alert on the time left would fire for every overlap.
        CHECK(commands::prometheus_text({tokens[0], tokens[2]}) ==
              "# HELP authentik_token_expires_timestamp_seconds When the authentik token expires, in Unix seconds "
              "(only tokens that expire).\n"
              "# TYPE authentik_token_expires_timestamp_seconds gauge\n"
              "# HELP authentik_token_expiring Whether the authentik token is set to expire (its expiring field).\n"
              "# TYPE authentik_token_expiring gauge\n"
              "authentik_token_expiring{identifier=\"ci\",intent=\"api\",username=\"alice\"} 0\n"
              "authentik_token_expiring{identifier=\"db--retired-until-20261129T0900Z\",intent=\"app_password\","
              "username=\"alice\"} 1\n"
              "# HELP authentik_token_retired_until_timestamp_seconds Until when a retired generation's key works "
              "(rotate --overlap), in Unix seconds; aktoken prune deletes it after that.\n"
              "# TYPE authentik_token_retired_until_timestamp_seconds gauge\n"
              "authentik_token_retired_until_timestamp_seconds{identifier=\"db--retired-until-20261129T0900Z\","
              "intent=\"app_password\",username=\"alice\"} 1795942800\n");
    }

    TEST_CASE("check report: LEFT under a second and exactly at expiry") {
        commands::CheckPlan plan;
        output::Style style;
        style.now = kNow;
        const std::vector<model::Token> tokens{token("soon", kNow + microseconds(500000)), token("now", kNow),
                                               token("just", kNow - microseconds(500000))};
        CHECK(commands::check_report(tokens, plan, output::Format::table, style) ==
              "AKTOKEN CRITICAL - 2 expired, 1 expiring within 3d, 0 expiring within 14d, 0 ok | not_found=0 "
              "expired=2 critical=1 warning=0 ok=0 min_seconds_left=0s;1209600:;259200:\n"
              "STATE     IDENTIFIER  EXPIRES               LEFT\n"
              "CRITICAL  soon        2026-11-29T12:00:00Z  0s\n"
              "EXPIRED   now         2026-11-29T12:00:00Z  expired now\n"
              "EXPIRED   just        2026-11-29T11:59:59Z  expired now\n");
        CHECK(commands::check_report(tokens, plan, output::Format::tsv, style) ==
              "state\tidentifier\texpires\tseconds_left\tintent\tuser\n"
              "CRITICAL\tsoon\t2026-11-29T12:00:00Z\t1\tapi\talice\n"
              "EXPIRED\tnow\t2026-11-29T12:00:00Z\t0\tapi\talice\n"
              "EXPIRED\tjust\t2026-11-29T11:59:59Z\t0\tapi\talice\n");
    }

    TEST_CASE("check report: json, jsonl, tsv, id") {
        CHECK(render(output::Format::json) ==
              "[\n"
              "  {\n"
              "    \"identifier\": \"ok-never\",\n"
              "    \"state\": \"OK\",\n"
              "    \"expires\": null,\n"
              "    \"seconds_left\": null,\n"
              "    \"intent\": \"api\",\n"
              "    \"user\": \"alice\"\n"
              "  },\n"
              "  {\n"
              "    \"identifier\": \"warn\",\n"
              "    \"state\": \"WARNING\",\n"
              "    \"expires\": \"2026-12-09T17:00:00Z\",\n"
              "    \"seconds_left\": 882000,\n"
              "    \"intent\": \"api\",\n"
              "    \"user\": \"alice\"\n"
              "  },\n"
              "  {\n"
              "    \"identifier\": \"crit\",\n"
              "    \"state\": \"CRITICAL\",\n"
              "    \"expires\": \"2026-12-01T12:00:00Z\",\n"
              "    \"seconds_left\": 172800,\n"
              "    \"intent\": \"app_password\",\n"
              "    \"user\": \"alice\"\n"
              "  },\n"
              "  {\n"
              "    \"identifier\": \"gone\",\n"
              "    \"state\": \"EXPIRED\",\n"
              "    \"expires\": \"2026-11-29T10:00:00Z\",\n"
              "    \"seconds_left\": -7200,\n"
              "    \"intent\": \"api\",\n"
              "    \"user\": null\n"
              "  },\n"
              "  {\n"
              "    \"identifier\": \"kept\",\n"
              "    \"state\": \"OK\",\n"
              "    \"expires\": \"2020-01-01T00:00:00Z\",\n"
              "    \"seconds_left\": null,\n"
              "    \"intent\": \"api\",\n"
              "    \"user\": \"alice\"\n"
              "  }\n"
              "]\n");
        CHECK(
            render(output::Format::jsonl) ==
            R"({"identifier":"ok-never","state":"OK","expires":null,"seconds_left":null,"intent":"api","user":"alice"})"
            "\n"
            R"({"identifier":"warn","state":"WARNING","expires":"2026-12-09T17:00:00Z","seconds_left":882000,)"
            R"("intent":"api","user":"alice"})"
            "\n"
            R"({"identifier":"crit","state":"CRITICAL","expires":"2026-12-01T12:00:00Z","seconds_left":172800,)"
            R"("intent":"app_password","user":"alice"})"
            "\n"
            R"({"identifier":"gone","state":"EXPIRED","expires":"2026-11-29T10:00:00Z","seconds_left":-7200,)"
            R"("intent":"api","user":null})"
            "\n"
            R"({"identifier":"kept","state":"OK","expires":"2020-01-01T00:00:00Z","seconds_left":null,)"
            R"("intent":"api","user":"alice"})"
            "\n");
        const std::string tsv_rows =
            "OK\tok-never\tnever\t-\tapi\talice\n"
            "WARNING\twarn\t2026-12-09T17:00:00Z\t882000\tapi\talice\n"
            "CRITICAL\tcrit\t2026-12-01T12:00:00Z\t172800\tapp_password\talice\n"
            "EXPIRED\tgone\t2026-11-29T10:00:00Z\t-7200\tapi\t-\n"
            "OK\tkept\t2020-01-01T00:00:00Z\t-\tapi\talice\n";
        CHECK(render(output::Format::tsv) ==
              fmt::format("state\tidentifier\texpires\tseconds_left\tintent\tuser\n{}", tsv_rows));
        CHECK(render(output::Format::tsv, false) == tsv_rows);
        CHECK(render(output::Format::id) == "ok-never\nwarn\ncrit\ngone\nkept\n");
    }

    TEST_CASE("check report: nothing selected") {
        commands::CheckPlan plan;
        output::Style style;
        style.now = kNow;
        for (output::Format format : {output::Format::jsonl, output::Format::tsv, output::Format::id}) {
            CHECK(commands::check_report({}, plan, format, style) == "");
        }
        // A monitoring system needs its status line even then.
        const std::string summary =
            "AKTOKEN OK - 0 expired, 0 expiring within 3d, 0 expiring within 14d, 0 ok | not_found=0 expired=0 "
            "critical=0 warning=0 ok=0\n";
        CHECK(commands::check_report({}, plan, output::Format::table, style) == summary);
        CHECK(commands::check_report({}, plan, output::Format::wide, style) == summary);
        CHECK(commands::check_report({}, plan, output::Format::json, style) == "[]\n");
    }

    TEST_CASE("check run: an empty --from-file checks nothing: no request, the status line, exit 0") {
        Fixture f;
        CheckFlags flags;
        flags.from_file = true;
        commands::Context context = f.context(output::Format::table);
        const commands::Result result = commands::run_check(context, commands::plan_check(flags));
        CHECK(result.status == 0);
        CHECK(f.transport.requests.empty());
        CHECK(f.out.str() ==
              "AKTOKEN OK - 0 expired, 0 expiring within 3d, 0 expiring within 14d, 0 ok | not_found=0 expired=0 "
              "critical=0 warning=0 ok=0\n");
        CHECK(f.err.str() == "");
        // The list filters still belong to a check without --from-file only.
        flags.filters.field_filter("intent") = "api";
        CHECK(plan_error(flags) ==
              "--intent cannot be used with IDENTIFIER arguments: the list filters select the tokens only when no "
              "IDENTIFIER is given");
    }

    TEST_CASE("check run: identifiers are read with GET each, in order, no list") {
        Fixture f;
        f.transport.answer(200, token_json("b", R"("2026-12-01T12:00:00Z")", true));
        f.transport.answer(200, token_json("a", "null", false));
        CheckFlags flags;
        flags.identifiers = {"b", "a"};
        commands::Context context = f.context(output::Format::id);
        CHECK(commands::run_check(context, commands::plan_check(flags)).status == 2);
        REQUIRE(f.transport.requests.size() == 2);
        CHECK(f.transport.requests[0].method == "GET");
        CHECK(f.transport.requests[0].url == "https://ak.example.com/api/v3/core/tokens/b/");
        CHECK(f.transport.requests[1].url == "https://ak.example.com/api/v3/core/tokens/a/");
        CHECK(f.out.str() == "b\na\n");
        CHECK(f.err.str() == "");
    }

    TEST_CASE("check run: the list filters page through the list, client-side filters applied") {
        Fixture f;
        f.transport.answer(200, page_json({token_json("x", R"("2026-12-05T00:00:00Z")", true),
                                           token_json("y", R"("2026-11-01T00:00:00Z")", true)},
                                          2));
        f.transport.answer(200, page_json({token_json("z", R"("2026-11-02T00:00:00Z")", true)}, 0));
        CheckFlags flags;
        flags.filters.field_filter("user") = "alice";
        flags.filters.expired = true;
        commands::Context context = f.context(output::Format::table, true);
        CHECK(commands::run_check(context, commands::plan_check(flags)).status == 2);
        REQUIRE(f.transport.requests.size() == 2);
        CHECK(f.transport.requests[0].url ==
              "https://ak.example.com/api/v3/core/tokens/?user__username=alice&page_size=100&page=1");
        CHECK(f.transport.requests[1].url ==
              "https://ak.example.com/api/v3/core/tokens/?user__username=alice&page_size=100&page=2");
        CHECK(f.out.str() ==
              "AKTOKEN CRITICAL - 2 expired, 0 expiring within 3d, 0 expiring within 14d, 0 ok | not_found=0 "
              "expired=2 critical=0 warning=0 ok=0 min_seconds_left=-2462400s;1209600:;259200:\n"
              "STATE    IDENTIFIER  EXPIRES               LEFT\n"
              "EXPIRED  y           2026-11-01T00:00:00Z  expired 28d 12h ago\n"
              "EXPIRED  z           2026-11-02T00:00:00Z  expired 27d 12h ago\n");
        CHECK(f.err.str() == "aktoken: check: 2 tokens: 0 OK, 0 WARNING, 0 CRITICAL, 2 EXPIRED\n");
    }

    TEST_CASE("check run: exit 1 for a warning, 0 when all are OK or none, summary only on a terminal") {
        Fixture f;
        f.transport.answer(
            200, page_json({token_json("x", R"("2026-12-05T00:00:00Z")", true), token_json("y", "null", false)}, 0));
        commands::Context context = f.context(output::Format::id, false);
        CHECK(commands::run_check(context, commands::plan_check({})).status == 1);
        CHECK(f.out.str() == "x\ny\n");
        CHECK(f.err.str() == "");

        f.transport.answer(200, page_json({token_json("y", "null", false)}, 0));
        commands::Context on_terminal = f.context(output::Format::id, true);
        CHECK(commands::run_check(on_terminal, commands::plan_check({})).status == 0);
        CHECK(f.err.str() == "aktoken: check: 1 token: 1 OK, 0 WARNING, 0 CRITICAL, 0 EXPIRED\n");

        f.transport.answer(200, page_json({}, 0));
        f.out.str("");
        f.err.str("");
        commands::Context json = f.context(output::Format::json, true);
        CHECK(commands::run_check(json, commands::plan_check({})).status == 0);
        CHECK(f.out.str() == "[]\n");
        CHECK(f.err.str() == "aktoken: check: 0 tokens: 0 OK, 0 WARNING, 0 CRITICAL, 0 EXPIRED\n");
    }

    TEST_CASE("check run: --prometheus replaces the file with mode 0644") {
        Fixture f;
        TempDir dir;
        const std::string path = dir / "authentik.prom";
        {
            std::ofstream old(path);
            old << "old\n";
        }
        ::chmod(path.c_str(), 0600);
        f.transport.answer(200, token_json("a", R"("2026-12-01T00:00:00Z")", true));
        CheckFlags flags;
        flags.identifiers = {"a"};
        flags.prometheus = path;
        commands::Context context = f.context(output::Format::id);
        CHECK(commands::run_check(context, commands::plan_check(flags)).status == 2);
        CHECK(slurp(path) == commands::prometheus_text({token("a", util::parse_timestamp("2026-12-01T00:00:00Z"))}));
        struct stat st {};
        REQUIRE(::stat(path.c_str(), &st) == 0);
        CHECK((st.st_mode & 07777) == 0644);
    }

    TEST_CASE("check run: an error is thrown; nothing is printed and the file is left as it was") {
        Fixture f;
        TempDir dir;
        const std::string path = dir / "authentik.prom";
        {
            std::ofstream old(path);
            old << "old\n";
        }
        f.transport.answer(200, token_json("a", R"("2026-12-01T00:00:00Z")", true));
        f.transport.answer(403, R"({"detail":"You do not have permission to perform this action."})");
        CheckFlags flags;
        flags.identifiers = {"a", "nope"};
        flags.prometheus = path;
        commands::Context context = f.context(output::Format::table, true);
        try {
            commands::run_check(context, commands::plan_check(flags));
            FAIL("no error");
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::permission);
        }
        CHECK(f.out.str() == "");
        CHECK(f.err.str() == "");
        CHECK(slurp(path) == "old\n");

        // A failure on a later page of the list: nothing of the first page is printed either.
        f.transport.answer(200, page_json({token_json("x", "null", false)}, 2));
        f.transport.answer(500, "Internal Server Error");
        CHECK_THROWS_AS(commands::run_check(context, commands::plan_check({})), Error);
        CHECK(f.out.str() == "");
        CHECK(slurp(path) == "old\n");
    }

    TEST_CASE("check run: a named token that is gone is a CRITICAL row of its own; the others still print") {
        Fixture f;
        TempDir dir;
        const std::string path = dir / "authentik.prom";
        f.transport.answer(200, token_json("a", R"("2027-06-01T00:00:00Z")", true));
        f.transport.answer(404, R"({"detail":"Not found."})");
        f.transport.answer(200, token_json("c", "null", false));
        CheckFlags flags;
        flags.identifiers = {"a", "nope", "c"};
        flags.prometheus = path;
        commands::Context context = f.context(output::Format::table, true);
        CHECK(commands::run_check(context, commands::plan_check(flags)).status == 2);
        CHECK(f.out.str() ==
              "AKTOKEN CRITICAL - 1 not found, 0 expired, 0 expiring within 3d, 0 expiring within 14d, 2 ok | "
              "not_found=1 expired=0 critical=0 warning=0 ok=2 min_seconds_left=15854400s;1209600:;259200:\n"
              "STATE     IDENTIFIER  EXPIRES               LEFT\n"
              "OK        a           2027-06-01T00:00:00Z  183d 12h\n"
              "CRITICAL  nope        -                     not found\n"
              "OK        c           never                 -\n");
        CHECK(f.err.str() == "aktoken: check: 3 tokens: 2 OK, 0 WARNING, 1 CRITICAL, 0 EXPIRED (1 not found)\n");
        // The textfile has the tokens that exist.
        CHECK(slurp(path) == commands::prometheus_text({token("a", util::parse_timestamp("2027-06-01T00:00:00Z")),
                                                        token("c", std::nullopt, false)}));

        f.out.str("");
        f.err.str("");
        f.transport.answer(404, R"({"detail":"Not found."})");
        commands::Context json = f.context(output::Format::json);
        flags.identifiers = {"nope"};
        flags.prometheus.reset();
        CHECK(commands::run_check(json, commands::plan_check(flags)).status == 2);
        CHECK(f.out.str() ==
              "[\n  {\n    \"identifier\": \"nope\",\n    \"state\": \"CRITICAL\",\n    \"expires\": null,\n"
              "    \"seconds_left\": null,\n    \"intent\": null,\n    \"user\": null,\n"
              "    \"reason\": \"not found\"\n  }\n]\n");
    }

    TEST_CASE("check run: named tokens are kept as rows, not whole; past 64 MiB of tokens the check stops") {
        Fixture f;
        // 32 tokens of just under 1 MiB fit (each counts as its struct and twice its JSON); the 33rd
        // is refused.
        const std::string description((std::size_t{1} << 20) - 1024, 'd');
        f.transport.respond = [&](const http::Request& request) {
            const std::string identifier = request.url.substr(request.url.rfind('/', request.url.size() - 2) + 1);
            std::string body = token_json(identifier.substr(0, identifier.size() - 1), "null", false);
            body.replace(body.find(R"("description":"")"), 16, R"("description":")" + description + '"');
            return http::Response{200, {}, body, 0};
        };
        CheckFlags flags;
        for (int i = 0; i < 40; ++i) {
            flags.identifiers.push_back(fmt::format("t{}", i));
        }
        commands::Context context = f.context();
        try {
            commands::run_check(context, commands::plan_check(flags));
            FAIL("no error");
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::server);
            CHECK(
                std::string(e.what()) ==
                "the checked tokens exceed 64 MiB, the most aktoken keeps of one check; check fewer tokens at a time");
        }
        CHECK(f.transport.requests.size() == 32 + 1);
        CHECK(f.out.str() == "");
    }
}  // TEST_SUITE
