// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include "aktoken/commands/write_rules.h"

using namespace aktoken;
using commands::parse_authentik_duration;
using std::chrono::seconds;

namespace {

const util::Timestamp kNow = *util::parse_timestamp("2026-11-29T12:00:00Z");

model::Token token(const std::string& intent, const std::optional<std::string>& expires, bool expiring) {
    model::Token t;
    t.identifier = "ci";
    t.intent = intent;
    t.user = 2;
    t.expires = expires ? util::parse_timestamp(*expires) : std::nullopt;
    t.expiring = expiring;
    return t;
}

model::TokenPatch preserved(const model::Token& t) {
    model::TokenPatch body;
    body.intent = t.intent;
    body.user = t.user;
    return body;
}

}  // namespace

TEST_SUITE("unit") {
    TEST_CASE("write rules: authentik's duration form") {
        CHECK(parse_authentik_duration("minutes=30") == seconds(1800));
        CHECK(parse_authentik_duration("hours=1;minutes=30") == seconds(5400));
        CHECK(parse_authentik_duration("weeks=1;days=1;seconds=5") == seconds(691205));
        CHECK(parse_authentik_duration("") == std::nullopt);
        CHECK(parse_authentik_duration("minutes") == std::nullopt);
        CHECK(parse_authentik_duration("fortnights=1") == std::nullopt);
        CHECK(parse_authentik_duration("minutes=1.5") == std::nullopt);
    }

    TEST_CASE("write rules: a write that shortens an expiring api token's life, and one that lengthens it") {
        const model::Token months = token("api", "2030-06-01T00:00:00Z", true);
        CHECK(commands::resets_future_expiry(months, preserved(months), kNow, seconds(1800)));
        CHECK(commands::resets_future_expiry(months, preserved(months), kNow, std::nullopt));
        const model::Token minutes = token("api", "2026-11-29T12:10:00Z", true);
        CHECK_FALSE(commands::resets_future_expiry(minutes, preserved(minutes), kNow, seconds(1800)));
        CHECK(commands::resets_future_expiry(minutes, preserved(minutes), kNow, std::nullopt));
        const model::Token expired = token("api", "2026-11-01T00:00:00Z", true);
        CHECK_FALSE(commands::resets_future_expiry(expired, preserved(expired), kNow, std::nullopt));
        const model::Token app = token("app_password", "2030-06-01T00:00:00Z", true);
        CHECK_FALSE(commands::resets_future_expiry(app, preserved(app), kNow, std::nullopt));
        model::TokenPatch to_api = preserved(app);
        to_api.intent = "api";
        CHECK(commands::resets_future_expiry(app, to_api, kNow, std::nullopt));
        model::TokenPatch no_expiring = preserved(months);
        no_expiring.expiring = false;
        CHECK_FALSE(commands::resets_future_expiry(months, no_expiring, kNow, std::nullopt));
    }

    TEST_CASE("write rules: the pre-save signal dates an expiring app password saved without an expiry") {
        const model::Token app = token("app_password", "2027-03-01T00:00:00Z", true);
        model::TokenPatch body = preserved(app);
        body.expires = model::Nullable<util::Timestamp>{true, {}};
        const commands::WritePrediction p = commands::predict_write(&app, body, false, kNow, seconds(1800));
        CHECK(p.expiry_reset);
        CHECK(p.expires == util::parse_timestamp("2026-11-29T12:30:00Z"));
        CHECK(p.warnings == std::vector<std::string>{"expires 2027-03-01T00:00:00Z -> 2026-11-29T12:30:00Z: "
                                                     "authentik shortens the token's life",
                                                     "the token expires at 2026-11-29T12:30:00Z; housekeeping then "
                                                     "deletes it"});
        body.expiring = false;
        const commands::WritePrediction never = commands::predict_write(&app, body, false, kNow, seconds(1800));
        CHECK_FALSE(never.expiry_reset);
        CHECK(never.expires == std::nullopt);
        CHECK(never.warnings.empty());
    }

    TEST_CASE("write rules: the lifetime hint names the limit the server gave, and only for that error") {
        const Error lifetime(
            ErrorKind::rejected, "the server rejected the request (HTTP 400 Bad Request)", 400,
            {{"expires", {"Token expires exceeds maximum lifetime (2027-02-27 12:00:00+00:00 UTC)."}}});
        CHECK(commands::lifetime_hint(lifetime) ==
              "an app password may expire at most at now + its owner's maximum lifetime (here 2027-02-27T12:00:00Z): "
              "the attribute goauthentik.io/user/token-maximum-lifetime (format hours=720, on the user or one of their "
              "groups), or without it the server's default token duration; ask for an earlier --expires or raise the "
              "attribute");
        const Error other(ErrorKind::rejected, "x", 400, {{"user", {"User cannot be changed"}}});
        CHECK(commands::lifetime_hint(other) == std::nullopt);
    }
}  // TEST_SUITE
