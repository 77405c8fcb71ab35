// SPDX-License-Identifier: MIT
#include "aktoken/output/fields.h"

#include <fmt/format.h>

#include "aktoken/output/list.h"

namespace aktoken::output {
namespace {

std::string pk(const model::Token& t) { return t.pk; }

std::string identifier(const model::Token& t) { return t.identifier; }

std::string intent(const model::Token& t) { return t.intent; }

std::string user(const model::Token& t) { return t.user_obj ? t.user_obj->username : fmt::format("{}", t.user); }

std::string user_block(const model::Token& t, const Style&) {
    return t.user_obj ? fmt::format("{} ({})", escape_cell(t.user_obj->username), t.user) : fmt::format("{}", t.user);
}

std::string username(const model::Token& t) { return t.user_obj ? t.user_obj->username : "-"; }

std::string user_pk(const model::Token& t) { return fmt::format("{}", t.user); }

std::string description(const model::Token& t) { return t.description; }

std::string expires(const model::Token& t) { return timestamp_or_never(t.expires); }

// A token that does not expire keeps an `expires` (authentik fills one in on api writes): people
// are shown "never", scripts (tsv, json) the stored value.
std::string expires_for_people(const model::Token& t, const Style& style) {
    // A retired generation's expiry is no news; when its key stops working is.
    if (auto retired = retired_cell(t, style)) {
        return std::move(*retired);
    }
    if (!t.expiring || !t.expires) {
        return "never";
    }
    return style.terminal ? util::format_relative(*t.expires, style.now) : util::format_timestamp(*t.expires);
}

std::string expiring(const model::Token& t) { return t.expiring ? "true" : "false"; }

std::string managed(const model::Token& t) { return t.managed.value_or("-"); }

std::string managed_stored(const model::Token& t) { return t.managed.value_or("null"); }

template <std::string (*F)(const model::Token&)>
std::string in_block(const model::Token& t, const Style&) {
    return escape_cell(F(t));
}

std::optional<std::string> identifier_asked(const model::TokenPatch& p) { return p.identifier; }

std::optional<std::string> intent_asked(const model::TokenPatch& p) { return p.intent; }

std::optional<std::string> user_asked(const model::TokenPatch& p) {
    return p.user ? std::optional(std::to_string(*p.user)) : std::nullopt;
}

std::optional<std::string> description_asked(const model::TokenPatch& p) { return p.description; }

std::optional<std::string> expires_asked(const model::TokenPatch& p) {
    if (!p.expires) {
        return std::nullopt;
    }
    return p.expires->is_null ? "never" : util::format_timestamp(p.expires->value);
}

std::optional<std::string> expiring_asked(const model::TokenPatch& p) {
    return p.expiring ? std::optional<std::string>(*p.expiring ? "true" : "false") : std::nullopt;
}

std::optional<std::string> managed_asked(const model::TokenPatch& p) {
    if (!p.managed) {
        return std::nullopt;
    }
    return p.managed->is_null ? "null" : p.managed->value;
}

const TokenField kFields[] = {
    {"identifier", identifier, nullptr, in_block<identifier>, 9, "identifier", "ID", "Only this identifier (exact)",
     identifier_asked, identifier, "identifier"},
    {"pk", pk, nullptr, in_block<pk>, 2},
    {"intent", intent, nullptr, in_block<intent>, 5, "intent", "INTENT", "verification, api, recovery or app_password",
     intent_asked, intent, "intent"},
    {"user", user, nullptr, user_block, 7, "user__username", "PK|USERNAME",
     "Only tokens of this user: a pk or a username (exact)"},
    {"user.username", username, nullptr, nullptr, 6},
    {"user.pk", user_pk, nullptr, nullptr, 3, {}, {}, {}, user_asked, user_pk, "user"},
    {"description", description, nullptr, in_block<description>, 4, "description", "TEXT",
     "Only this description (exact)", description_asked, description, "description", true},
    {"expires", expires, expires_for_people, expires_text, 8, {}, {}, {}, expires_asked, expires, "expires"},
    {"expiring", expiring, nullptr, in_block<expiring>, 1, {}, {}, {}, expiring_asked, expiring, "expiring"},
    {"managed", managed, nullptr, in_block<managed>, 0, "managed", "TEXT", "Only this managed marker (exact)",
     managed_asked, managed_stored, "managed"},
};

}  // namespace

std::span<const TokenField> token_fields() { return kFields; }

const TokenField* find_token_field(std::string_view name) {
    for (const TokenField& field : kFields) {
        if (field.name == name) {
            return &field;
        }
    }
    return nullptr;
}

std::string timestamp_or_never(const std::optional<util::Timestamp>& at) {
    return at ? util::format_timestamp(*at) : "never";
}

}  // namespace aktoken::output
