// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <optional>
#include <string>
#include <vector>

#include "aktoken/json/builder.h"
#include "aktoken/json/codec.h"
#include "aktoken/output/list.h"
#include "aktoken/util/error.h"

using namespace aktoken;

namespace {

model::Token make_token(std::string identifier, std::string pk, std::string intent, model::User user,
                        std::string description, const char* expires, bool expiring,
                        std::optional<std::string> managed) {
    model::Token t;
    t.identifier = std::move(identifier);
    t.pk = std::move(pk);
    t.intent = std::move(intent);
    t.user = user.pk;
    t.user_obj = std::move(user);
    t.description = std::move(description);
    if (expires != nullptr) {
        t.expires = util::parse_timestamp(expires);
    }
    t.expiring = expiring;
    t.managed = std::move(managed);
    t.json = fmt::format(R"({{"pk":{},"managed":{},"identifier":{},"intent":{},"user":{},"description":{},)"
                         R"("expires":{},"expiring":{},"tags":[],"meta":{{}}}})",
                         json::quote(t.pk), t.managed ? json::quote(*t.managed) : "null", json::quote(t.identifier),
                         json::quote(t.intent), t.user, json::quote(t.description),
                         expires != nullptr ? json::quote(expires) : "null", expiring ? "true" : "false");
    return t;
}

// A tab and a newline in the description; no expiry and a managed value; a non-ASCII username.
std::vector<model::Token> samples() {
    return {
        make_token("ci-deploy", "3f2a", "api", {4, "ci-bot", "CI", false}, "Deploys\tprod\nnightly",
                   "2026-12-02T16:00:00Z", true, std::nullopt),
        make_token("outpost-token", "9c", "api", {7, "ak-outpost", "Outpost", false}, "Outpost", nullptr, false,
                   "goauthentik.io/outpost/abc"),
        make_token("app-pw", "b1", "app_password", {12, "rené", "René", false}, "Mail client", "2026-11-29T10:00:00Z",
                   true, std::nullopt),
    };
}

output::Style terminal_style() {
    output::Style style;
    style.terminal = true;
    style.now = *util::parse_timestamp("2026-11-29T12:00:00Z");
    return style;
}

// Everything the writer prints for the samples, one page per token so streaming is exercised.
std::string render(output::ListOptions options, const std::vector<model::Token>& tokens = samples()) {
    output::ListWriter writer(std::move(options));
    std::string out;
    for (const model::Token& token : tokens) {
        out += writer.add_page({token});
    }
    out += writer.finish();
    CHECK(writer.count() == tokens.size());
    return out;
}

output::ListOptions options_for(output::Format format) {
    output::ListOptions options;
    options.format = format;
    return options;
}

}  // namespace

