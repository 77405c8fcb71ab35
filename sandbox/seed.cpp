// SPDX-License-Identifier: MIT
#include "seed.h"

#include <fmt/format.h>

#include <algorithm>
#include <regex>
#include <stdexcept>

namespace sandbox {
namespace {

constexpr std::string_view default_seed_json = R"json({
 "users": [
  {"pk": 1, "username": "akadmin", "name": "authentik Default Admin", "is_superuser": true, "attributes": {}, "permissions": []},
  {"pk": 2, "username": "alice", "name": "Alice Example", "is_superuser": false,
   "attributes": {"goauthentik.io/user/token-maximum-lifetime": "days=90"}, "permissions": []},
  {"pk": 3, "username": "bob", "name": "Bob Example", "is_superuser": false, "attributes": {}, "permissions": []}
 ],
 "tokens": [
  {"identifier": "admin-api", "pk": "11111111-1111-4111-8111-111111111111", "intent": "api", "user": 1,
   "description": "Admin automation", "expires": null, "expiring": false, "managed": null,
   "key": "akadmin-secret-key-0001", "view_key_users": [], "used_by": []},
  {"identifier": "alice-api", "pk": "22222222-2222-4222-8222-222222222222", "intent": "api", "user": 2,
   "description": "Alice CI", "expires": "2030-06-01T00:00:00Z", "expiring": true, "managed": null,
   "key": "alice-secret-key-0002", "view_key_users": [2], "used_by": []},
  {"identifier": "alice-app", "pk": "33333333-3333-4333-8333-333333333333", "intent": "app_password", "user": 2,
   "description": "Alice mail client", "expires": "2027-03-01T00:00:00Z", "expiring": true, "managed": null,
   "key": "alice-secret-key-0003", "view_key_users": [2], "used_by": []},
  {"identifier": "bob-api", "pk": "44444444-4444-4444-8444-444444444444", "intent": "api", "user": 3,
   "description": "Bob scripts", "expires": null, "expiring": false, "managed": null,
   "key": "bob-secret-key-0004", "view_key_users": [], "used_by": []},
  {"identifier": "bob-app", "pk": "55555555-5555-4555-8555-555555555555", "intent": "app_password", "user": 3,
   "description": "Bob laptop", "expires": "2027-01-15T08:30:00Z", "expiring": true, "managed": null,
   "key": "bob-secret-key-0005", "view_key_users": [], "used_by": []},
  {"identifier": "alice-recovery", "pk": "77777777-7777-4777-8777-777777777777", "intent": "recovery", "user": 2,
   "description": "Recovery link", "expires": "2026-12-31T00:00:00Z", "expiring": true, "managed": null,
   "key": "alice-secret-key-0007", "view_key_users": [], "used_by": []},
  {"identifier": "bob-verification", "pk": "88888888-8888-4888-8888-888888888888", "intent": "verification", "user": 3,
   "description": "Email verification", "expires": "2026-12-31T00:00:00Z", "expiring": true, "managed": null,
   "key": "bob-secret-key-0008", "view_key_users": [], "used_by": []}
 ],
 "outposts": [
  {"uuid": "9a5c2b7e-1f0d-4c8a-9e3b-6d2f4a1b8c7e", "name": "authentik Embedded Outpost",
   "key": "outpost-secret-key-0006"}
 ]
})json";

std::string get_string(const rapidjson::Value& obj, const char* name, const std::string& fallback, bool required) {
    const auto it = obj.FindMember(name);
    if (it == obj.MemberEnd() || it->value.IsNull()) {
        if (required) {
            throw std::runtime_error(fmt::format("missing \"{}\"", name));
        }
        return fallback;
    }
    if (!it->value.IsString()) {
        throw std::runtime_error(fmt::format("\"{}\" must be a string", name));
    }
    return std::string(it->value.GetString(), it->value.GetStringLength());
}

