// SPDX-License-Identifier: MIT
#include "token_writes.h"

#include <fmt/format.h>

#include <cmath>
#include <map>
#include <regex>
#include <set>

namespace sandbox {
namespace {

constexpr const char* msg_required = "This field is required.";
constexpr const char* msg_null = "This field may not be null.";
constexpr const char* msg_blank = "This field may not be blank.";
constexpr const char* msg_datetime =
    "Datetime has wrong format. Use one of these formats instead: "
    "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].";

// The validated_data of the serializer: absent fields stay absent (a PATCH sends few).
struct Attrs {
    std::optional<std::optional<std::string>> managed;
    std::optional<std::string> identifier;
    std::optional<std::string> intent;
    std::optional<std::int64_t> user;
    std::optional<std::string> description;
    std::optional<std::optional<Micros>> expires;
    std::optional<bool> expiring;
};

std::string strip(const std::string& s) {
    const char* ws = " \t\n\r\v\f";
    const auto first = s.find_first_not_of(ws);
    if (first == std::string::npos) {
        return "";
    }
    return s.substr(first, s.find_last_not_of(ws) - first + 1);
}

std::size_t code_points(const std::string& s) {
    std::size_t n = 0;
    for (unsigned char c : s) {
        if ((c & 0xC0) != 0x80) {
            ++n;
        }
    }
    return n;
}

// DRF CharField: strings and numbers are accepted (numbers via str()), whitespace is trimmed.
std::optional<std::string> char_field(const rapidjson::Value& v, bool allow_blank, std::vector<std::string>& errors) {
    if (v.IsBool() || !(v.IsString() || v.IsNumber())) {
        errors.emplace_back("Not a valid string.");
        return std::nullopt;
    }
    std::string s = strip(python_str(v));
    if (s.empty()) {
        if (!allow_blank) {
            errors.emplace_back(msg_blank);
            return std::nullopt;
        }
        return s;
    }
    if (s.find('\0') != std::string::npos) {
        errors.emplace_back("Null characters are not allowed.");
        return std::nullopt;
    }
    return s;
}

// Python's int() of a string: surrounding whitespace, a sign, digits with single underscores.
std::optional<std::int64_t> python_int(const std::string& text) {
    static const std::regex int_re(R"(^\s*[+-]?\d+(_\d+)*\s*$)");
    if (!std::regex_match(text, int_re)) {
        return std::nullopt;
    }
    std::string digits;
    for (char c : text) {
        if (c != '_' && !std::isspace(static_cast<unsigned char>(c))) {
            digits += c;
        }
    }
    try {
        return std::stoll(digits);
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

// DRF PrimaryKeyRelatedField: queryset.get(pk=data); Django coerces with int().
std::optional<std::int64_t> user_field(const Store& store, const rapidjson::Value& v, const WriteRequest& request,
                                       std::vector<std::string>& errors) {
    if (v.IsNull()) {
        errors.emplace_back(msg_null);
        return std::nullopt;
    }
    std::optional<std::int64_t> pk;
    if (v.IsInt64()) {
        pk = v.GetInt64();
    } else if (v.IsDouble() && std::isfinite(v.GetDouble()) && std::fabs(v.GetDouble()) < 9e18) {
        pk = static_cast<std::int64_t>(std::trunc(v.GetDouble()));
    } else if (v.IsString()) {
        pk = python_int(v.GetString());
    }
    if (!pk || v.IsBool()) {
        errors.emplace_back(fmt::format("Incorrect type. Expected pk value, received {}.", python_type_name(v)));
        return std::nullopt;
    }
    if (store.find_user(*pk) == nullptr) {
        errors.emplace_back(fmt::format("Invalid pk \"{}\" - object does not exist.", python_str(v)));
        return std::nullopt;
    }
    // validate_user (CVE-2024-37905): the owner of an existing token is fixed.
    if (request.instance != nullptr && *pk != request.instance->user) {
        errors.emplace_back("User cannot be changed");
        return std::nullopt;
    }
    return pk;
}

std::optional<bool> boolean_field(const rapidjson::Value& v, std::vector<std::string>& errors) {
    static const std::set<std::string> true_values = {"t",    "T",    "y",    "Y",  "yes", "Yes", "YES",
                                                      "true", "True", "TRUE", "on", "On",  "ON",  "1"};
    static const std::set<std::string> false_values = {"f",     "F",     "n",     "N",   "no",  "No",  "NO",
                                                       "false", "False", "FALSE", "off", "Off", "OFF", "0"};
    if (v.IsNull()) {
        errors.emplace_back(msg_null);
        return std::nullopt;
    }
    if (v.IsBool()) {
        return v.GetBool();
    }
    if (v.IsString()) {
        const std::string s(v.GetString(), v.GetStringLength());
        if (true_values.count(s) != 0) {
            return true;
        }
        if (false_values.count(s) != 0) {
            return false;
        }
    } else if (v.IsNumber()) {
        // 1, 0, 1.0 and 0.0 are in DRF's TRUE_VALUES/FALSE_VALUES (Python hashes them alike).
        const double d = v.GetDouble();
        if (d == 1.0) {
            return true;
        }
        if (d == 0.0) {
            return false;
        }
    }
    errors.emplace_back("Must be a valid boolean.");
    return std::nullopt;
}

void field_validation(const Store& store, const std::map<std::string, const rapidjson::Value*>& body,
                      const WriteRequest& request, Attrs& attrs, FieldErrors& errors) {
    static const std::regex slug_re("^[-a-zA-Z0-9_]+$");
    const bool partial = request.kind == WriteKind::partial;
    auto field = [&](const char* name) -> const rapidjson::Value* {
        const auto it = body.find(name);
        return it == body.end() ? nullptr : it->second;
    };
    auto report = [&](const char* name, std::vector<std::string>& messages) {
        if (!messages.empty()) {
            errors.emplace_back(name, std::move(messages));
        }
    };

    if (const auto* v = field("managed")) {
        std::vector<std::string> messages;
        if (v->IsNull()) {
            attrs.managed = std::optional<std::string>{};
        } else if (auto s = char_field(*v, false, messages)) {
            // The model's verbose_name is "Managed by authentik"; DRF's unique message uses it.
            if (store.managed_taken(*s, request.instance)) {
                messages.emplace_back("Token with this Managed by authentik already exists.");
            } else {
                attrs.managed = std::optional<std::string>{*s};
            }
        }
        report("managed", messages);
    }

    {
        std::vector<std::string> messages;
        if (const auto* v = field("identifier")) {
            if (v->IsNull()) {
                messages.emplace_back(msg_null);
            } else if (auto s = char_field(*v, false, messages)) {
                // DRF runs every validator and keeps all messages: unique, max length, slug.
                // From 2026.5 the unique check goes through the default manager, which hides
                // expired tokens: such a clash passes here and fails in the INSERT (a 500).
                const Token* holder = store.find_token(*s);
                const bool hidden =
                    holder != nullptr && request.rules.expired_identifier_500 && holder->is_expired(request.now);
                if (holder != nullptr && holder != request.instance && !hidden) {
                    messages.emplace_back("Token with this identifier already exists.");
                }
                if (code_points(*s) > 255) {
                    messages.emplace_back("Ensure this field has no more than 255 characters.");
                }
                if (!std::regex_match(*s, slug_re)) {
                    messages.emplace_back(
                        "Enter a valid \"slug\" consisting of letters, numbers, underscores or hyphens.");
                }
                if (messages.empty()) {
                    attrs.identifier = *s;
                }
            }
        } else if (!partial) {
            messages.emplace_back(msg_required);
        }
        report("identifier", messages);
    }

    if (const auto* v = field("intent")) {
        std::vector<std::string> messages;
        if (v->IsNull()) {
            messages.emplace_back(msg_null);
        } else {
            const std::string s = python_str(*v);
            if (v->IsString() && is_intent_choice(s)) {
                attrs.intent = s;
            } else {
                messages.emplace_back(fmt::format("\"{}\" is not a valid choice.", s));
            }
        }
        report("intent", messages);
    }

    if (const auto* v = field("user")) {
        std::vector<std::string> messages;
        attrs.user = user_field(store, *v, request, messages);
        report("user", messages);
    }

    if (const auto* v = field("description")) {
        std::vector<std::string> messages;
        if (v->IsNull()) {
            messages.emplace_back(msg_null);
        } else {
            attrs.description = char_field(*v, true, messages);
        }
        report("description", messages);
    }

    if (const auto* v = field("expires")) {
        std::vector<std::string> messages;
        if (v->IsNull()) {
            attrs.expires = std::optional<Micros>{};
        } else if (const auto t = v->IsString() ? parse_django_datetime(v->GetString()) : std::nullopt) {
            attrs.expires = std::optional<Micros>{*t};
        } else {
            messages.emplace_back(msg_datetime);
        }
        report("expires", messages);
    }

    if (const auto* v = field("expiring")) {
        std::vector<std::string> messages;
        attrs.expiring = boolean_field(*v, messages);
        report("expiring", messages);
    }
}

}  // namespace

WriteOutcome validate_token_write(const Store& store, const rapidjson::Value& body, const WriteRequest& request) {
    WriteOutcome outcome;
    if (body.IsNull()) {
        outcome.errors.push_back({"non_field_errors", {"No data provided"}});
        return outcome;
    }
    if (!body.IsObject()) {
        outcome.errors.push_back(
            {"non_field_errors",
             {fmt::format("Invalid data. Expected a dictionary, but got {}.", python_type_name(body))}});
        return outcome;
    }
    // Python dicts keep the last of duplicate keys; RapidJSON keeps all of them.
    std::map<std::string, const rapidjson::Value*> fields;
    for (const auto& member : body.GetObject()) {
        fields[std::string(member.name.GetString(), member.name.GetStringLength())] = &member.value;
    }

    Attrs attrs;
    field_validation(store, fields, request, attrs, outcome.errors);
    if (!outcome.errors.empty()) {
        return outcome;
    }

    // TokenSerializer.validate(): runs on create, PUT and PATCH alike.
    const std::int64_t user_pk = attrs.user.value_or(request.caller.pk);
    const std::string intent = attrs.intent.value_or("api");
    if (intent != "api" && intent != "app_password") {
        outcome.errors.push_back({"intent", {fmt::format("Invalid intent {}", intent)}});
        return outcome;
    }
    if (intent == "app_password") {
        const User* owner = store.find_user(user_pk);
        std::optional<Micros> lifetime;
        if (owner != nullptr && owner->max_token_lifetime) {
            lifetime = parse_timedelta_string(*owner->max_token_lifetime);
        }
        const Micros max_expires = request.now + lifetime.value_or(request.default_duration);
        if (attrs.expires && !*attrs.expires && request.rules.null_app_password_expiry_500) {
            // `attrs.get("expires") > max_token_lifetime_dt` with None: a TypeError.
            outcome.server_error = true;
            return outcome;
        }
        if (attrs.expires && *attrs.expires && **attrs.expires > max_expires) {
            outcome.errors.push_back(
                {"expires",
                 {fmt::format("Token expires exceeds maximum lifetime ({} UTC).", format_python(max_expires))}});
            return outcome;
        }
    } else {
        // API tokens: expires cannot be chosen, it is always now + the default duration.
        attrs.expires = std::optional<Micros>{request.now + request.default_duration};
    }

    Token token;
    if (request.instance != nullptr) {
        token = *request.instance;
    } else {
        token.pk = random_uuid4();
        token.key = random_key();
        token.intent = "verification";  // the model default, always overwritten by validate()
        token.expires.reset();          // the model default (None); the pre-save signal may fill it
        token.expiring = true;
    }
    if (attrs.managed) {
        token.managed = *attrs.managed;
    }
    if (attrs.identifier) {
        token.identifier = *attrs.identifier;
    }
    token.intent = intent;
    token.user = user_pk;
    if (attrs.description) {
        token.description = *attrs.description;
    }
    if (attrs.expires) {
        token.expires = *attrs.expires;
    }
    if (attrs.expiring) {
        token.expiring = *attrs.expiring;
    }
    if (request.kind == WriteKind::create && !request.caller.is_superuser) {
        // perform_create: the caller owns it, expiring comes from their attribute, and they may
        // view its key.
        token.user = request.caller.pk;
        token.expiring = request.caller.token_expires.value_or(true);
        token.view_key_users.insert(request.caller.pk);
    }
    token.before_save(request.now, request.default_duration);
    outcome.token = std::move(token);
    return outcome;
}

}  // namespace sandbox
