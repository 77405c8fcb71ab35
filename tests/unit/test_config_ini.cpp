// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "aktoken/util/error.h"
#include "config/ini.h"

using aktoken::config::IniFile;
using aktoken::config::parse_ini;

namespace {

const std::vector<std::string_view> keys{"url", "token_file", "token", "ca_file", "insecure", "timeout", "output"};

IniFile parse(const std::string& text) { return parse_ini(text, "/cfg", keys); }

std::string error_of(const std::string& text) {
    try {
        parse(text);
    } catch (const aktoken::Error& e) {
        CHECK(e.kind() == aktoken::ErrorKind::config);
        return e.what();
    }
    return "(no error)";
}

}  // namespace

TEST_SUITE("unit") {
    TEST_CASE("parse_ini reads sections, keys, comments and quotes") {
        const IniFile file = parse(
            "\xEF\xBB\xBF# leading comment\n"
            "; another\n"
            "\n"
            "[default]\n"
            "url = https://ak.example.com\n"
            "output=json\n"
            "  token_file   =   ~/tok   \r\n"
            "[staging.eu-1_x]\n"
            "url = \"https://staging.example.com\"  \n"
            "token = 'a b # c'\n"
            "ca_file =\n"
            "timeout = \"\"\n"
            "   # indented comment\n"
            "insecure = yes # not a comment\n");
        REQUIRE(file.sections.size() == 2);
        CHECK(file.section_names() == std::vector<std::string>{"default", "staging.eu-1_x"});
        const auto* first = file.find("default");
        REQUIRE(first != nullptr);
        CHECK(first->line == 4);
        REQUIRE(first->entries.size() == 3);
        CHECK(first->find("url")->value == "https://ak.example.com");
        CHECK(first->find("url")->line == 5);
        CHECK(first->find("output")->value == "json");
        CHECK(first->find("token_file")->value == "~/tok");
        CHECK(first->find("token_file")->line == 7);
        CHECK(first->find("token") == nullptr);
        const auto* second = file.find("staging.eu-1_x");
        REQUIRE(second != nullptr);
        CHECK(second->find("url")->value == "https://staging.example.com");
        CHECK(second->find("token")->value == "a b # c");
        CHECK(second->find("ca_file")->value == "");
        CHECK(second->find("timeout")->value == "");
        CHECK(second->find("insecure")->value == "yes # not a comment");
        CHECK(file.find("prod") == nullptr);
    }

    TEST_CASE("parse_ini accepts empty input and empty sections") {
        CHECK(parse("").sections.empty());
        CHECK(parse("\n# only a comment\n").sections.empty());
        const IniFile file = parse("[a]\n[b]");
        CHECK(file.section_names() == std::vector<std::string>{"a", "b"});
        CHECK(file.sections[1].line == 2);
    }

    TEST_CASE("parse_ini reports errors with file and line") {
        struct Case {
            const char* text;
            const char* message;
        };
        const std::vector<Case> cases{
            {"url = x\n", "/cfg:1: key outside a [profile] section"},
            {"# c\n\nurl = x\n", "/cfg:3: key outside a [profile] section"},
            {"[a]\njust words\n", "/cfg:2: expected [profile] or key = value"},
            {"[a]\n= value\n", "/cfg:2: expected [profile] or key = value"},
            {"[a]\nmy key = value\n", "/cfg:2: expected [profile] or key = value"},
            {"[a]\nurl: x\n", "/cfg:2: expected [profile] or key = value"},
            {"[]\n", "/cfg:1: expected [profile] or key = value"},
            {"[a b]\n", "/cfg:1: expected [profile] or key = value"},
            {"[ a ]\n", "/cfg:1: expected [profile] or key = value"},
            {"[a\n", "/cfg:1: expected [profile] or key = value"},
            {"[a] # c\n", "/cfg:1: expected [profile] or key = value"},
            {"[a/b]\n", "/cfg:1: expected [profile] or key = value"},
            {"[a]\ncolour = red\n",
             "/cfg:2: unknown key \"colour\" (valid: url, token_file, token, ca_file, insecure, timeout, output)"},
            {"[a]\nURL = x\n",
             "/cfg:2: unknown key \"URL\" (valid: url, token_file, token, ca_file, insecure, timeout, output)"},
            {"[a]\n[b]\n[a]\n", "/cfg:3: duplicate section [a] (first at line 1)"},
            {"[a]\nurl = x\n\nurl = y\n", "/cfg:4: duplicate key \"url\" in [a] (first at line 2)"},
            {"[a]\ntoken = \"abc\n", "/cfg:2: missing closing \" after the value of token"},
            {"[a]\ntoken = '\n", "/cfg:2: missing closing ' after the value of token"},
            {"[a]\ntoken = 'abc\"\n", "/cfg:2: missing closing ' after the value of token"},
        };
        for (const auto& c : cases) {
            const std::string captured(c.text);
            CAPTURE(captured);
            CHECK(error_of(c.text) == c.message);
        }
    }

    TEST_CASE("the same key in different sections is fine") {
        const IniFile file = parse("[a]\nurl = 1\n[b]\nurl = 2\n");
        CHECK(file.find("a")->find("url")->value == "1");
        CHECK(file.find("b")->find("url")->value == "2");
    }

}  // TEST_SUITE