bool get_bool(const rapidjson::Value& obj, const char* name, bool fallback) {
    const auto it = obj.FindMember(name);
    if (it == obj.MemberEnd()) {
        return fallback;
    }
    if (!it->value.IsBool()) {
        throw std::runtime_error(fmt::format("\"{}\" must be a boolean", name));
    }
    return it->value.GetBool();
}

const rapidjson::Value* get_array(const rapidjson::Value& obj, const char* name) {
    const auto it = obj.FindMember(name);
    if (it == obj.MemberEnd() || it->value.IsNull()) {
        return nullptr;
    }
    if (!it->value.IsArray()) {
        throw std::runtime_error(fmt::format("\"{}\" must be an array", name));
    }
    return &it->value;
}

std::string to_json_text(const rapidjson::Value& value) {
    rapidjson::StringBuffer buffer;
    JsonWriter writer(buffer);
    value.Accept(writer);
    return std::string(buffer.GetString(), buffer.GetSize());
}

User parse_user(const rapidjson::Value& value) {
    if (!value.IsObject()) {
        throw std::runtime_error("a user must be an object");
    }
    User user;
    const auto pk = value.FindMember("pk");
    if (pk == value.MemberEnd() || !pk->value.IsInt64()) {
        throw std::runtime_error("a user needs an integer \"pk\"");
    }
    user.pk = pk->value.GetInt64();
    user.username = get_string(value, "username", "", true);
    user.name = get_string(value, "name", "", false);
    user.email = get_string(value, "email", user.username + "@example.com", false);
    user.is_superuser = get_bool(value, "is_superuser", false);
    user.is_active = get_bool(value, "is_active", true);
    user.type = get_string(value, "type", "internal", false);
    const auto attributes = value.FindMember("attributes");
    if (attributes != value.MemberEnd() && !attributes->value.IsNull()) {
        if (!attributes->value.IsObject()) {
            throw std::runtime_error("\"attributes\" must be an object");
        }
        user.attributes_json = to_json_text(attributes->value);
        const auto lifetime = attributes->value.FindMember(attribute_max_lifetime);
        if (lifetime != attributes->value.MemberEnd() && lifetime->value.IsString()) {
            user.max_token_lifetime = lifetime->value.GetString();
        }
        const auto expires = attributes->value.FindMember(attribute_token_expires);
        if (expires != attributes->value.MemberEnd() && expires->value.IsBool()) {
            user.token_expires = expires->value.GetBool();
        }
    }
    if (const auto* permissions = get_array(value, "permissions")) {
        for (const auto& p : permissions->GetArray()) {
            if (!p.IsString()) {
                throw std::runtime_error("\"permissions\" must hold strings");
            }
            user.permissions.emplace_back(p.GetString(), p.GetStringLength());
        }
    }
    return user;
}

// An outpost as authentik sets it up: a service account ak-outpost-<uuid hex> and its token.
void add_outpost(Seed& seed, const rapidjson::Value& value) {
    if (!value.IsObject()) {
        throw std::runtime_error("an outpost must be an object");
    }
    static const std::regex uuid_re("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");
    Outpost outpost;
    outpost.uuid = get_string(value, "uuid", "", true);
    if (!std::regex_match(outpost.uuid, uuid_re)) {
        throw std::runtime_error(fmt::format("outpost \"uuid\" must be a lowercase uuid, not \"{}\"", outpost.uuid));
    }
    outpost.name = get_string(value, "name", "", true);
    std::string hex = outpost.uuid;
    hex.erase(std::remove(hex.begin(), hex.end(), '-'), hex.end());
    User account;
    for (const User& user : seed.users) {
        account.pk = std::max(account.pk, user.pk);
    }
    ++account.pk;
    account.username = "ak-outpost-" + hex;
    account.name = "Outpost " + outpost.name + " Service-Account";
    account.email = "";
    account.type = "internal_service_account";
    outpost.user = account.pk;
    seed.users.push_back(account);
    Token token = outpost.make_token();
    token.key = get_string(value, "key", token.key, false);
    seed.tokens.push_back(std::move(token));
    seed.outposts.push_back(std::move(outpost));
}

}  // namespace

