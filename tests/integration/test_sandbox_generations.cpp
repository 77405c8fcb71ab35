// SPDX-License-Identifier: MIT
// aktoken-sandbox against the authentik rules that rotate --overlap relies on: renaming a token
// by a PATCH of its identifier, who owns and may read a created successor, what a write does to
// `expires`, the app password lifetime check, housekeeping, search, and the tokens rotate must
// refuse (used by something, managed, recovery). Checked by HTTP, status and body.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "integration/harness.h"
#include "rapidjson/document.h"

using namespace harness;

namespace {

const std::vector<std::string> kFrozen = {"--now", "2026-11-29T12:00:00Z"};
// now + the default token duration (30 minutes).
const std::string kNowPlusDefault = "2026-11-29T12:30:00Z";
const std::string kAdmin = "Bearer " + kAdminKey;
const std::string kAlice = "Bearer " + kAliceKey;
const std::string kBob = "Bearer " + kBobKey;
const std::string kNotFound = R"({"detail":"No Token matches the given query."})";
const std::string kBadSlug =
    R"({"identifier":["Enter a valid \"slug\" consisting of letters, numbers, underscores or hyphens."]})";
const std::string kTooLong = R"({"identifier":["Ensure this field has no more than 255 characters."]})";

rapidjson::Document parse(const std::string& text) {
    rapidjson::Document doc;
    doc.Parse(text.c_str());
    REQUIRE_FALSE(doc.HasParseError());
    return doc;
}

// A string field of a Token answer, "null" when null.
std::string field(const rapidjson::Value& token, const char* name) {
    const auto& value = token[name];
    return value.IsNull() ? "null" : std::string(value.GetString(), value.GetStringLength());
}

// The identifiers of a list answer's results, in order.
std::vector<std::string> identifiers(const HttpAnswer& answer) {
    REQUIRE(answer.status == 200);
    const auto doc = parse(answer.body);
    std::vector<std::string> out;
    for (const auto& token : doc["results"].GetArray()) {
        out.emplace_back(token["identifier"].GetString());
    }
    return out;
}

}  // namespace

