// SPDX-License-Identifier: MIT
// Plain data: the users and tokens the sandbox holds, shaped like authentik's models.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "timeutil.h"

namespace sandbox {

inline constexpr const char* attribute_max_lifetime = "goauthentik.io/user/token-maximum-lifetime";
inline constexpr const char* attribute_token_expires = "goauthentik.io/user/token-expires";
inline constexpr const char* permission_set_key = "authentik_core.set_token_key";
inline constexpr const char* permission_view_key = "authentik_core.view_token_key";

struct User {
    std::int64_t pk = 0;
    std::string username;
    std::string name;
    std::string email;
    bool is_superuser = false;
    bool is_active = true;
    std::string type = "internal";
    // Re-emitted verbatim in user_obj; the two attributes authentik reads are extracted below.
    std::string attributes_json = "{}";
    std::optional<std::string> max_token_lifetime;
    std::optional<bool> token_expires;
    // Global permissions, e.g. authentik_core.set_token_key.
    std::vector<std::string> permissions;

    bool has_permission(const std::string& permission) const;
};

struct UsedBy {
    std::string app;
    std::string model_name;
    std::string pk;
    std::string name;
    std::string action;
};

struct Token {
    std::string pk;
    std::optional<std::string> managed;
    std::string identifier;
    std::string intent = "api";
    std::int64_t user = 0;
    std::string description;
    std::optional<Micros> expires;
    bool expiring = true;
    std::string key;
    // Users holding the object permission authentik_core.view_token_key on this token.
    std::set<std::int64_t> view_key_users;
    std::vector<UsedBy> used_by;

    // The expiry test of authentik's filter_not_expired (expiring and not after now).
    bool is_expired(Micros now) const;
    // authentik's pre-save signal (core/signals.py, expiring_model_pre_save), run on every save:
    // an expiring token without a date expires after the default duration.
    void before_save(Micros now, Micros default_duration);
};

// An outpost: authentik keeps a service account and an api token for it, and makes the token
// again when it is gone.
struct Outpost {
    std::string uuid;
    std::string name;
    std::int64_t user = 0;  // its service account

    std::string token_identifier() const { return "ak-outpost-" + uuid + "-api"; }
    // The token authentik creates for it (outposts/models.py, Outpost.token), with a new key.
    Token make_token() const;
};

struct Seed {
    std::vector<User> users;
    std::vector<Token> tokens;
    std::vector<Outpost> outposts;
};

// 60 characters of [A-Za-z0-9], like authentik's generate_key().
std::string random_key();
// A random RFC 4122 version 4 UUID in lowercase.
std::string random_uuid4();

inline constexpr const char* intent_choices[] = {"verification", "api", "recovery", "app_password"};
bool is_intent_choice(const std::string& intent);

}  // namespace sandbox
