// SPDX-License-Identifier: MIT
#include "aktoken/commands/update.h"

#include <fmt/format.h>

#include <atomic>
#include <unordered_map>

#include "aktoken/commands/get.h"
#include "aktoken/commands/list.h"
#include "aktoken/commands/parallel.h"
#include "aktoken/commands/token_fields.h"
#include "aktoken/json/codec.h"

namespace aktoken::commands {
namespace {

std::string expires_display(const std::optional<util::Timestamp>& expires) {
    return expires ? util::format_timestamp(*expires) : "never";
}

// Each field a patch can set, as text comparable with the same field of a stored token.
std::vector<std::pair<std::string, std::string>> requested_values(const model::TokenPatch& patch) {
    std::vector<std::pair<std::string, std::string>> values;
    if (patch.identifier) {
        values.emplace_back("identifier", *patch.identifier);
    }
    if (patch.intent) {
        values.emplace_back("intent", *patch.intent);
    }
    if (patch.user) {
        values.emplace_back("user", std::to_string(*patch.user));
    }
    if (patch.description) {
        values.emplace_back("description", *patch.description);
    }
    if (patch.expires) {
        values.emplace_back("expires", patch.expires->is_null ? "never" : util::format_timestamp(patch.expires->value));
    }
    if (patch.expiring) {
        values.emplace_back("expiring", *patch.expiring ? "true" : "false");
    }
    if (patch.managed) {
        values.emplace_back("managed", patch.managed->is_null ? "null" : patch.managed->value);
    }
    return values;
}

std::string stored_value(const model::Token& token, const std::string& field) {
    if (field == "identifier") {
        return token.identifier;
    }
    if (field == "intent") {
        return token.intent;
    }
    if (field == "user") {
        return std::to_string(token.user);
    }
    if (field == "description") {
        return token.description;
    }
    if (field == "expires") {
        return expires_display(token.expires);
    }
    if (field == "expiring") {
        return token.expiring ? "true" : "false";
    }
    return token.managed.value_or("null");
}

constexpr const char* kApiExpiryReason = "authentik sets an api token's expiry to now + its default token duration";
constexpr const char* kApiExpiryReset = ": authentik resets an api token's expiry on every write";

void print_dry_run(Context& context, const http::Request& request) {
    if (context.format == output::Format::json) {
        std::string text = fmt::format(R"({{"method":{},"url":{},"body":{}}})", json::quote(request.method),
                                       json::quote(request.url), request.body);
        context.out << json::pretty(text) << '\n';
    } else {
        context.out << request.method << ' ' << request.url << '\n' << json::pretty(request.body) << '\n';
    }
}

}  // namespace

UpdatePlan plan_update(const UpdateFlags& flags, util::Timestamp now) {
    UpdatePlan plan;
    if (flags.identifiers.empty()) {
        throw Error(ErrorKind::usage, "IDENTIFIER is required (or --from-file)");
    }
    check_identifiers(flags.identifiers);
    plan.identifiers = flags.identifiers;
    plan.preserve = !flags.no_preserve;
    plan.dry_run = flags.dry_run;
    plan.strict = flags.strict;
    if (flags.expiring && flags.no_expiring) {
        throw Error(ErrorKind::usage, "--expiring and --no-expiring cannot be used together");
    }
    if (flags.managed && flags.no_managed) {
        throw Error(ErrorKind::usage, "--managed and --no-managed cannot be used together");
    }
    model::TokenPatch& patch = plan.patch;
    if (flags.new_identifier) {
        check_identifier("--identifier", *flags.new_identifier);
        if (flags.identifiers.size() > 1) {
            throw Error(ErrorKind::usage, "--identifier renames one token: give a single IDENTIFIER");
        }
        patch.identifier = *flags.new_identifier;
    }
    if (flags.intent) {
        patch.intent = writable_intent("--intent", *flags.intent);
    }
    if (flags.user) {
        patch.user = user_pk("--user", *flags.user);
    }
    patch.description = flags.description;
    if (flags.expires) {
        patch.expires = expires_value("--expires", *flags.expires, now);
    }
    if (flags.expiring || flags.no_expiring) {
        patch.expiring = flags.expiring;
    }
    if (flags.managed) {
        patch.managed = model::Nullable<std::string>{false, managed_value("--managed", *flags.managed)};
    } else if (flags.no_managed) {
        patch.managed = model::Nullable<std::string>{true, {}};
    }
    if (patch.empty()) {
        throw Error(ErrorKind::usage,
                    "nothing to update: give at least one of --description, --expires, --expiring, --no-expiring, "
                    "--intent, --user, --identifier, --managed, --no-managed");
    }
    return plan;
}

void preserve_owner_and_intent(model::TokenPatch& patch, const model::Token& current) {
    if (!patch.intent) {
        patch.intent = current.intent;
    }
    if (!patch.user) {
        patch.user = current.user;
    }
}

std::vector<Override> find_overrides(const model::TokenPatch& asked, const model::Token& stored) {
    std::vector<Override> overrides;
    for (const auto& [field, requested] : requested_values(asked)) {
        std::string actual = stored_value(stored, field);
        if (actual != requested) {
            std::string reason = field == "expires" && stored.intent == "api" ? kApiExpiryReason : "";
            overrides.push_back({field, requested, actual, reason});
        }
    }
    return overrides;
}

std::string describe(const Override& override_) {
    std::string text = fmt::format("{}: requested {}, the server stored {}", override_.field,
                                   quoted(override_.requested), quoted(override_.stored));
    if (!override_.reason.empty()) {
        text += fmt::format(" ({})", override_.reason);
    }
    return text;
}

namespace {

// What the tokens of a bulk update share: their notes and warnings are about one token each.
struct BulkNotes {
    bool bulk = false;
    // Api tokens whose expiry authentik moved: one summary note instead of a line each.
    std::atomic<std::size_t> api_expiries_moved{0};