TEST_SUITE("integration") {
    TEST_CASE("sandbox generations: a PATCH of identifier renames the token, pk, key and used_by kept") {
        Sandbox sandbox(kFrozen);
        add_tokens(sandbox, kUsedTokenSeed);
        HttpAnswer a = sandbox.api("PATCH", "/core/tokens/alice-ssf/", kAdmin,
                                   R"({"intent":"api","user":2,"identifier":"alice-ssf--retired-until-20261129T1300Z",)"
                                   R"("expiring":false})");
        REQUIRE(a.status == 200);
        auto token = parse(a.body);
        CHECK(field(token, "identifier") == "alice-ssf--retired-until-20261129T1300Z");
        CHECK(field(token, "pk") == "99999999-9999-4999-8999-999999999999");
        CHECK(token["user"].GetInt() == 2);
        CHECK(field(token, "description") == "Alice shared signals");
        CHECK(sandbox.key_of("alice-ssf--retired-until-20261129T1300Z") == kUsedTokenKey);
        a = sandbox.api("GET", "/core/tokens/alice-ssf/", kAdmin);
        CHECK(a.status == 404);
        CHECK(a.body == kNotFound);
        a = sandbox.api("GET", "/core/tokens/alice-ssf--retired-until-20261129T1300Z/used_by/", kAlice);
        CHECK(a.status == 200);
        CHECK(a.body == R"([{"app":"authentik_providers_ssf","model_name":"ssfprovider","pk":"7","name":"Alice SSF",)"
                        R"("action":"cascade"}])");
        // The renamed key still authenticates, and its owner may still read it.
        a = sandbox.api("GET", "/core/tokens/alice-ssf--retired-until-20261129T1300Z/view_key/",
                        "Bearer " + kUsedTokenKey);
        CHECK(a.status == 200);
        CHECK(a.body == R"({"key":"alice-secret-key-0009"})");

        // The successor takes the freed name.
        a = sandbox.api(
            "POST", "/core/tokens/", kAdmin,
            R"({"identifier":"alice-ssf--next-20261129T120000Z","intent":"api","user":2,"expiring":false})");
        REQUIRE(a.status == 201);
        const std::string successor_pk = field(parse(a.body), "pk");
        a = sandbox.api("PATCH", "/core/tokens/alice-ssf--next-20261129T120000Z/", kAdmin,
                        R"({"intent":"api","user":2,"identifier":"alice-ssf"})");
        REQUIRE(a.status == 200);
        CHECK(field(parse(a.body), "pk") == successor_pk);
        CHECK(sandbox.api("GET", "/core/tokens/alice-ssf--next-20261129T120000Z/", kAdmin).status == 404);
        CHECK(field(parse(sandbox.api("GET", "/core/tokens/alice-ssf/", kAdmin).body), "pk") == successor_pk);
        // A token's own identifier is not taken by itself.
        CHECK(sandbox
                  .api("PATCH", "/core/tokens/alice-ssf/", kAdmin,
                       R"({"intent":"api","user":2,"identifier":"alice-ssf"})")
                  .status == 200);
    }

    TEST_CASE("sandbox generations: a taken, invalid or too long identifier answers 400 as DRF does") {
        Sandbox sandbox(kFrozen);
        const auto patch_identifier = [&](const std::string& identifier) {
            return sandbox.api("PATCH", "/core/tokens/bob-api/", kAdmin,
                               R"({"intent":"api","user":3,"identifier":")" + identifier + "\"}");
        };
        HttpAnswer a = patch_identifier("admin-api");
        CHECK(a.status == 400);
        CHECK(a.body == R"({"identifier":["Token with this identifier already exists."]})");
        a = sandbox.api("POST", "/core/tokens/", kAdmin, R"({"identifier":"alice-api","intent":"api"})");
        CHECK(a.status == 400);
        CHECK(a.body == R"({"identifier":["Token with this identifier already exists."]})");
        a = patch_identifier("bob api");
        CHECK(a.status == 400);
        CHECK(a.body == kBadSlug);
        a = patch_identifier("bob-api:2026-11-29T12:00:00Z");
        CHECK(a.status == 400);
        CHECK(a.body == kBadSlug);
        a = patch_identifier(std::string(256, 'b'));
        CHECK(a.status == 400);
        CHECK(a.body == kTooLong);
        // Every validator's message, in DRF's order: unique, length, slug.
        a = patch_identifier(std::string(255, 'b') + ".");
        CHECK(a.status == 400);
        CHECK(a.body == R"({"identifier":["Ensure this field has no more than 255 characters.",)"
                        R"("Enter a valid \"slug\" consisting of letters, numbers, underscores or hyphens."]})");
        a = sandbox.api("PATCH", "/core/tokens/bob-api/", kAdmin, R"({"intent":"api","identifier":""})");
        CHECK(a.status == 400);
        CHECK(a.body == R"({"identifier":["This field may not be blank."]})");
        // Nothing changed.
        CHECK(sandbox.key_of("bob-api") == kBobKey);
        // 255 characters are fine.
        a = patch_identifier(std::string(255, 'b'));
        CHECK(a.status == 200);
        CHECK(sandbox.key_of(std::string(255, 'b')) == kBobKey);
    }

    TEST_CASE("sandbox generations: a superuser's create keeps its user and expiring; api expires is now + default") {
        Sandbox sandbox(kFrozen);
        HttpAnswer a = sandbox.api("POST", "/core/tokens/", kAdmin,
                                   R"({"identifier":"alice-api--next","intent":"api","user":2,"expiring":false,)"
                                   R"("expires":"2030-01-01T00:00:00Z","description":"Alice CI"})");
        REQUIRE(a.status == 201);
        auto token = parse(a.body);
        CHECK(token["user"].GetInt() == 2);
        CHECK(field(token["user_obj"], "username") == "alice");
        CHECK(token["expiring"].GetBool() == false);
        CHECK(field(token, "expires") == kNowPlusDefault);
        CHECK(field(token, "managed") == "null");
        a = sandbox.api("GET", "/core/tokens/alice-api--next/view_key/", kAdmin);
        CHECK(a.status == 200);
        const std::string key = parse(a.body)["key"].GetString();
        CHECK(key.size() == 60);
        CHECK(sandbox.key_of("alice-api--next") == key);
        // The new key authenticates as its owner.
        a = sandbox.api("GET", "/core/users/me/", "Bearer " + key);
        CHECK(a.status == 200);
        CHECK(parse(a.body)["user"]["username"].GetString() == std::string("alice"));
        // The owner did not create it, so holds no view permission on its key.
        a = sandbox.api("GET", "/core/tokens/alice-api--next/view_key/", kAlice);
        CHECK(a.status == 403);
        CHECK(a.body == R"({"detail":"You do not have permission to perform this action."})");

        // An app password without expires: null when not expiring, now + default when expiring.
        a = sandbox.api("POST", "/core/tokens/", kAdmin,
                        R"({"identifier":"alice-app--next","intent":"app_password","user":2,"expiring":false})");
        REQUIRE(a.status == 201);
        token = parse(a.body);
        CHECK(token["user"].GetInt() == 2);
        CHECK(token["expiring"].GetBool() == false);
        CHECK(field(token, "expires") == "null");
        a = sandbox.api("POST", "/core/tokens/", kAdmin,
                        R"({"identifier":"alice-app--next2","intent":"app_password","user":2})");
        REQUIRE(a.status == 201);
        CHECK(field(parse(a.body), "expires") == kNowPlusDefault);
    }

    TEST_CASE("sandbox generations: a plain user's create ignores user and expiring, and its key is theirs to read") {
        TempDir dir;
        // carol's tokens do not expire unless she says so (goauthentik.io/user/token-expires).
        const std::string seed = dir.write("seed.json", R"({"users": [
            {"pk": 1, "username": "akadmin", "is_superuser": true},
            {"pk": 2, "username": "alice"},
            {"pk": 3, "username": "carol", "attributes": {"goauthentik.io/user/token-expires": false}}],
          "tokens": [
            {"identifier": "alice-api", "user": 2, "expiring": false, "key": "alice-key"},
            {"identifier": "carol-api", "user": 3, "expiring": false, "key": "carol-key"}]})");
        Sandbox sandbox({"--now", "2026-11-29T12:00:00Z", "--seed", seed});
        HttpAnswer a = sandbox.api("POST", "/core/tokens/", "Bearer alice-key",
                                   R"({"identifier":"alice-api--next","intent":"api","user":3,"expiring":false})");
        REQUIRE(a.status == 201);
        auto token = parse(a.body);
        CHECK(token["user"].GetInt() == 2);
        CHECK(token["expiring"].GetBool() == true);
        CHECK(field(token, "expires") == kNowPlusDefault);
        a = sandbox.api("GET", "/core/tokens/alice-api--next/view_key/", "Bearer alice-key");
        CHECK(a.status == 200);
        CHECK(parse(a.body)["key"].GetString() == sandbox.key_of("alice-api--next"));
        // An expiring app password without expires: now + default (the pre-save signal).
        a = sandbox.api("POST", "/core/tokens/", "Bearer alice-key",
                        R"({"identifier":"alice-app--next","intent":"app_password","expiring":false})");
        REQUIRE(a.status == 201);
        token = parse(a.body);
        CHECK(token["expiring"].GetBool() == true);
        CHECK(field(token, "expires") == kNowPlusDefault);

        // carol's attribute says false: not expiring, whatever the body says.
        a = sandbox.api("POST", "/core/tokens/", "Bearer carol-key",
                        R"({"identifier":"carol-app--next","intent":"app_password","expiring":true})");
        REQUIRE(a.status == 201);
        token = parse(a.body);
        CHECK(token["user"].GetInt() == 3);
        CHECK(token["expiring"].GetBool() == false);
        CHECK(field(token, "expires") == "null");
        a = sandbox.api("GET", "/core/tokens/carol-app--next/view_key/", "Bearer carol-key");
        CHECK(a.status == 200);
        // Nor may anyone else read it (403 from 2026.2; 404 before).
        a = sandbox.api("GET", "/core/tokens/carol-app--next/view_key/", "Bearer alice-key");
        CHECK(a.status == 403);
    }

    TEST_CASE("sandbox generations: every api token write moves expires to now + default, whatever expiring is") {
        Sandbox sandbox(kFrozen);
        // admin-api never expires: expires null before.
        HttpAnswer a = sandbox.api("PATCH", "/core/tokens/admin-api/", kAdmin,
                                   R"({"intent":"api","user":1,"expires":"2031-01-01T00:00:00Z","expiring":false})");
        REQUIRE(a.status == 200);
        auto token = parse(a.body);
        CHECK(field(token, "expires") == kNowPlusDefault);
        CHECK(token["expiring"].GetBool() == false);
        a = sandbox.api("PATCH", "/core/tokens/alice-api/", kAdmin, R"({"user":2,"description":"Alice CI, retired"})");
        REQUIRE(a.status == 200);
        token = parse(a.body);
        CHECK(field(token, "expires") == kNowPlusDefault);
        CHECK(token["expiring"].GetBool() == true);
        a = sandbox.api("PATCH", "/core/tokens/alice-api/", kAdmin, R"({"intent":"api","user":2,"expires":null})");
        REQUIRE(a.status == 200);
        CHECK(field(parse(a.body), "expires") == kNowPlusDefault);
        a = sandbox.api("POST", "/core/tokens/", kAdmin,
                        R"({"identifier":"ci","intent":"api","expires":"2020-01-01T00:00:00Z","expiring":true})");
        REQUIRE(a.status == 201);
        CHECK(field(parse(a.body), "expires") == kNowPlusDefault);
        a = sandbox.api("PUT", "/core/tokens/ci/", kAdmin,
                        R"({"identifier":"ci","intent":"api","expires":"2030-01-01T00:00:00Z","expiring":false})");
        REQUIRE(a.status == 200);
        CHECK(field(parse(a.body), "expires") == kNowPlusDefault);

        // Two hours on: the expiring api token got a new key, the non-expiring one is untouched.
        sandbox.set_clock("2026-11-29T14:00:00Z");
        CHECK(sandbox.key_of("admin-api") == kAdminKey);
        CHECK(sandbox.api("GET", "/core/users/me/", kAdmin).status == 200);
        CHECK(sandbox.key_of("alice-api") != kAliceKey);
        CHECK(sandbox.api("GET", "/core/users/me/", kAlice).status == 403);
    }

    TEST_CASE("sandbox generations: an app password's expires is held to the owner's maximum lifetime") {
        Sandbox sandbox(kFrozen);
        // A PATCH without expires is not checked: bob-app (2027-01-15) is far past bob's limit
        // (the default token duration, 30 minutes), and keeps its date.
        HttpAnswer a =
            sandbox.api("PATCH", "/core/tokens/bob-app/", kAdmin,
                        R"({"intent":"app_password","user":3,"identifier":"bob-app--retired-until-20270115T0830Z",)"
                        R"("expiring":false})");
        REQUIRE(a.status == 200);
        auto token = parse(a.body);
        CHECK(field(token, "expires") == "2027-01-15T08:30:00Z");
        CHECK(token["expiring"].GetBool() == false);
        // With expires, bob's limit is now + 30 minutes.
        a = sandbox.api("PATCH", "/core/tokens/bob-app--retired-until-20270115T0830Z/", kAdmin,
                        R"({"intent":"app_password","user":3,"expires":"2026-11-29T12:30:01Z","expiring":false})");
        CHECK(a.status == 400);
        CHECK(a.body == R"({"expires":["Token expires exceeds maximum lifetime (2026-11-29 12:30:00+00:00 UTC)."]})");
        a = sandbox.api("POST", "/core/tokens/", kBob,
                        R"({"identifier":"bob-app--next","intent":"app_password","expires":"2026-11-29T13:00:00Z"})");
        CHECK(a.status == 400);
        CHECK(a.body == R"({"expires":["Token expires exceeds maximum lifetime (2026-11-29 12:30:00+00:00 UTC)."]})");
        // alice: days=90, so at most 2027-02-27T12:00:00Z.
        a = sandbox.api("PATCH", "/core/tokens/alice-app/", kAdmin,
                        R"({"intent":"app_password","user":2,"expires":"2027-02-27T12:00:01Z"})");
        CHECK(a.status == 400);
        CHECK(a.body == R"({"expires":["Token expires exceeds maximum lifetime (2027-02-27 12:00:00+00:00 UTC)."]})");
        a = sandbox.api("PATCH", "/core/tokens/alice-app/", kAdmin,
                        R"({"intent":"app_password","user":2,"expires":"2027-02-27T12:00:00Z"})");
        CHECK(a.status == 200);
        CHECK(field(parse(a.body), "expires") == "2027-02-27T12:00:00Z");
        // Past dates pass.
        a = sandbox.api("PATCH", "/core/tokens/alice-app/", kAdmin,
                        R"({"intent":"app_password","user":2,"expires":"2020-01-01T00:00:00Z"})");
        CHECK(a.status == 200);
        CHECK(field(parse(a.body), "expires") == "2020-01-01T00:00:00Z");
    }

    TEST_CASE(
        "sandbox generations: housekeeping deletes expired app passwords, rotates api tokens, spares "
        "non-expiring ones") {
        Sandbox sandbox({"--now", "2026-11-29T12:00:00Z", "--no-housekeeping"});
        add_tokens(sandbox, R"([
            {"identifier": "old-app", "intent": "app_password", "user": 2, "expires": "2026-11-29T11:00:00Z",
             "expiring": true, "key": "old-app-key"},
            {"identifier": "old-api", "intent": "api", "user": 2, "expires": "2026-11-29T11:00:00Z",
             "expiring": true, "key": "old-api-key"},
            {"identifier": "kept-app", "intent": "app_password", "user": 2, "expires": "2026-11-29T11:00:00Z",
             "expiring": false, "key": "kept-app-key"},
            {"identifier": "kept-api", "intent": "api", "user": 2, "expires": "2026-11-29T11:00:00Z",
             "expiring": false, "key": "kept-api-key"}])");
        // An expired key no longer authenticates; a non-expiring one does, whatever its expires.
        CHECK(sandbox.api("GET", "/core/users/me/", "Bearer old-api-key").status == 403);
        CHECK(sandbox.api("GET", "/core/users/me/", "Bearer kept-api-key").status == 200);
        CHECK(sandbox.control_post("housekeeping", "") == R"({"rotated":1,"deleted":1})");
        CHECK_FALSE(sandbox.key_of("old-app"));
        const auto rotated = sandbox.key_of("old-api");
        REQUIRE(rotated);
        CHECK(rotated->size() == 60);
        HttpAnswer a = sandbox.api("GET", "/core/tokens/old-api/", kAdmin);
        CHECK(field(parse(a.body), "expires") == kNowPlusDefault);
        CHECK(sandbox.key_of("kept-app") == "kept-app-key");
        CHECK(sandbox.key_of("kept-api") == "kept-api-key");
        a = sandbox.api("GET", "/core/tokens/kept-api/", kAdmin);
        CHECK(field(parse(a.body), "expires") == "2026-11-29T11:00:00Z");
        CHECK(sandbox.api("GET", "/core/users/me/", "Bearer kept-api-key").status == 200);
        CHECK(sandbox.control_post("housekeeping", "") == R"({"rotated":0,"deleted":0})");
    }

    TEST_CASE(
        "sandbox generations: search is a case-insensitive substring of identifier, intent, username or "
        "description") {
        Sandbox sandbox(kFrozen);
        const auto search = [&](const std::string& term) {
            return identifiers(sandbox.api("GET", "/core/tokens/?search=" + term, kAdmin));
        };
        using Ids = std::vector<std::string>;
        // identifier and username
        CHECK(search("ALICE") == Ids{"alice-api", "alice-app", "alice-recovery"});
        // username only: akadmin owns admin-api; "kadm" is in no identifier or description
        CHECK(search("KaDm") == Ids{"admin-api"});
        // intent
        CHECK(search("app_PASS") == Ids{"alice-app", "bob-app"});
        CHECK(search("verif") == Ids{"bob-verification"});
        // description
        CHECK(search("LAPTOP") == Ids{"bob-app"});
        CHECK(search("mail%20client") == Ids{"alice-app"});
        // every term must match somewhere: "alice" and "ci" (Alice CI)
        CHECK(search("alice%20CI") == Ids{"alice-api"});
        CHECK(search("--next") == Ids{});
        // not the pk, the key or managed
        CHECK(search("2222").empty());
        CHECK(search("secret").empty());
        CHECK(search("goauthentik.io").empty());
    }

    TEST_CASE("sandbox generations: the tokens rotate must refuse: used by something, managed, recovery") {
        Sandbox sandbox(kFrozen);
        add_tokens(sandbox, kUsedTokenSeed);
        HttpAnswer a = sandbox.api("GET", "/core/tokens/alice-ssf/used_by/", kAdmin);
        CHECK(a.status == 200);
        CHECK(a.body == R"([{"app":"authentik_providers_ssf","model_name":"ssfprovider","pk":"7","name":"Alice SSF",)"
                        R"("action":"cascade"}])");
        CHECK(sandbox.api("GET", "/core/tokens/alice-ssf/used_by/", kAlice).body == a.body);
        a = sandbox.api("GET", "/core/tokens/alice-ssf/used_by/", kBob);
        CHECK(a.status == 404);
        CHECK(a.body == kNotFound);
        CHECK(sandbox.api("GET", "/core/users/me/", "Bearer " + kUsedTokenKey).status == 200);

        const std::string outpost = "ak-outpost-9a5c2b7e-1f0d-4c8a-9e3b-6d2f4a1b8c7e-api";
        auto token = parse(sandbox.api("GET", "/core/tokens/" + outpost + "/", kAdmin).body);
        CHECK(field(token, "managed") == "goauthentik.io/outpost/" + outpost);
        CHECK(field(token, "intent") == "api");
        CHECK(token["user"].GetInt() == 4);
        CHECK(sandbox.api("GET", "/core/tokens/" + outpost + "/used_by/", kAdmin).body == "[]");
        token = parse(sandbox.api("GET", "/core/tokens/alice-recovery/", kAdmin).body);
        CHECK(field(token, "intent") == "recovery");
        CHECK(token["user"].GetInt() == 2);
        // Writes may not make recovery tokens.
        a = sandbox.api("PATCH", "/core/tokens/alice-recovery/", kAdmin, R"({"intent":"recovery","user":2})");
        CHECK(a.status == 400);
        CHECK(a.body == R"({"intent":["Invalid intent recovery"]})");
    }
}
