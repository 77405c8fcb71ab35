// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <sstream>

#include "aktoken/commands/update.h"
#include "aktoken/json/codec.h"
#include "unit/fake_transport.h"

using namespace aktoken;
using commands::UpdateFlags;

namespace {

const util::Timestamp kNow = *util::parse_timestamp("2026-11-29T12:00:00Z");

std::string body_of(const UpdateFlags& flags) { return json::encode_patch(commands::plan_update(flags, kNow).patch); }

UpdateFlags flags_for(const std::string& identifier) {
    UpdateFlags flags;
    flags.identifiers = {identifier};
    return flags;
}

model::Token token(const std::string& intent, std::int64_t user) {
    model::Token t;
    t.identifier = "ci";
    t.intent = intent;
    t.user = user;
    return t;
}

}  // namespace

TEST_SUITE("unit") {
    TEST_CASE("update plan: each flag maps to exactly its field") {
        struct Case {
            void (*set)(UpdateFlags&);
            std::string body;
        };
        const Case cases[] = {
            {[](UpdateFlags& f) { f.description = "hello \"world\""; }, R"({"description":"hello \"world\""})"},
            {[](UpdateFlags& f) { f.description = ""; }, R"({"description":""})"},
            {[](UpdateFlags& f) { f.expires = "2027-01-31T12:00:00Z"; }, R"({"expires":"2027-01-31T12:00:00Z"})"},
            {[](UpdateFlags& f) { f.expires = "2027-01-31T12:00:00.5-02:30"; },
             R"({"expires":"2027-01-31T14:30:00Z"})"},
            {[](UpdateFlags& f) { f.expires = "2027-01-31"; }, R"({"expires":"2027-01-31T00:00:00Z"})"},
            {[](UpdateFlags& f) { f.expires = "+30d"; }, R"({"expires":"2026-12-29T12:00:00Z"})"},
            {[](UpdateFlags& f) { f.expires = "1d12h"; }, R"({"expires":"2026-12-01T00:00:00Z"})"},
            {[](UpdateFlags& f) { f.expires = "90m"; }, R"({"expires":"2026-11-29T13:30:00Z"})"},
            {[](UpdateFlags& f) { f.expires = "2w"; }, R"({"expires":"2026-12-13T12:00:00Z"})"},
            {[](UpdateFlags& f) { f.expires = "never"; }, R"({"expires":null})"},
            {[](UpdateFlags& f) { f.expiring = true; }, R"({"expiring":true})"},
            {[](UpdateFlags& f) { f.no_expiring = true; }, R"({"expiring":false})"},
            {[](UpdateFlags& f) { f.intent = "app_password"; }, R"({"intent":"app_password"})"},
            {[](UpdateFlags& f) { f.user = "42"; }, R"({"user":42})"},
            {[](UpdateFlags& f) { f.new_identifier = "renamed_1"; }, R"({"identifier":"renamed_1"})"},
            {[](UpdateFlags& f) { f.managed = "goauthentik.io/x"; }, R"({"managed":"goauthentik.io/x"})"},
            {[](UpdateFlags& f) { f.no_managed = true; }, R"({"managed":null})"},
            {[](UpdateFlags& f) {
                 f.description = "d";
                 f.expires = "never";
                 f.no_expiring = true;
                 f.intent = "api";
             },
             R"({"intent":"api","description":"d","expires":null,"expiring":false})"},
        };
        for (const Case& c : cases) {
            CAPTURE(c.body);
            UpdateFlags flags = flags_for("ci");
            c.set(flags);
            CHECK(body_of(flags) == c.body);
        }
    }

    TEST_CASE("update plan: --user digits are a pk, anything else a username to look up") {
        UpdateFlags flags = flags_for("ci");
        flags.user = "7";
        commands::UpdatePlan plan = commands::plan_update(flags, kNow);
        CHECK(plan.patch.user == std::optional<std::int64_t>(7));
        CHECK_FALSE(plan.user_name);
        flags.user = "alice.smith@example.com";
        plan = commands::plan_update(flags, kNow);
        CHECK_FALSE(plan.patch.user);
        CHECK(plan.user_name == std::optional<std::string>("alice.smith@example.com"));
    }

    TEST_CASE("update plan: bad values are usage errors naming the flag") {
        struct Case {
            void (*set)(UpdateFlags&);
            std::string message;
        };
        const Case cases[] = {
            {[](UpdateFlags& f) { f.identifiers = {""}; },
             "IDENTIFIER: invalid value \"\": expected 1 to 255 letters, digits, '-' or '_' (authentik's identifier "
             "slug)"},
            {[](UpdateFlags& f) {
                 f.description = "x";
                 f.new_identifier = "a\tb";
             },
             "--identifier: invalid value \"a\\tb\": expected 1 to 255 letters, digits, '-' or '_' (authentik's "
             "identifier slug)"},
            {[](UpdateFlags& f) { f.intent = "verification"; },
             "--intent: invalid value \"verification\": authentik refuses the intents verification and recovery in "
             "writes; expected api or app_password"},
            {[](UpdateFlags& f) { f.user = "-3"; },
             "--user: invalid value \"-3\": expected a user pk (a positive integer) or a username"},
            {[](UpdateFlags& f) { f.user = ""; },
             "--user: invalid value \"\": expected a user pk (a positive integer) or a username"},
            {[](UpdateFlags& f) { f.user = "0"; },
             "--user: invalid value \"0\": expected a user pk (a positive integer)"},
            {[](UpdateFlags& f) { f.user = "99999999999999999999"; },
             "--user: invalid value \"99999999999999999999\": expected a user pk (a positive integer)"},
            {[](UpdateFlags& f) { f.expires = "2026-02-29"; },
             "--expires: invalid value \"2026-02-29\": \"2026-02-29\" is not a calendar date"},
            {[](UpdateFlags& f) {
                 f.expiring = true;
                 f.no_expiring = true;
             },
             "--expiring and --no-expiring cannot be used together"},
        };
        for (const Case& c : cases) {
            CAPTURE(c.message);
            UpdateFlags flags = flags_for("ci");
            c.set(flags);
            try {
                commands::plan_update(flags, kNow);
                FAIL("no error");
            } catch (const Error& e) {
                CHECK(e.kind() == ErrorKind::usage);
                CHECK(std::string(e.what()) == c.message);
            }
        }
    }

    TEST_CASE("update plan: preservation adds the current intent and user, never over the user's own") {
        model::TokenPatch patch;
        patch.description = "x";
        commands::preserve_owner_and_intent(patch, token("app_password", 7));
        CHECK(json::encode_patch(patch) == R"({"intent":"app_password","user":7,"description":"x"})");

        model::TokenPatch converted;
        converted.intent = "api";
        converted.user = 7;
        commands::preserve_owner_and_intent(converted, token("app_password", 7));
        CHECK(json::encode_patch(converted) == R"({"intent":"api","user":7})");
    }

    TEST_CASE("update: overrides are found for each requested field the server stored differently") {
        model::TokenPatch asked;
        asked.description = "wanted";
        asked.expires = model::Nullable<util::Timestamp>{false, *util::parse_timestamp("2027-01-01T00:00:00Z")};
        asked.expiring = true;
        model::Token stored = token("api", 1);
        stored.description = "wanted";
        stored.expires = util::parse_timestamp("2026-11-29T12:30:00.250000Z");
        stored.expiring = false;
        auto overrides = commands::find_overrides(asked, stored);
        REQUIRE(overrides.size() == 2);
        CHECK(commands::describe(overrides[0]) ==
              "expires: requested \"2027-01-01T00:00:00Z\", the server stored \"2026-11-29T12:30:00Z\" (authentik sets "
              "an "
              "api token's expiry to now + its default token duration)");
        CHECK(commands::describe(overrides[1]) == "expiring: requested \"true\", the server stored \"false\"");

        stored.expiring = true;
        stored.expires = util::parse_timestamp("2027-01-01T00:00:00.000001Z");
        CHECK(commands::find_overrides(asked, stored).empty());  // equal to the second

        model::TokenPatch never;
        never.expires = model::Nullable<util::Timestamp>{true, {}};
        stored.intent = "app_password";
        auto app = commands::find_overrides(never, stored);
        REQUIRE(app.size() == 1);
        CHECK(commands::describe(app[0]) == "expires: requested \"never\", the server stored \"2027-01-01T00:00:00Z\"");
    }

    TEST_CASE("update: the run sends GET then PATCH and prints the stored token") {
        testing::FakeTransport transport;
        api::Client client(transport, "http://h/api/v3",
                           std::make_shared<api::Credentials>([] { return util::Secret("k"); }));
        transport.answer(200, R"({"pk":"p","identifier":"ci","intent":"app_password","user":5,"description":"old",)"
                              R"("expires":null,"expiring":false,"managed":null})");
        transport.answer(200, R"({"pk":"p","identifier":"ci","intent":"app_password","user":5,"description":"new",)"
                              R"("expires":null,"expiring":false,"managed":null})");
        std::ostringstream out;
        std::ostringstream err;
        commands::Context context{client, output::Format::table, {}, out, err};
        UpdateFlags flags = flags_for("ci");
        flags.description = "new";
        commands::Result result = commands::run_update(context, commands::plan_update(flags, kNow));
        CHECK(result.errors.empty());
        REQUIRE(transport.requests.size() == 2);
        CHECK(transport.requests[1].method == "PATCH");
        CHECK(transport.requests[1].body == R"({"intent":"app_password","user":5,"description":"new"})");
        CHECK(err.str() == "");
        CHECK(out.str() ==
              "identifier:  ci\npk:          p\nintent:      app_password\nuser:        5\ndescription: new\n"
              "expires:     never\nexpiring:    false\nmanaged:     -\n");
    }

}  // TEST_SUITE
