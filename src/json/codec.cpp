// SPDX-License-Identifier: MIT
#include "aktoken/json/codec.h"

#include <fmt/format.h>

#include <cmath>
#include <vector>

#include "aktoken/json/builder.h"
#include "aktoken/util/error.h"
#include "aktoken/util/values.h"
#include "json/parse.h"
#include "json/rapidjson.h"

namespace aktoken::json {
namespace {

using rapidjson::Value;

const Value* member(const Value& object, const char* name) {
    auto it = object.FindMember(name);
    return it == object.MemberEnd() ? nullptr : &it->value;
}

// Invalid UTF-8 (a lone surrogate escape such as "\udc00" decodes to it) is refused when
// writing, so that no re-serialised text fails to parse again later.
using ValidatingWriter = rapidjson::Writer<rapidjson::StringBuffer, rapidjson::UTF8<>, rapidjson::UTF8<>,
                                           rapidjson::CrtAllocator, rapidjson::kWriteValidateEncodingFlag>;

std::string string_member(const Value& object, const char* name, const char* what, bool required) {
    const Value* v = member(object, name);
    if (v == nullptr) {
        if (required) {
            bad_shape(fmt::format("{} has no \"{}\"", what, name));
        }
        return {};
    }
    if (!v->IsString()) {
        bad_shape(fmt::format("\"{}\" of {} is not a string", name, what));
    }
    return {v->GetString(), v->GetStringLength()};
}

std::optional<std::string> nullable_string_member(const Value& object, const char* name, const char* what) {
    const Value* v = member(object, name);
    if (v == nullptr || v->IsNull()) {
        return std::nullopt;
    }
    if (!v->IsString()) {
        bad_shape(fmt::format("\"{}\" of {} is not a string", name, what));
    }
    return std::string(v->GetString(), v->GetStringLength());
}

// pks are typed "integer": a double there is a malformed answer. (Accepting an integral one
// would not even be safe: RapidJSON reads long decimals up to an ULP off, so the value written
// back into Token::json could read differently.)
std::int64_t integer_member(const Value& object, const char* name, const char* what, bool required) {
    const Value* v = member(object, name);
    if (v == nullptr) {
        if (required) {
            bad_shape(fmt::format("{} has no \"{}\"", what, name));
        }
        return 0;
    }
    if (!v->IsInt64()) {
        bad_shape(fmt::format("\"{}\" of {} is not an integer", name, what));
    }
    return v->GetInt64();
}

// Pagination numbers are typed "number" in the schema: integral doubles are accepted too.
std::int64_t page_number(const Value* v, const char* name) {
    if (v == nullptr || v->IsInt64()) {
        return v == nullptr ? 0 : v->GetInt64();
    }
    if (v->IsDouble() && std::isfinite(v->GetDouble()) && std::trunc(v->GetDouble()) == v->GetDouble() &&
        std::fabs(v->GetDouble()) < 9e15) {
        return static_cast<std::int64_t>(v->GetDouble());
    }
    bad_shape(fmt::format("\"{}\" of \"pagination\" is not an integer", name));
}

bool bool_member(const Value& object, const char* name, const char* what, bool fallback) {
    const Value* v = member(object, name);
    if (v == nullptr) {
        return fallback;
    }
    if (!v->IsBool()) {
        bad_shape(fmt::format("\"{}\" of {} is not a boolean", name, what));
    }
    return v->GetBool();
}

const Value& require_object(const Value& v, const char* what) {
    if (!v.IsObject()) {
        bad_shape(fmt::format("{} is not a JSON object", what));
    }
    return v;
}

std::string compact(const Value& v) {
    rapidjson::StringBuffer buffer;
    ValidatingWriter writer(buffer);
    if (!v.Accept(writer)) {
        bad_shape("JSON holding invalid UTF-8 (a lone surrogate escape?)");
    }
    return escape_terminal_controls({buffer.GetString(), buffer.GetSize()});
}

std::string pretty_value(const Value& v) {
    // RapidJSON 1.1.0's PrettyWriter does not compile with write flags: validate through compact().
    compact(v);
    rapidjson::StringBuffer buffer;
    rapidjson::PrettyWriter<rapidjson::StringBuffer> writer(buffer);
    writer.SetIndent(' ', 2);
    if (!v.Accept(writer)) {
        bad_shape("JSON that cannot be re-serialised");
    }
    return escape_terminal_controls({buffer.GetString(), buffer.GetSize()});
}

model::User decode_user_value(const Value& v, const char* what) {
    require_object(v, what);
    model::User user;
    user.pk = integer_member(v, "pk", what, true);
    user.username = string_member(v, "username", what, true);
    user.name = string_member(v, "name", what, false);
    user.is_superuser = bool_member(v, "is_superuser", what, false);
    return user;
}

model::Token decode_token_value(const Value& v) {
    constexpr const char* what = "the token";
    require_object(v, what);
    model::Token token;
    token.pk = string_member(v, "pk", what, true);
    token.identifier = string_member(v, "identifier", what, true);
    // Token answers are parsed without the encoding check so that the broken one can be named.
    try {
        token.json = compact(v);
    } catch (const Error&) {
        bad_shape(fmt::format("token {} holds text that is not valid UTF-8", util::quoted(token.identifier)));
    }
    token.managed = nullable_string_member(v, "managed", what);
    token.intent = string_member(v, "intent", what, false);
    token.user = integer_member(v, "user", what, false);
    if (const Value* user_obj = member(v, "user_obj"); user_obj != nullptr && !user_obj->IsNull()) {
        token.user_obj = decode_user_value(*user_obj, "the token's user_obj");
    }
    token.description = string_member(v, "description", what, false);
    if (auto expires = nullable_string_member(v, "expires", what)) {
        token.expires = util::parse_timestamp(*expires);
        if (!token.expires) {
            bad_shape(fmt::format("\"expires\" of the token is not a date-time: {}", quote(*expires)));
        }
    }
    token.expiring = bool_member(v, "expiring", what, true);
    return token;
}

template <class T, class Decode>
model::Page<T> decode_page(std::string_view body, const char* what, Decode decode_item, bool validate_encoding) {
    rapidjson::Document doc = parse(body, validate_encoding);
    require_object(doc, what);
    const Value* pagination = member(doc, "pagination");
    if (pagination == nullptr) {
        bad_shape(fmt::format("{} has no \"pagination\"", what));
    }
    require_object(*pagination, "\"pagination\"");
    const Value* results = member(doc, "results");
    if (results == nullptr || !results->IsArray()) {
        bad_shape(fmt::format("{} has no \"results\" array", what));
    }
    model::Page<T> page;
    if (const Value* next = member(*pagination, "next"); next != nullptr && !next->IsNull()) {
        page.next = page_number(next, "next");
    }
    page.count = page_number(member(*pagination, "count"), "count");
    page.total_pages = page_number(member(*pagination, "total_pages"), "total_pages");
    page.results.reserve(results->Size());
    for (const Value& item : results->GetArray()) {
        page.results.push_back(decode_item(item));
    }
    return page;
}

template <class Writer>
void write_patch(Writer& w, const model::TokenPatch& patch) {
    w.StartObject();
    if (patch.managed) {
        w.Key("managed");
        if (patch.managed->is_null) {
            w.Null();
        } else {
            w.String(patch.managed->value);
        }
    }
    if (patch.identifier) {
        w.Key("identifier");
        w.String(*patch.identifier);
    }
    if (patch.intent) {
        w.Key("intent");
        w.String(*patch.intent);
    }
    if (patch.user) {
        w.Key("user");
        w.Int64(*patch.user);
    }
    if (patch.description) {
        w.Key("description");
        w.String(*patch.description);
    }
    if (patch.expires) {
        w.Key("expires");
        if (patch.expires->is_null) {
            w.Null();
        } else {
            w.String(util::format_timestamp(patch.expires->value));
        }
    }
    if (patch.expiring) {
        w.Key("expiring");
        w.Bool(*patch.expiring);
    }
    w.EndObject();
}

}  // namespace

model::Token decode_token(std::string_view body) {
    rapidjson::Document doc = parse(body, false);
    return decode_token_value(doc);
}

model::Page<model::Token> decode_token_page(std::string_view body) {
    return decode_page<model::Token>(body, "the token list", decode_token_value, false);
}

model::Page<model::User> decode_user_page(std::string_view body) {
    return decode_page<model::User>(
        body, "the user list", [](const Value& v) { return decode_user_value(v, "a user"); }, true);
}

model::User decode_me(std::string_view body) {
    rapidjson::Document doc = parse(body);
    require_object(doc, "the answer of users/me");
    const Value* user = member(doc, "user");
    if (user == nullptr) {
        bad_shape("the answer of users/me has no \"user\"");
    }
    return decode_user_value(*user, "the current user");
}

model::Settings decode_settings(std::string_view body) {
    rapidjson::Document doc = parse(body);
    require_object(doc, "the answer of admin/settings");
    model::Settings settings;
    settings.default_token_duration =
        string_member(doc, "default_token_duration", "the answer of admin/settings", true);
    return settings;
}

std::string decode_version(std::string_view body) {
    rapidjson::Document doc = parse(body);
    require_object(doc, "the answer of admin/version");
    return string_member(doc, "version_current", "the answer of admin/version", true);
}

util::Secret decode_key(std::string_view body) {
    rapidjson::Document doc = parse(body);
    require_object(doc, "the answer of view_key");
    util::Secret key(string_member(doc, "key", "the answer of view_key", true));
    // The parsed document holds a copy of the key in its own buffers.
    if (doc.HasMember("key")) {
        doc["key"].SetString("", 0);
    }
    // Such a key would reach a terminal, a file or a header as something else than it is; the
    // message leaves it out, as every message leaves out keys.
    if (key.view().find(' ') != std::string_view::npos || util::has_control(key.view())) {
        bad_shape("the key in the answer of view_key holds whitespace or a control character");
    }
    return key;
}

std::vector<model::UsedBy> decode_used_by(std::string_view body) {
    rapidjson::Document doc = parse(body);
    if (!doc.IsArray()) {
        bad_shape("the answer of used_by is not a JSON array");
    }
    std::vector<model::UsedBy> result;
    for (const Value& item : doc.GetArray()) {
        constexpr const char* what = "an entry of used_by";
        require_object(item, what);
        result.push_back({string_member(item, "app", what, true), string_member(item, "model_name", what, true),
                          string_member(item, "pk", what, false), string_member(item, "name", what, true),
                          string_member(item, "action", what, true)});
    }
    return result;
}

std::optional<model::ErrorBody> decode_error(std::string_view body) {
    rapidjson::Document doc;
    try {
        doc = parse(body);
    } catch (const Error&) {
        return std::nullopt;
    }
    if (!doc.IsObject()) {
        return std::nullopt;
    }
    model::ErrorBody error;
    // Indexes, not iterator comparisons: C++20 makes those ambiguous for RapidJSON under clang.
    for (rapidjson::SizeType index = 0; index < doc.MemberCount(); ++index) {
        const auto m = doc.MemberBegin() + index;
        std::string name(m->name.GetString(), m->name.GetStringLength());
        std::vector<std::string> messages;
        auto add = [&messages](const Value& v) {
            if (v.IsString()) {
                messages.emplace_back(v.GetString(), v.GetStringLength());
                return;
            }
            // An error body is read to explain a failure: an unprintable part must not hide the rest.
            try {
                messages.push_back(compact(v));
            } catch (const Error&) {
                messages.emplace_back("(a value that is not valid UTF-8)");
            }
        };
        if (m->value.IsArray()) {
            for (const Value& v : m->value.GetArray()) {
                add(v);
            }
        } else {
            add(m->value);
        }
        if (name == "detail" && messages.size() == 1) {
            error.detail = messages.front();
        } else if (name == "code") {
            continue;  // DRF's machine-readable error code adds nothing for a reader.
        } else {
            error.fields.emplace_back(std::move(name), std::move(messages));
        }
    }
    return error;
}

std::string encode_patch(const model::TokenPatch& patch, bool pretty_print) {
    rapidjson::StringBuffer buffer;
    if (pretty_print) {
        rapidjson::PrettyWriter<rapidjson::StringBuffer> writer(buffer);
        writer.SetIndent(' ', 2);
        write_patch(writer, patch);
    } else {
        rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
        write_patch(writer, patch);
    }
    return {buffer.GetString(), buffer.GetSize()};
}

util::Secret encode_set_key(std::string_view key) {
    std::string body = "{\"key\":";
    body += quote(key);
    body += '}';
    return util::Secret(std::move(body));
}

std::string pretty(std::string_view json_text) {
    rapidjson::Document doc = parse(json_text);
    return pretty_value(doc);
}

std::string pretty_array(const std::vector<std::string>& json_texts) {
    rapidjson::Document array(rapidjson::kArrayType);
    for (const std::string& text : json_texts) {
        rapidjson::Document item = parse(text);
        Value copy(item, array.GetAllocator());
        array.PushBack(copy, array.GetAllocator());
    }
    return pretty_value(array);
}

std::string with_key(std::string_view object_text, std::string_view key) {
    rapidjson::Document doc = parse(object_text);
    require_object(doc, "the token");
    doc.AddMember("key", Value(key.data(), static_cast<rapidjson::SizeType>(key.size()), doc.GetAllocator()),
                  doc.GetAllocator());
    return compact(doc);
}

}  // namespace aktoken::json