TEST_SUITE("unit") {
    TEST_CASE("list: a token that does not expire reads never for people, its stored expiry for scripts") {
        // authentik fills in expires on api writes even when expiring is false.
        const std::vector<model::Token> tokens = {make_token("svc-noexpire", "a1", "api", {4, "svc", "Svc", false}, "",
                                                             "2026-06-01T00:00:00Z", false, std::nullopt),
                                                  make_token("svc-soon", "a2", "api", {4, "svc", "Svc", false}, "",
                                                             "2026-11-29T12:30:00Z", true, std::nullopt)};
        output::ListOptions table = options_for(output::Format::table);
        table.columns = {"identifier", "expires"};
        CHECK(render(table, tokens) ==
              "IDENTIFIER    EXPIRES\n"
              "svc-noexpire  never\n"
              "svc-soon      2026-11-29T12:30:00Z\n");
        table.style = terminal_style();
        CHECK(render(table, tokens) ==
              "IDENTIFIER    EXPIRES\n"
              "svc-noexpire  never\n"
              "svc-soon      in 30m\n");
        output::ListOptions tsv = options_for(output::Format::tsv);
        tsv.columns = {"identifier", "expires", "expiring"};
        CHECK(render(tsv, tokens) ==
              "identifier\texpires\texpiring\n"
              "svc-noexpire\t2026-06-01T00:00:00Z\tfalse\n"
              "svc-soon\t2026-11-29T12:30:00Z\ttrue\n");
        CHECK(output::token_block(tokens[0], terminal_style()).find("expires:     never\n") != std::string::npos);
        CHECK(output::expires_text(tokens[0], terminal_style()) == "never");
        CHECK(output::expires_text(tokens[1], terminal_style()) == "2026-11-29T12:30:00Z (in 30m)");
    }

    TEST_CASE("list: table shows full values, aligned by code points, one line per token") {
        const std::string expected =
            "IDENTIFIER     INTENT        USER        EXPIRES               DESCRIPTION\n"
            "ci-deploy      api           ci-bot      2026-12-02T16:00:00Z  Deploys\\tprod\\nnightly\n"
            "outpost-token  api           ak-outpost  never                 Outpost\n"
            "app-pw         app_password  rené        2026-11-29T10:00:00Z  Mail client\n";
        CHECK(render(options_for(output::Format::table)) == expected);

        output::ListOptions options = options_for(output::Format::table);
        options.headers = false;
        CHECK(render(options) ==
              "ci-deploy      api           ci-bot      2026-12-02T16:00:00Z  Deploys\\tprod\\nnightly\n"
              "outpost-token  api           ak-outpost  never                 Outpost\n"
              "app-pw         app_password  rené        2026-11-29T10:00:00Z  Mail client\n");
    }

    TEST_CASE("list: table is not fitted off a terminal, whatever the width") {
        output::ListOptions options = options_for(output::Format::table);
        options.style.width = 40;
        CHECK(render(options) == render(options_for(output::Format::table)));
    }

    TEST_CASE("list: wide adds pk, expiring and managed") {
        CHECK(render(options_for(output::Format::wide)) ==
              "IDENTIFIER     PK    INTENT        USER        EXPIRES               EXPIRING  MANAGED                  "
              "   "
              "DESCRIPTION\n"
              "ci-deploy      3f2a  api           ci-bot      2026-12-02T16:00:00Z  true      -                        "
              "   "
              "Deploys\\tprod\\nnightly\n"
              "outpost-token  9c    api           ak-outpost  never                 false     "
              "goauthentik.io/outpost/abc  "
              "Outpost\n"
              "app-pw         b1    app_password  rené        2026-11-29T10:00:00Z  true      -                        "
              "   "
              "Mail client\n");

        // Without the header EXPIRING is only as wide as its values.
        output::ListOptions options = options_for(output::Format::wide);
        options.headers = false;
        CHECK(render(options) ==
              "ci-deploy      3f2a  api           ci-bot      2026-12-02T16:00:00Z  true   -                           "
              "Deploys\\tprod\\nnightly\n"
              "outpost-token  9c    api           ak-outpost  never                 false  goauthentik.io/outpost/abc  "
              "Outpost\n"
              "app-pw         b1    app_password  rené        2026-11-29T10:00:00Z  true   -                           "
              "Mail client\n");
    }

    TEST_CASE("list: table on a terminal shows relative times") {
        output::ListOptions options = options_for(output::Format::table);
        options.style = terminal_style();
        CHECK(render(options) ==
              "IDENTIFIER     INTENT        USER        EXPIRES         DESCRIPTION\n"
              "ci-deploy      api           ci-bot      in 3d 4h        Deploys\\tprod\\nnightly\n"
              "outpost-token  api           ak-outpost  never           Outpost\n"
              "app-pw         app_password  rené        expired 2h ago  Mail client\n");

        // A wide enough terminal changes nothing.
        options.style.width = 79;
        CHECK(render(options) ==
              "IDENTIFIER     INTENT        USER        EXPIRES         DESCRIPTION\n"
              "ci-deploy      api           ci-bot      in 3d 4h        Deploys\\tprod\\nnightly\n"
              "outpost-token  api           ak-outpost  never           Outpost\n"
              "app-pw         app_password  rené        expired 2h ago  Mail client\n");
    }

    TEST_CASE("list: table on a terminal is fitted: the description shortens, then whole columns are left out") {
        output::ListOptions options = options_for(output::Format::table);
        options.style = terminal_style();
        // 79 columns fit whole (see above); at 70 the description gives up 9 and keeps 13.
        options.style.width = 70;
        CHECK(render(options) ==
              "IDENTIFIER     INTENT        USER        EXPIRES         DESCRIPTION\n"
              "ci-deploy      api           ci-bot      in 3d 4h        Deploys\\tpro…\n"
              "outpost-token  api           ak-outpost  never           Outpost\n"
              "app-pw         app_password  rené        expired 2h ago  Mail client\n");

        // Below its header's width the description is left out, not cut further; no other
        // column is ever cut.
        options.style.width = 67;
        CHECK(render(options) ==
              "IDENTIFIER     INTENT        USER        EXPIRES\n"
              "ci-deploy      api           ci-bot      in 3d 4h\n"
              "outpost-token  api           ak-outpost  never\n"
              "app-pw         app_password  rené        expired 2h ago\n");

        // INTENT gives way before USER.
        options.style.width = 41;
        CHECK(render(options) ==
              "IDENTIFIER     USER        EXPIRES\n"
              "ci-deploy      ci-bot      in 3d 4h\n"
              "outpost-token  ak-outpost  never\n"
              "app-pw         rené        expired 2h ago\n");
        options.style.width = 40;
        CHECK(render(options) ==
              "IDENTIFIER     EXPIRES\n"
              "ci-deploy      in 3d 4h\n"
              "outpost-token  never\n"
              "app-pw         expired 2h ago\n");

        // IDENTIFIER stays whole even alone on a terminal narrower than it: the terminal wraps it.
        options.style.width = 10;
        CHECK(render(options) ==
              "IDENTIFIER\n"
              "ci-deploy\n"
              "outpost-token\n"
              "app-pw\n");
    }

    TEST_CASE(
        "list: the fitted table names the columns it left out, and a column list without identifier keeps "
        "its most needed one") {
        output::ListOptions options = options_for(output::Format::wide);
        options.style = terminal_style();
        options.style.width = 61;
        output::ListWriter writer(options);
        for (const model::Token& token : samples()) {
            CHECK(writer.add(token).empty());
        }
        CHECK(writer.finish() ==
              "IDENTIFIER     PK    INTENT        USER        EXPIRES\n"
              "ci-deploy      3f2a  api           ci-bot      in 3d 4h\n"
              "outpost-token  9c    api           ak-outpost  never\n"
              "app-pw         b1    app_password  rené        expired 2h ago\n");
        CHECK(writer.left_out() == std::vector<std::string>{"EXPIRING", "MANAGED", "DESCRIPTION"});

        // USER and INTENT are too wide for what is left at 40, the less needed PK is not.
        options.style.width = 40;
        CHECK(render(options) ==
              "IDENTIFIER     PK    EXPIRES\n"
              "ci-deploy      3f2a  in 3d 4h\n"
              "outpost-token  9c    never\n"
              "app-pw         b1    expired 2h ago\n");

        options.format = output::Format::table;
        options.columns = {"description", "managed"};
        options.style.width = 9;
        CHECK(render(options) ==
              "DESCRIPTION\n"
              "Deploys\\tp…\n"
              "Outpost\n"
              "Mail client\n");

        // Without a header the description still keeps the header's width at least.
        options.columns = {"identifier", "description"};
        options.headers = false;
        options.style.width = 26;
        CHECK(render(options) ==
              "ci-deploy      Deploys\\tp…\n"
              "outpost-token  Outpost\n"
              "app-pw         Mail client\n");
        options.style.width = 25;
        CHECK(render(options) == "ci-deploy\noutpost-token\napp-pw\n");
    }

    TEST_CASE("list: an expired token that expires is red when colour is allowed") {
        output::ListOptions options = options_for(output::Format::table);
        options.style = terminal_style();
        options.style.color = true;
        options.columns = {"expires", "identifier"};
        CHECK(render(options) ==
              "EXPIRES         IDENTIFIER\n"
              "in 3d 4h        ci-deploy\n"
              "never           outpost-token\n"
              "\x1b[31mexpired 2h ago\x1b[0m  app-pw\n");
    }

    TEST_CASE("list: columns pick and order table, wide and tsv") {
        std::vector<model::Token> tokens = samples();
        tokens[1].user_obj.reset();  // the server may leave user_obj out

        output::ListOptions options = options_for(output::Format::table);
        options.columns = output::parse_columns("identifier,user,user.username,user.pk,identifier");
        CHECK(render(options, tokens) ==
              "IDENTIFIER     USER    USER.USERNAME  USER.PK  IDENTIFIER\n"
              "ci-deploy      ci-bot  ci-bot         4        ci-deploy\n"
              "outpost-token  7       -              7        outpost-token\n"
              "app-pw         rené    rené           12       app-pw\n");

        options.format = output::Format::wide;
        options.columns = output::parse_columns("managed,expiring,pk");
        CHECK(render(options, tokens) ==
              "MANAGED                     EXPIRING  PK\n"
              "-                           true      3f2a\n"
              "goauthentik.io/outpost/abc  false     9c\n"
              "-                           true      b1\n");

        options.format = output::Format::tsv;
        options.columns = output::parse_columns("identifier,user.username,user.pk,expires,managed");
        CHECK(render(options, tokens) ==
              "identifier\tuser.username\tuser.pk\texpires\tmanaged\n"
              "ci-deploy\tci-bot\t4\t2026-12-02T16:00:00Z\t-\n"
              "outpost-token\t-\t7\tnever\tgoauthentik.io/outpost/abc\n"
              "app-pw\trené\t12\t2026-11-29T10:00:00Z\t-\n");
    }

    TEST_CASE("list: tsv escapes tabs, newlines, carriage returns and backslashes") {
        CHECK(render(options_for(output::Format::tsv)) ==
              "identifier\tintent\tuser\texpires\tdescription\n"
              "ci-deploy\tapi\tci-bot\t2026-12-02T16:00:00Z\tDeploys\\tprod\\nnightly\n"
              "outpost-token\tapi\tak-outpost\tnever\tOutpost\n"
              "app-pw\tapp_password\trené\t2026-11-29T10:00:00Z\tMail client\n");

        // Relative times are for people: tsv keeps RFC 3339 on a terminal.
        output::ListOptions options = options_for(output::Format::tsv);
        options.headers = false;
        options.style = terminal_style();
        std::vector<model::Token> tokens = samples();
        tokens[0].description = "a\\b\rc";
        CHECK(render(options, tokens) ==
              "ci-deploy\tapi\tci-bot\t2026-12-02T16:00:00Z\ta\\\\b\\rc\n"
              "outpost-token\tapi\tak-outpost\tnever\tOutpost\n"
              "app-pw\tapp_password\trené\t2026-11-29T10:00:00Z\tMail client\n");
        CHECK(output::escape_tsv("\t\n\r\\x") == "\\t\\n\\r\\\\x");
    }

    TEST_CASE("list: id prints identifiers only") {
        CHECK(render(options_for(output::Format::id)) == "ci-deploy\noutpost-token\napp-pw\n");
    }

    TEST_CASE("list: jsonl prints one compact object a line as each page arrives") {
        const std::vector<model::Token> tokens = samples();
        output::ListWriter writer(options_for(output::Format::jsonl));
        CHECK(writer.add_page({tokens[0], tokens[1]}) == tokens[0].json + "\n" + tokens[1].json + "\n");
        CHECK(writer.add_page({tokens[2]}) == tokens[2].json + "\n");
        CHECK(writer.finish() == "");
        CHECK(writer.count() == 3);
    }

    TEST_CASE("list: json streams the same text as pretty_array") {
        const std::vector<model::Token> tokens = samples();
        output::ListWriter writer(options_for(output::Format::json));
        const std::string first = writer.add_page({tokens[0], tokens[1]});
        CHECK(first.rfind("[\n  {\n    \"pk\": \"3f2a\",\n", 0) == 0);
        std::string out = first;
        out += writer.add_page({});
        out += writer.add_page({tokens[2]});
        out += writer.finish();
        CHECK(out == json::pretty_array({tokens[0].json, tokens[1].json, tokens[2].json}) + "\n");
        CHECK(writer.count() == 3);

        output::ListWriter single(options_for(output::Format::json));
        std::string one = single.add_page({tokens[1]});
        one += single.finish();
        CHECK(one == json::pretty_array({tokens[1].json}) + "\n");
        CHECK(single.count() == 1);
    }

    TEST_CASE("list: an empty result") {
        for (const output::Format format : {output::Format::table, output::Format::wide, output::Format::tsv,
                                            output::Format::id, output::Format::jsonl}) {
            CAPTURE(static_cast<int>(format));
            output::ListWriter writer(options_for(format));
            CHECK(writer.add_page({}) == "");
            CHECK(writer.finish() == "");
            CHECK(writer.count() == 0);
        }
        output::ListWriter writer(options_for(output::Format::json));
        CHECK(writer.add_page({}) == "");
        CHECK(writer.finish() == "[]\n");
        CHECK(writer.finish() == json::pretty_array({}) + "\n");
    }

    TEST_CASE("list: table and wide print nothing before finish") {
        for (const output::Format format : {output::Format::table, output::Format::wide}) {
            output::ListWriter writer(options_for(format));
            CHECK(writer.add_page(samples()) == "");
            CHECK(writer.count() == 3);
            CHECK(writer.finish() == render(options_for(format)));
        }
    }

    TEST_CASE("list: parse_columns") {
        CHECK(output::parse_columns("identifier") == std::vector<std::string>{"identifier"});
        CHECK(output::parse_columns("user.pk, user.username ,pk,pk") ==
              std::vector<std::string>{"user.pk", "user.username", "pk", "pk"});

        const std::string valid =
            " (valid: identifier, pk, intent, user, user.username, user.pk, description, expires, expiring, managed)";
        auto message = [](std::string_view spec) -> std::string {
            try {
                output::parse_columns(spec);
            } catch (const Error& e) {
                CHECK(e.kind() == ErrorKind::usage);
                return e.what();
            }
            return "no error";
        };
        CHECK(message("identifier,foo") == "--columns: unknown column \"foo\"" + valid);
        CHECK(message("Identifier") == "--columns: unknown column \"Identifier\"" + valid);
        CHECK(message("user.name") == "--columns: unknown column \"user.name\"" + valid);
        CHECK(message("") == "--columns: no column given" + valid);
        CHECK(message(" ") == "--columns: no column given" + valid);
        CHECK(message("pk,,intent") == "--columns: empty column name in \"pk,,intent\"" + valid);
        CHECK(message("pk,") == "--columns: empty column name in \"pk,\"" + valid);

        // The writer checks columns that did not come through parse_columns.
        output::ListOptions options = options_for(output::Format::tsv);
        options.columns = {"pk", "bogus"};
        CHECK_THROWS_WITH_AS(output::ListWriter{options}, ("--columns: unknown column \"bogus\"" + valid).c_str(),
                             Error);
    }

    TEST_CASE("list: cells are measured, cut and escaped by code points") {
        CHECK(output::display_width("") == 0);
        CHECK(output::display_width("rené") == 4);
        CHECK(output::display_width("…€") == 2);

        CHECK(output::truncate_display("rené", 4) == "rené");
        CHECK(output::truncate_display("rené", 3) == "re…");
        CHECK(output::truncate_display("aé€b", 3) == "aé…");
        CHECK(output::truncate_display("éé", 1) == "…");
        CHECK(output::truncate_display("éé", 0) == "");

        CHECK(output::escape_cell("a\nb\tc\rd") == "a\\nb\\tc\\rd");
        CHECK(output::escape_cell("\x1b[2Jx\x7f") == "\\x1b[2Jx\\x7f");
        CHECK(output::escape_cell("\xc2\x9b"
                                  "2J é\\") == "\\u009b2J é\\");
        CHECK(output::escape_cell("\xe2\x80\xae"
                                  "gpj.exe\xe2\x81\xa9\xff") == "\\u202egpj.exe\\u2069\\xff");
        CHECK(output::escape_tsv("\x1b]52;c;QUJD\x07\\\xc2\x9b") == "\\x1b]52;c;QUJD\\x07\\\\\\u009b");
    }

    TEST_CASE("list: every text format escapes what the server sends, json keeps it JSON-escaped") {
        std::vector<model::Token> tokens = samples();
        tokens.resize(1);
        tokens[0].identifier = "ci\x1b[2J";
        tokens[0].description = "\x1b]0;owned\x07\xe2\x80\xae";
        tokens[0].user_obj->username = "bob\rroot";
        output::ListOptions tsv = options_for(output::Format::tsv);
        tsv.headers = false;
        CHECK(render(tsv, tokens) == "ci\\x1b[2J\tapi\tbob\\rroot\t2026-12-02T16:00:00Z\t\\x1b]0;owned\\x07\\u202e\n");
        CHECK(render(options_for(output::Format::id), tokens) == "ci\\x1b[2J\n");
        output::ListOptions table = options_for(output::Format::table);
        table.columns = {"identifier", "user", "description"};
        CHECK(render(table, tokens) ==
              "IDENTIFIER  USER       DESCRIPTION\n"
              "ci\\x1b[2J   bob\\rroot  \\x1b]0;owned\\x07\\u202e\n");
    }

}  // TEST_SUITE
