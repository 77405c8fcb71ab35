// SPDX-License-Identifier: MIT
#include "json_codec.h"

#include <fmt/format.h>

#include <cmath>

namespace sandbox {
namespace {

constexpr const char* fixed_date = "2025-01-01T00:00:00Z";
constexpr const char* default_avatar = "/static/dist/assets/images/user_default.png";

void write_string(JsonWriter& w, std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }

void write_optional_string(JsonWriter& w, const std::optional<std::string>& s) {
    if (s) {
        write_string(w, *s);
    } else {
        w.Null();
    }
}

// A stable, install-like uid per user (authentik hashes install id and pk with SHA-256).
std::string user_uid(const User& user) {
    std::string out;
    for (std::uint64_t salt = 0; salt < 4; ++salt) {
        std::uint64_t h = 1469598103934665603ULL ^ (salt * 0x9e3779b97f4a7c15ULL);
        for (char c : fmt::format("{}-{}", user.pk, user.username)) {
            h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
        }
        out += fmt::format("{:016x}", h);
    }
    return out;
}

std::string user_uuid(const User& user) { return fmt::format("00000000-0000-4000-8000-{:012}", user.pk); }

std::string finish(rapidjson::StringBuffer& buffer) { return std::string(buffer.GetString(), buffer.GetSize()); }

}  // namespace

void write_user(JsonWriter& w, const User& user) {
    w.StartObject();
    w.Key("pk");
    w.Int64(user.pk);
    w.Key("username");
    write_string(w, user.username);
    w.Key("name");
    write_string(w, user.name);
    w.Key("is_active");
    w.Bool(user.is_active);
    w.Key("last_login");
    w.Null();
    w.Key("date_joined");
    w.String(fixed_date);
    w.Key("is_superuser");
    w.Bool(user.is_superuser);
    for (const char* key : {"groups", "groups_obj", "roles", "roles_obj"}) {
        w.Key(key);
        w.StartArray();
        w.EndArray();
    }
    w.Key("email");
    write_string(w, user.email);
    w.Key("avatar");
    w.String(default_avatar);
    w.Key("attributes");
    w.RawValue(user.attributes_json.data(), user.attributes_json.size(), rapidjson::kObjectType);
    w.Key("uid");
    write_string(w, user_uid(user));
    w.Key("path");
    w.String("users");
    w.Key("type");
    write_string(w, user.type);
    w.Key("uuid");
    write_string(w, user_uuid(user));
    w.Key("password_change_date");
    w.String(fixed_date);
    w.Key("last_updated");
    w.String(fixed_date);
    w.EndObject();
}

void write_token(JsonWriter& w, const Token& token, const User& owner, bool with_key) {
    w.StartObject();
    w.Key("pk");
    write_string(w, token.pk);
    w.Key("managed");
    write_optional_string(w, token.managed);
    w.Key("identifier");
    write_string(w, token.identifier);
    w.Key("intent");
    write_string(w, token.intent);
    w.Key("user");
    w.Int64(token.user);
    w.Key("user_obj");
    write_user(w, owner);
    w.Key("description");
    write_string(w, token.description);
    w.Key("expires");
    if (token.expires) {
        write_string(w, format_iso(*token.expires));
    } else {
        w.Null();
    }
    w.Key("expiring");
    w.Bool(token.expiring);
    if (with_key) {
        w.Key("key");
        write_string(w, token.key);
    }
    w.EndObject();
}

void write_pagination(JsonWriter& w, const PageWindow& page) {
    // authentik/api/pagination.py: Django's Page numbers, 0 for a missing next/previous page.
    w.Key("pagination");
    w.StartObject();
    w.Key("next");
    w.Int64(page.number < page.num_pages ? page.number + 1 : 0);
    w.Key("previous");
    w.Int64(page.number > 1 ? page.number - 1 : 0);
    w.Key("count");
    w.Int64(page.count);
    w.Key("current");
    w.Int64(page.number);
    w.Key("total_pages");
    w.Int64(page.num_pages);
    w.Key("start_index");
    w.Int64(page.count == 0 ? 0 : page.per_page * (page.number - 1) + 1);
    w.Key("end_index");
    w.Int64(page.number == page.num_pages ? page.count : page.number * page.per_page);
    w.EndObject();
}

std::string token_json(const Token& token, const User& owner) {
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    write_token(w, token, owner, false);
    return finish(buffer);
}

std::string user_self_json(const User& user) {
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    w.Key("user");
    w.StartObject();
    w.Key("pk");
    w.Int64(user.pk);
    w.Key("username");
    write_string(w, user.username);
    w.Key("name");
    write_string(w, user.name);
    w.Key("is_active");
    w.Bool(user.is_active);
    w.Key("is_superuser");
    w.Bool(user.is_superuser);
    w.Key("groups");
    w.StartArray();
    w.EndArray();
    w.Key("roles");
    w.StartArray();
    w.EndArray();
    w.Key("email");
    write_string(w, user.email);
    w.Key("avatar");
    w.String(default_avatar);
    w.Key("uid");
    write_string(w, user_uid(user));
    w.Key("settings");
    w.StartObject();
    w.EndObject();
    w.Key("type");
    write_string(w, user.type);
    w.Key("system_permissions");
    w.StartArray();
    for (const auto& p : user.permissions) {
        write_string(w, p);
    }
    w.EndArray();
    w.EndObject();
    w.EndObject();
    return finish(buffer);
}

std::string used_by_json(const Token& token) {
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartArray();
    for (const auto& u : token.used_by) {
        w.StartObject();
        w.Key("app");
        write_string(w, u.app);
        w.Key("model_name");
        write_string(w, u.model_name);
        w.Key("pk");
        write_string(w, u.pk);
        w.Key("name");
        write_string(w, u.name);
        w.Key("action");
        write_string(w, u.action);
        w.EndObject();
    }
    w.EndArray();
    return finish(buffer);
}

std::string key_json(const std::string& key) {
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    w.Key("key");
    write_string(w, key);
    w.EndObject();
    return finish(buffer);
}

std::string detail_json(std::string_view detail) {
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    w.Key("detail");
    write_string(w, detail);
    w.EndObject();
    return finish(buffer);
}

std::string errors_json(const FieldErrors& errors) {
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    for (const auto& [field, messages] : errors) {
        write_string(w, field);
        w.StartArray();
        for (const auto& m : messages) {
            write_string(w, m);
        }
        w.EndArray();
    }
    w.EndObject();
    return finish(buffer);
}

std::string string_json(std::string_view text) {
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    write_string(w, text);
    return finish(buffer);
}

std::optional<std::string> parse_json(std::string_view text, rapidjson::Document& doc) {
    doc.Parse<rapidjson::kParseIterativeFlag>(text.data(), text.size());
    if (!doc.HasParseError()) {
        return std::nullopt;
    }
    const std::size_t offset = std::min(doc.GetErrorOffset(), text.size());
    std::size_t line = 1;
    std::size_t column = 1;
    for (std::size_t i = 0; i < offset; ++i) {
        if (text[i] == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    const char* what = "Expecting value";
    switch (doc.GetParseError()) {
        case rapidjson::kParseErrorObjectMissName:
            what = "Expecting property name enclosed in double quotes";
            break;
        case rapidjson::kParseErrorObjectMissColon:
            what = "Expecting ':' delimiter";
            break;
        case rapidjson::kParseErrorObjectMissCommaOrCurlyBracket:
        case rapidjson::kParseErrorArrayMissCommaOrSquareBracket:
            what = "Expecting ',' delimiter";
            break;
        case rapidjson::kParseErrorDocumentRootNotSingular:
            what = "Extra data";
            break;
        case rapidjson::kParseErrorStringEscapeInvalid:
        case rapidjson::kParseErrorStringUnicodeEscapeInvalidHex:
            what = "Invalid \\escape";
            break;
        case rapidjson::kParseErrorStringMissQuotationMark:
            what = "Unterminated string starting at";
            break;
        case rapidjson::kParseErrorStringInvalidEncoding:
            what = "Invalid control character at";
            break;
        default:
            break;
    }
    return fmt::format("{}: line {} column {} (char {})", what, line, column, offset);
}

const rapidjson::Value* find_member(const rapidjson::Value& value, const char* name) {
    if (!value.IsObject()) {
        return nullptr;
    }
    const auto it = value.FindMember(name);
    return it == value.MemberEnd() ? nullptr : &it->value;
}

std::string python_type_name(const rapidjson::Value& value) {
    if (value.IsNull()) {
        return "NoneType";
    }
    if (value.IsBool()) {
        return "bool";
    }
    if (value.IsString()) {
        return "str";
    }
    if (value.IsArray()) {
        return "list";
    }
    if (value.IsObject()) {
        return "dict";
    }
    return value.IsInt64() || value.IsUint64() ? "int" : "float";
}

std::string python_str(const rapidjson::Value& value) {
    if (value.IsString()) {
        return std::string(value.GetString(), value.GetStringLength());
    }
    if (value.IsBool()) {
        return value.GetBool() ? "True" : "False";
    }
    if (value.IsNull()) {
        return "None";
    }
    if (value.IsInt64()) {
        return fmt::format("{}", value.GetInt64());
    }
    if (value.IsUint64()) {
        return fmt::format("{}", value.GetUint64());
    }
    if (value.IsDouble()) {
        const double d = value.GetDouble();
        // Python prints integral floats with ".0" and uses the shortest round-trip repr.
        if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 1e16) {
            return fmt::format("{:.1f}", d);
        }
        return fmt::format("{}", d);
    }
    // Lists and dicts: no recursion into attacker-controlled nesting, a placeholder will do.
    return value.IsArray() ? "[...]" : "{...}";
}

}  // namespace sandbox