Token parse_seed_token(const rapidjson::Value& value, const std::vector<User>& users) {
    if (!value.IsObject()) {
        throw std::runtime_error("a token must be an object");
    }
    Token token;
    token.identifier = get_string(value, "identifier", "", true);
    try {
        token.pk = get_string(value, "pk", random_uuid4(), false);
        token.intent = get_string(value, "intent", "api", false);
        if (!is_intent_choice(token.intent)) {
            throw std::runtime_error(fmt::format("unknown intent \"{}\"", token.intent));
        }
        const auto user = value.FindMember("user");
        if (user == value.MemberEnd() || !user->value.IsInt64()) {
            throw std::runtime_error("needs an integer \"user\"");
        }
        token.user = user->value.GetInt64();
        if (std::none_of(users.begin(), users.end(), [&](const User& u) { return u.pk == token.user; })) {
            throw std::runtime_error(fmt::format("unknown user {}", token.user));
        }
        token.description = get_string(value, "description", "", false);
        const std::string expires = get_string(value, "expires", "", false);
        if (!expires.empty()) {
            token.expires = parse_django_datetime(expires);
            if (!token.expires) {
                throw std::runtime_error(fmt::format("bad \"expires\" \"{}\"", expires));
            }
        }
        token.expiring = get_bool(value, "expiring", true);
        const auto managed = value.FindMember("managed");
        if (managed != value.MemberEnd() && !managed->value.IsNull()) {
            token.managed = get_string(value, "managed", "", true);
        }
        token.key = get_string(value, "key", "", false);
        if (token.key.empty()) {
            token.key = random_key();
        }
        if (const auto* viewers = get_array(value, "view_key_users")) {
            for (const auto& v : viewers->GetArray()) {
                if (!v.IsInt64()) {
                    throw std::runtime_error("\"view_key_users\" must hold user pks");
                }
                token.view_key_users.insert(v.GetInt64());
            }
        }
        if (const auto* used_by = get_array(value, "used_by")) {
            for (const auto& u : used_by->GetArray()) {
                if (!u.IsObject()) {
                    throw std::runtime_error("\"used_by\" must hold objects");
                }
                token.used_by.push_back(UsedBy{get_string(u, "app", "", true), get_string(u, "model_name", "", true),
                                               get_string(u, "pk", "", true), get_string(u, "name", "", true),
                                               get_string(u, "action", "cascade", false)});
            }
        }
    } catch (const std::runtime_error& e) {
        throw std::runtime_error(fmt::format("token \"{}\": {}", token.identifier, e.what()));
    }
    return token;
}

Seed parse_seed(std::string_view json) {
    rapidjson::Document doc;
    doc.Parse<rapidjson::kParseIterativeFlag>(json.data(), json.size());
    if (doc.HasParseError()) {
        throw std::runtime_error(fmt::format("invalid JSON at offset {}: {}", doc.GetErrorOffset(),
                                             rapidjson::GetParseError_En(doc.GetParseError())));
    }
    if (!doc.IsObject()) {
        throw std::runtime_error("the seed must be a JSON object");
    }
    Seed seed;
    if (const auto* users = get_array(doc, "users")) {
        for (const auto& u : users->GetArray()) {
            seed.users.push_back(parse_user(u));
        }
    }
    if (const auto* tokens = get_array(doc, "tokens")) {
        for (const auto& t : tokens->GetArray()) {
            seed.tokens.push_back(parse_seed_token(t, seed.users));
        }
    }
    if (const auto* outposts = get_array(doc, "outposts")) {
        for (const auto& o : outposts->GetArray()) {
            add_outpost(seed, o);
        }
    }
    return seed;
}

Seed default_seed() { return parse_seed(default_seed_json); }

}  // namespace sandbox
