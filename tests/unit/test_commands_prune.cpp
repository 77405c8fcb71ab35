// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <chrono>

#include "aktoken/commands/prune.h"
#include "aktoken/util/error.h"

using namespace aktoken;

namespace {

const util::Timestamp kNow = *util::parse_timestamp("2026-11-29T12:00:00Z");

model::Token token(const std::string& identifier) {
    model::Token t;
    t.identifier = identifier;
    t.intent = "api";
    return t;
}

std::vector<std::string> identifiers_of(const std::vector<commands::Retired>& retired) {
    std::vector<std::string> identifiers;
    for (const commands::Retired& one : retired) {
        identifiers.push_back(one.identifier + " of " + one.base + " until " + util::format_timestamp(one.until));
    }
    return identifiers;
}

std::string plan_error(const std::vector<std::string>& identifiers) {
    try {
        commands::plan_prune(identifiers, false);
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::usage);
        return e.what();
    }
    return "no error";
}

}  // namespace

TEST_SUITE("unit") {
    TEST_CASE("prune: the retired generations among tokens, by name only, grouped by the tokens named") {
        const std::vector<model::Token> tokens = {
            token("b--retired-until-20261128T1200Z"),
            token("a"),
            token("a--next-20261129T110000Z"),
            token("a--retired-until-20261130T0000Z"),
            token("ab--retired-until-20261101T0000Z"),
            token("a--retired-until-2026113T0000Z"),
            token("b--retired-until-20261201T0000Z"),
            token("a--retired-until-20261128T0000Z--retired-until-20261129T0000Z"),
        };
        CHECK(identifiers_of(commands::retired_among(tokens, {})) ==
              std::vector<std::string>{
                  "b--retired-until-20261128T1200Z of b until 2026-11-28T12:00:00Z",
                  "a--retired-until-20261130T0000Z of a until 2026-11-30T00:00:00Z",
                  "ab--retired-until-20261101T0000Z of ab until 2026-11-01T00:00:00Z",
                  "b--retired-until-20261201T0000Z of b until 2026-12-01T00:00:00Z",
                  "a--retired-until-20261128T0000Z--retired-until-20261129T0000Z of "
                  "a--retired-until-20261128T0000Z until 2026-11-29T00:00:00Z",
              });
        // In the order the tokens are named, the server's order kept within each.
        CHECK(identifiers_of(commands::retired_among(tokens, {"a", "b"})) ==
              std::vector<std::string>{
                  "a--retired-until-20261130T0000Z of a until 2026-11-30T00:00:00Z",
                  "b--retired-until-20261128T1200Z of b until 2026-11-28T12:00:00Z",
                  "b--retired-until-20261201T0000Z of b until 2026-12-01T00:00:00Z",
              });
        CHECK(commands::retired_among(tokens, {"c"}).empty());
    }

    TEST_CASE("prune: deleted at or after the until-time, kept before it") {
        const auto at = [](const char* text) { return commands::Retired{"x", "y", *util::parse_timestamp(text)}; };
        CHECK(commands::prune_decision(at("2026-11-29T11:59:00Z"), kNow, false) == "deleted");
        CHECK(commands::prune_decision(at("2026-11-29T12:00:00Z"), kNow, false) == "deleted");
        CHECK(commands::prune_decision(at("2026-11-29T12:00:00Z"), kNow, true) == "would delete");
        CHECK(commands::prune_decision(at("2026-11-29T12:01:00Z"), kNow, false) == "kept");
        CHECK(commands::prune_decision(at("2026-11-29T12:01:00Z"), kNow, true) == "kept");
    }

    TEST_CASE("prune: identifiers are checked before anything is sent") {
        CHECK(plan_error({"ci", "db"}) == "no error");
        CHECK(plan_error({"ci--next-20261129T110000Z"}) == "no error");
        CHECK(plan_error({"ci", "ci"}) == "IDENTIFIER: \"ci\" is given twice");
        CHECK(plan_error({"ci--retired-until-20261128T1200Z"}) ==
              "IDENTIFIER: \"ci--retired-until-20261128T1200Z\" is a retired generation of \"ci\": name the token, "
              "\"ci\"");
        CHECK(commands::plan_prune({"ci"}, true).dry_run);
    }
}