    // `text`, naming the token when there are several.
    std::string about(const std::string& identifier, const std::string& text) const {
        return bulk ? fmt::format("token {}: {}", quoted(identifier), text) : text;
    }
};

// One token: GET unless `listed` has it or --no-preserve was given, PATCH, compare. Returns the
// stored token, or nothing for a dry run.
std::optional<model::Token> update_one(Context& context, const UpdatePlan& plan, const std::string& identifier,
                                       const model::Token* listed, BulkNotes& notes, std::vector<Error>& errors) {
    model::TokenPatch patch = plan.patch;
    std::optional<model::Token> current;
    if (plan.preserve) {
        current = listed != nullptr ? *listed : context.client.get_token(identifier);
        if (!patch.intent && current->intent != "api" && current->intent != "app_password") {
            throw Error(ErrorKind::rejected,
                        fmt::format("token {} has intent {}, which authentik refuses in any write; only api and "
                                    "app_password tokens can be updated (--intent converts it)",
                                    quoted(identifier), current->intent));
        }
        preserve_owner_and_intent(patch, *current);
        if (current->managed && !(patch.managed && patch.managed->is_null)) {
            warn(context, fmt::format("token {} is managed by authentik ({}): authentik may overwrite this change",
                                      quoted(identifier), *current->managed));
        }
    }
    if (plan.dry_run) {
        http::Request request{"PATCH", context.client.token_url(identifier), {}, json::encode_patch(patch)};
        print_dry_run(context, request);
        return std::nullopt;
    }
    model::Token stored = context.client.patch_token(identifier, patch);
    if (current && !plan.patch.expires && current->expires != stored.expires) {
        if (notes.bulk && stored.intent == "api") {
            ++notes.api_expiries_moved;
        } else {
            note(context, notes.about(identifier, fmt::format("expires moved from {} to {}{}",
                                                              expires_display(current->expires),
                                                              expires_display(stored.expires),
                                                              stored.intent == "api" ? kApiExpiryReset : "")));
        }
    }
    for (const Override& override_ : find_overrides(plan.patch, stored)) {
        if (plan.strict) {
            errors.emplace_back(ErrorKind::rejected, "--strict: " + notes.about(identifier, describe(override_)));
        } else {
            warn(context, notes.about(identifier, describe(override_)));
        }
    }
    return stored;
}

}  // namespace

Result run_update(Context& context, const UpdatePlan& plan) {
    const std::size_t count = plan.identifiers.size();
    std::vector<std::optional<model::Token>> stored(count);
    std::vector<std::vector<Error>> errors(count);
    std::unordered_map<std::string, model::Token> listed;
    if (plan.preserve) {
        try {
            listed = list_named_tokens(context, plan.identifiers);
        } catch (const Error& e) {
            // Each token's own GET will tell what is wrong, with its identifier.
            if (!item_error(e)) {
                throw;
            }
        }
    }
    BulkNotes notes;
    notes.bulk = count > 1;
    run_in_order(context, count, [&](std::size_t index, Context& item) {
        const std::string& identifier = plan.identifiers[index];
        const auto found = listed.find(identifier);
        try {
            stored[index] = update_one(item, plan, identifier, found == listed.end() ? nullptr : &found->second,
                                       notes, errors[index]);
        } catch (const Error& e) {
            if (count == 1 || !item_error(e)) {
                throw;
            }
            errors[index].push_back(about_token(e, identifier));
        }
    });
    Result result;
    std::vector<model::Token> tokens;
    for (std::size_t index = 0; index < count; ++index) {
        if (stored[index]) {
            tokens.push_back(std::move(*stored[index]));
        }
        for (Error& error : errors[index]) {
            result.errors.push_back(std::move(error));
        }
    }
    if (plan.dry_run) {
        note(context, !plan.preserve ? "dry run: nothing was sent"
                      : count == 1   ? "dry run: nothing was changed; only a GET read the token's current intent and user"
                                     : "dry run: nothing was changed; only GETs read the tokens' current intent and user");
    } else {
        print_tokens(context, tokens, count > 1);
    }
    if (const std::size_t moved = notes.api_expiries_moved; moved > 0) {
        note(context, fmt::format("expires moved on {} api token{}{}", moved, moved == 1 ? "" : "s", kApiExpiryReset));
    }
    return result;
}

}  // namespace aktoken::commands
