// SPDX-License-Identifier: MIT
#include "aktoken/commands/write_rules.h"

#include <fmt/format.h>

#include <array>
#include <utility>

#include "aktoken/util/strings.h"
#include "aktoken/util/values.h"

namespace aktoken::commands {
namespace {

using std::chrono::seconds;

constexpr std::string_view kLifetimeAttribute = "goauthentik.io/user/token-maximum-lifetime";
constexpr std::string_view kLifetimeMessage = "Token expires exceeds maximum lifetime";

output::Value timestamp_value(const std::optional<util::Timestamp>& at) {
    return at ? output::Value::string(util::format_timestamp(*at)) : output::Value::null("null");
}

output::Value user_value(std::int64_t pk, const std::optional<model::User>& user) {
    return user ? output::Value::integer(pk, fmt::format("{} ({})", user->username, pk)) : output::Value::integer(pk);
}

output::Value string_or_null(const std::optional<std::string>& value) {
    return value ? output::Value::string(*value) : output::Value::null("null");
}

// The sent value of a nullable field, "-" when it is not sent.
template <class T, class F>
output::Value sent(const std::optional<model::Nullable<T>>& field, F&& value) {
    if (!field) {
        return output::Value::null();
    }
    if (field->is_null) {
        return output::Value::null("null");
    }
    return value(field->value);
}

// What housekeeping does to a token of this intent once its expiry has passed.
std::string_view housekeeping_of(std::string_view intent) {
    return intent == "api" ? "housekeeping then gives it a new random key, locking out whoever holds the old one"
                           : "housekeeping then deletes it";
}

// Unknown (a token not read) counts as expiring: that is authentik's default.
bool stays_expiring(const model::Token* current, const model::TokenPatch& body) {
    if (body.expiring) {
        return *body.expiring;
    }
    return current == nullptr || current->expiring;
}

}  // namespace

std::optional<seconds> parse_authentik_duration(std::string_view text) {
    constexpr std::array<std::pair<std::string_view, std::int64_t>, 5> kUnits{
        {{"weeks", 604800}, {"days", 86400}, {"hours", 3600}, {"minutes", 60}, {"seconds", 1}}};
    if (text.empty()) {
        return std::nullopt;
    }
    std::int64_t total = 0;
    for (std::string_view part : util::split(text, ';')) {
        const std::size_t equals = part.find('=');
        if (equals == std::string_view::npos) {
            return std::nullopt;
        }
        const std::string_view unit = util::trim(part.substr(0, equals));
        const auto amount = util::parse_count(util::trim(part.substr(equals + 1)), {0, 1'000'000'000, "a count"});
        std::int64_t factor = 0;
        for (const auto& [name, unit_seconds] : kUnits) {
            if (name == unit) {
                factor = unit_seconds;
            }
        }
        if (!amount || factor == 0) {
            return std::nullopt;
        }
        total += *amount * factor;
    }
    return seconds(total);
}

std::optional<seconds> DefaultDuration::get(api::Client& client) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!read_) {
        try {
            duration_ = parse_authentik_duration(client.settings().default_token_duration);
        } catch (const Error& e) {
            // Not allowed to read the settings (403), or a release without them (404): the
            // prediction then names the duration instead of computing with it.
            if (e.kind() != ErrorKind::permission && e.kind() != ErrorKind::not_found) {
                throw;
            }
        }
        read_ = true;
    }
    return duration_;
}

std::string duration_words(std::optional<seconds> duration) {
    return duration ? util::format_duration(*duration) : "the server's default token duration";
}

bool needs_default_duration(const model::Token* current, const model::TokenPatch& body, bool create) {
    if (body.intent.value_or("api") == "api") {
        return true;
    }
    // The pre-save signal dates an expiring token saved with expires null.
    // A PATCH of a token that was not read keeps an expiry aktoken does not know.
    const bool null_after = body.expires ? body.expires->is_null : current != nullptr ? !current->expires : create;
    return null_after && stays_expiring(current, body);
}

WritePrediction predict_write(const model::Token* current, const model::TokenPatch& body, bool create,
                              util::Timestamp now, std::optional<seconds> duration) {
    WritePrediction p;
    const std::optional<util::Timestamp> dated =
        duration ? std::optional<util::Timestamp>(now + *duration) : std::nullopt;
    const std::string dated_words = duration ? fmt::format("now + {}", util::format_duration(*duration))
                                             : "now + the server's default token duration";
    const auto add = [&](std::string field, output::Value current_value, output::Value requested,
                         output::Value predicted, std::string reason) {
        p.fields.push_back({std::move(field), std::move(current_value), std::move(requested), std::move(predicted),
                            std::move(reason)});
    };
    const auto current_or = [&](auto&& value) { return current != nullptr ? value(*current) : output::Value::null(); };

    if (body.identifier && !create) {
        add("identifier", current_or([](const model::Token& t) { return output::Value::string(t.identifier); }),
            output::Value::string(*body.identifier), output::Value::string(*body.identifier), "");
    }

    // intent: authentik's validate() makes a missing intent api in every write.
    p.intent = body.intent.value_or("api");
    std::string intent_reason;
    if (!body.intent) {
        intent_reason = "not sent: authentik sets api";
        if (current == nullptr || current->intent != "api") {
            p.warnings.push_back(
                current != nullptr ? fmt::format("authentik turns this {} token into an api token: intent is not sent",
                                                 current->intent)
                                   : "authentik makes the token an api token: intent is not sent");
        }
    } else if (current != nullptr && current->intent != *body.intent) {
        intent_reason = fmt::format("changed from {}", current->intent);
    }
    add("intent", current_or([](const model::Token& t) { return output::Value::string(t.intent); }),
        body.intent ? output::Value::string(*body.intent) : output::Value::null(), output::Value::string(p.intent),
        intent_reason);

    // user: a missing user becomes the caller.
    if (body.user) {
        const std::optional<model::User> user =
            current != nullptr && current->user == *body.user ? current->user_obj : std::nullopt;
        add("user", current_or([](const model::Token& t) { return user_value(t.user, t.user_obj); }),
            output::Value::integer(*body.user), user_value(*body.user, user), "");
    } else {
        add("user", current_or([](const model::Token& t) { return user_value(t.user, t.user_obj); }),
            output::Value::null(), output::Value::string("the caller"),
            "not sent: authentik gives the token to the caller");
        if (!create) {
            p.warnings.emplace_back("authentik gives the token to the caller: user is not sent");
        }
    }

    if (body.description) {
        add("description", current_or([](const model::Token& t) { return output::Value::string(t.description); }),
            output::Value::string(*body.description), output::Value::string(*body.description), "");
    }

    // expiring: kept unless sent; a create without it gets the model's default, true.
    p.expiring = body.expiring        ? body.expiring
                 : current != nullptr ? std::optional<bool>(current->expiring)
                 : create             ? std::optional<bool>(true)
                                      : std::nullopt;

    // expires.
    output::Value predicted_expires;
    std::string expires_reason;
    const output::Value dated_value =
        dated ? output::Value::string(util::format_timestamp(*dated)) : output::Value::string(dated_words);
    if (p.intent == "api") {
        p.expiry_reset = true;
        p.expiry_known = dated.has_value();
        p.expires = dated;
        predicted_expires = dated_value;
        expires_reason =
            body.expires
                ? fmt::format("authentik ignores the requested expiry of an api token and sets {}", dated_words)
                : fmt::format("authentik resets an api token's expiry on every write: {}", dated_words);
    } else {
        const bool sent_expires = body.expires.has_value();
        std::optional<util::Timestamp> after;
        bool known = true;
        if (sent_expires) {
            after = body.expires->is_null ? std::nullopt : std::optional<util::Timestamp>(body.expires->value);
        } else if (current != nullptr) {
            after = current->expires;
        } else if (!create) {
            known = false;
        }
        if (known && !after && p.expiring.value_or(true)) {
            // The pre-save signal: expiring with expires null is dated now + the default duration.
            p.expiry_reset = true;
            p.expiry_known = dated.has_value();
            p.expires = dated;
            predicted_expires = dated_value;
            expires_reason = fmt::format(
                "authentik's pre-save signal dates an expiring token saved without an expiry: {} (never "
                "expiring is expiring false)",
                dated_words);
        } else {
            p.expiry_known = known;
            p.expires = after;
            predicted_expires = known ? timestamp_value(after) : output::Value::string("as stored");
            if (sent_expires && after) {
                expires_reason = "at most now + the owner's maximum lifetime (" + std::string(kLifetimeAttribute) +
                                 "; without it, the default token duration)";
            }
        }
    }
    add("expires", current_or([](const model::Token& t) { return timestamp_value(t.expires); }),
        sent(body.expires, [](util::Timestamp t) { return output::Value::string(util::format_timestamp(t)); }),
        std::move(predicted_expires), expires_reason);
    if (current != nullptr && current->expiring && current->expires && p.expiry_reset && p.expiring.value_or(true)) {
        if (!p.expiry_known || *p.expires < *current->expires) {
            p.warnings.push_back(fmt::format("expires {} -> {}: authentik shortens the token's life",
                                             util::format_timestamp(*current->expires),
                                             p.expiry_known ? util::format_timestamp(*p.expires) : dated_words));
        }
    }
    if (p.expiring.value_or(true) && p.expiry_reset) {
        p.warnings.push_back(fmt::format("the token expires at {}; {}",
                                         p.expiry_known ? util::format_timestamp(*p.expires) : dated_words,
                                         housekeeping_of(p.intent)));
    }

    add("expiring", current_or([](const model::Token& t) { return output::Value::boolean(t.expiring); }),
        body.expiring ? output::Value::boolean(*body.expiring) : output::Value::null(),
        p.expiring ? output::Value::boolean(*p.expiring) : output::Value::string("as stored"), "");

    if (body.managed) {
        add("managed", current_or([](const model::Token& t) { return string_or_null(t.managed); }),
            sent(body.managed, [](const std::string& v) { return output::Value::string(v); }),
            body.managed->is_null ? output::Value::null("null") : output::Value::string(body.managed->value), "");
    }
    return p;
}

bool resets_future_expiry(const model::Token& current, const model::TokenPatch& body, util::Timestamp now,
                          std::optional<seconds> duration) {
    if (body.intent.value_or("api") != "api" || !stays_expiring(&current, body) || !current.expiring ||
        !current.expires || *current.expires <= now) {
        return false;
    }
    return !duration || now + *duration < *current.expires;
}

std::optional<std::string> refusal(const std::string& subject, const model::Token* current,
                                   const model::TokenPatch& asked, const model::TokenPatch& body, bool create,
                                   util::Timestamp now, std::optional<seconds> duration, bool allow_expiry_reset) {
    const std::string intent = body.intent.value_or("api");
    const std::string_view becomes = current != nullptr && current->intent == intent ? "is" : "becomes";
    if (asked.expires && asked.expires->is_null && stays_expiring(current, body)) {
        return fmt::format(
            "{}: --expires never sends expires null, which authentik does not read as never: the token stays "
            "expiring, so authentik dates it now + {} and {}; a token that never expires is --no-expiring",
            subject, duration_words(duration), housekeeping_of(intent));
    }
    if (allow_expiry_reset) {
        return std::nullopt;
    }
    if (asked.expires && intent == "api") {
        return fmt::format(
            "{} {} an api token: authentik ignores --expires for api tokens and sets now + {} instead; leave out "
            "--expires (--no-expiring keeps the token from expiring), or give --allow-expiry-reset to write anyway",
            subject, create ? "would be" : becomes, duration_words(duration));
    }
    if (current != nullptr && resets_future_expiry(*current, body, now, duration)) {
        return fmt::format(
            "{} is an expiring api token valid until {}: authentik resets an api token's expiry on every write, to "
            "now + {}, and {}; add --no-expiring to keep the token from expiring, or --allow-expiry-reset to accept "
            "the new expiry",
            subject, util::format_timestamp(*current->expires), duration_words(duration), housekeeping_of("api"));
    }
    return std::nullopt;
}

std::optional<std::string> lifetime_hint(const Error& error) {
    if (error.kind() != ErrorKind::rejected) {
        return std::nullopt;
    }
    for (const auto& [field, messages] : error.fields()) {
        for (const std::string& message : messages) {
            if (field != "expires" || message.rfind(kLifetimeMessage, 0) != 0) {
                continue;
            }
            // authentik prints the limit as Python prints an aware datetime, then " UTC".
            std::string limit;
            const std::size_t open = message.find('(');
            const std::size_t close = message.rfind(')');
            if (open != std::string::npos && close != std::string::npos && close > open) {
                std::string_view inside = std::string_view(message).substr(open + 1, close - open - 1);
                if (inside.size() > 4 && inside.substr(inside.size() - 4) == " UTC") {
                    inside.remove_suffix(4);
                }
                if (const auto at = util::parse_timestamp(inside)) {
                    limit = fmt::format(" (here {})", util::format_timestamp(*at));
                }
            }
            return fmt::format(
                "an app password may expire at most at now + its owner's maximum lifetime{}: the attribute {} "
                "(format hours=720, on the user or one of their groups), or without it the server's default token "
                "duration; ask for an earlier --expires or raise the attribute",
                limit, kLifetimeAttribute);
        }
    }
    return std::nullopt;
}

}  // namespace aktoken::commands
