// SPDX-License-Identifier: MIT
#include "aktoken/commands/create.h"

#include <fmt/format.h>

#include "aktoken/commands/get.h"
#include "aktoken/commands/keys.h"
#include "aktoken/commands/token_fields.h"
#include "aktoken/commands/update.h"
#include "aktoken/commands/write_rules.h"
#include "aktoken/util/strings.h"
#include "aktoken/util/values.h"
#include "commands/specs.h"

namespace aktoken::commands {
namespace {

constexpr const char* kNonSuperuserReason =
    "authentik ignores user and expiring when a user who is not a superuser creates a token";

bool is_duplicate_identifier(const Error& e) {
    if (e.kind() != ErrorKind::rejected) {
        return false;
    }
    for (const auto& [field, messages] : e.fields()) {
        if (field == "identifier") {
            for (const std::string& message : messages) {
                if (message.find("already exists") != std::string::npos) {
                    return true;
                }
            }
        }
    }
    return false;
}

void print_with_key(Context& context, const CreatePlan& plan, const model::Token& token,
                    const std::optional<util::Secret>& key) {
    if (!key) {
        context.out << output::render_tokens({token}, false, context.format, context.style);
        return;
    }
    mask_key(context, plan.mask_for_github, key->view());
    std::string text = output::render_token_with_key(token, key->view(), context.format, context.style);
    const std::optional<std::string> failure = print_key_text(context, text);
    util::wipe(text);
    if (failure) {
        throw undelivered_key(
            fmt::format("the key of token {}", util::quoted(token.identifier)), *failure,
            plan.key_file ? fmt::format("it is also in {}", *plan.key_file) : view_key_recovery(token.identifier));
    }
}

// Whether an existing token is what the create asked for (authentik's own choices aside).
bool matches_request(const model::TokenPatch& asked, const model::Token& stored) {
    for (const Override& override_ : find_overrides(asked, stored)) {
        const bool server_choice = (override_.field == "expires" && stored.intent == "api") ||
                                   override_.field == "user" || override_.field == "expiring";
        if (!server_choice) {
            return false;
        }
    }
    return true;
}

// POSTs once; when the answer is lost, reads the identifier back instead of sending blindly
// again: a token as asked for is a success, no token at all allows one more attempt.
model::Token create_once(Context& context, const model::TokenPatch& fields) {
    const std::string& identifier = *fields.identifier;
    try {
        return context.client.create_token(fields);
    } catch (const Error& e) {
        if (!api::outcome_unknown(e)) {
            throw;
        }
        std::optional<model::Token> existing;
        try {
            existing = context.client.get_token(identifier);
        } catch (const Error& lookup) {
            if (lookup.kind() != ErrorKind::not_found) {
                throw e;
            }
        }
        if (!existing) {
            note(context, fmt::format("the create of token {} got no answer ({}) and created nothing; trying once more",
                                      util::quoted(identifier), e.what()));
            return context.client.create_token(fields);
        }
        if (!matches_request(fields, *existing)) {
            throw Error(ErrorKind::rejected,
                        fmt::format("the create of token {} got no answer ({}), and a token {} now exists that differs "
                                    "from the request",
                                    util::quoted(identifier), e.what(), util::quoted(identifier)));
        }
        note(context, fmt::format("the answer to the create of token {} was lost ({}); the token exists as requested",
                                  util::quoted(identifier), e.what()));
        return *existing;
    }
}

}  // namespace

CreatePlan plan_create(const CreateFlags& flags, util::Timestamp now) {
    CreatePlan plan;
    check_identifier("IDENTIFIER", flags.identifier);
    model::TokenPatch& fields = plan.fields;
    fields.identifier = flags.identifier;
    fields.intent = writable_intent("--intent", flags.intent.value_or("api"));
    if (flags.user) {
        if (auto pk = util::parse_positive_int(*flags.user)) {
            fields.user = *pk;
        } else if (!flags.user->empty() && flags.user->find_first_of(" \t\r\n/") == std::string::npos &&
                   (*flags.user)[0] != '-') {
            plan.user_name = *flags.user;
        } else {
            util::invalid_value("--user", *flags.user, "expected a user pk (a positive integer) or a username");
        }
    }
    fields.description = flags.description;
    if (flags.expires) {
        fields.expires = expires_value("--expires", *flags.expires, now);
    }
    if (flags.no_expiring) {
        fields.expiring = false;
    }
    if (flags.managed) {
        fields.managed = model::Nullable<std::string>{false, managed_value("--managed", *flags.managed)};
    }
    if (auto why = refusal(fmt::format("token {}", util::quoted(flags.identifier)), nullptr, fields, fields, true, now,
                           std::nullopt, flags.allow_expiry_reset)) {
        throw Error(ErrorKind::usage, *why);
    }
    plan.if_not_exists = flags.if_not_exists;
    plan.show_key = flags.show_key;
    if (flags.key_file) {
        check_output_file("--key-file", *flags.key_file, *flags.key_file);
    }
    plan.key_file = flags.key_file;
    plan.strict = flags.strict;
    return plan;
}

Result run_create(Context& context, CreatePlan plan) {
    const std::string identifier = *plan.fields.identifier;
    if (plan.user_name) {
        plan.fields.user = user_pk_by_name(context.client, *plan.user_name);
    }
    Result result;
    model::Token stored;
    try {
        stored = create_once(context, plan.fields);
        for (Override& override_ : find_overrides(plan.fields, stored)) {
            if (override_.reason.empty() && (override_.field == "user" || override_.field == "expiring")) {
                override_.reason = kNonSuperuserReason;
            }
            if (plan.strict) {
                result.errors.emplace_back(ErrorKind::rejected, "--strict: " + describe(override_));
            } else {
                warn(context, describe(override_));
            }
        }
    } catch (const Error& e) {
        if (auto hint = lifetime_hint(e)) {
            note(context, *hint);
        }
        if (!plan.if_not_exists || !is_duplicate_identifier(e)) {
            throw;
        }
        stored = context.client.get_token(identifier);
        note(context, fmt::format("token {} already exists; nothing was created", util::quoted(identifier)));
    }
    std::optional<util::Secret> key;
    if (plan.show_key || plan.key_file) {
        util::Secret fetched = fetch_key(context.client, identifier);
        if (plan.key_file) {
            write_key_file(*plan.key_file, fetched.view());
        }
        if (plan.show_key) {
            key = std::move(fetched);
        }
    }
    print_with_key(context, plan, stored, key);
    return result;
}

namespace {

class CreateCommand final : public Command {
public:
    void define(Arguments& arguments) override {
        arguments.argument("IDENTIFIER", flags_.identifier, "Identifier of the new token");
        arguments.option("--intent", flags_.intent, "api (default) or app_password", "INTENT");
        arguments.option("--user", flags_.user, "Owner: a user pk or a username (superusers only)", "PK|USERNAME");
        arguments.option("--description", flags_.description, "Description", "TEXT");
        arguments.option("--expires", flags_.expires, "Expiry: RFC 3339, date, duration or never", "WHEN");
        arguments.flag("--no-expiring", flags_.no_expiring, "The token does not expire");
        arguments.option("--managed", flags_.managed, "Managed marker", "TEXT");
        arguments.flag("--if-not-exists", flags_.if_not_exists,
                       "Exit 0 and print the existing token if the identifier is taken");
        arguments.flag("--show-key", flags_.show_key, "Fetch the new key and print it with the token");
        arguments.option("--key-file", flags_.key_file, "Write the new key to PATH (mode 0600, atomic)", "PATH");
        arguments.flag("--strict", flags_.strict, "Fail (exit 7) when the server stores other values than requested");
        arguments.flag("--allow-expiry-reset", flags_.allow_expiry_reset,
                       "Send --expires for an api token although authentik ignores it");
    }

    void prepare(const Preparation& preparation) override {
        plan_ = plan_create(flags_, preparation.now);
        plan_.mask_for_github = masks_keys(preparation);
    }
    Result run(Context& context) override { return run_create(context, std::move(plan_)); }

private:
    CreateFlags flags_;
    CreatePlan plan_;
};

}  // namespace

const CommandSpec create_command{"create", "Create a token",
                                 R"TXT(authentik sets an api token's expiry itself and ignores --user and expiring in a
create by a user who is not a superuser; aktoken warns when the server chose other
values than requested (--strict: exit 7). --expires for an api token is refused
unless --allow-expiry-reset, --expires never without --no-expiring always. Under GITHUB_ACTIONS=true a key shown
with --show-key is first masked with ::add-mask::KEY on stderr.

Examples:
  aktoken create ci-deploy --description "Deploys from CI" --key-file ~/.ci-deploy.key
  aktoken create alice-laptop --intent app_password --user alice --expires +90d
  aktoken create ci-deploy --if-not-exists --show-key -o json)TXT",
                                 Phase::client, make_command<CreateCommand>};

}  // namespace aktoken::commands
