// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "aktoken/util/time.h"

namespace aktoken::model {

// The token intents authentik knows; only api and app_password may be written.
inline constexpr const char* kIntents[] = {"verification", "api", "recovery", "app_password"};

// The part of authentik's User serializer that aktoken shows.
struct User {
    std::int64_t pk = 0;
    std::string username;
    std::string name;
    bool is_superuser = false;
};

// An authentik token as the API returns it (never with its key).
struct Token {
    std::string pk;
    std::optional<std::string> managed;
    std::string identifier;
    std::string intent;
    std::int64_t user = 0;
    std::optional<User> user_obj;
    std::string description;
    std::optional<util::Timestamp> expires;
    bool expiring = true;
    // The object exactly as received, re-serialised compactly: what `-o json` prints.
    std::string json;
};

// One field of a sparse write: absent (not sent), null, or a value.
template <class T>
struct Nullable {
    bool is_null = false;
    T value{};
};

// The body of a sparse PATCH: only engaged members are sent.
struct TokenPatch {
    std::optional<std::string> identifier;
    std::optional<std::string> intent;
    std::optional<std::int64_t> user;
    std::optional<std::string> description;
    std::optional<Nullable<util::Timestamp>> expires;
    std::optional<bool> expiring;
    std::optional<Nullable<std::string>> managed;

    bool empty() const { return !identifier && !intent && !user && !description && !expires && !expiring && !managed; }
};

// The part of authentik's system settings (GET /admin/settings/) that aktoken reads.
struct Settings {
    // authentik's `timedelta_from_string` form, e.g. "minutes=30" or "hours=1;minutes=30".
    std::string default_token_duration;
};

// One page of a paginated list; next is 0 when there is no further page.
template <class T>
struct Page {
    std::vector<T> results;
    std::int64_t next = 0;
    std::int64_t count = 0;
    std::int64_t total_pages = 0;
};

// An object that references a token (GET used_by).
struct UsedBy {
    std::string app;
    std::string model_name;
    std::string pk;
    std::string name;
    std::string action;
};

// The body of an error answer: DRF's `detail` and/or per-field messages.
struct ErrorBody {
    std::optional<std::string> detail;
    std::vector<std::pair<std::string, std::vector<std::string>>> fields;
};

}  // namespace aktoken::model
