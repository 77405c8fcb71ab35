// SPDX-License-Identifier: MIT
#include "aktoken/commands/update.h"

#include <fmt/format.h>

#include <atomic>
#include <unordered_map>

#include "aktoken/commands/get.h"
#include "aktoken/commands/list.h"
#include "aktoken/commands/parallel.h"
#include "aktoken/commands/token_fields.h"
#include "aktoken/commands/write_rules.h"
#include "aktoken/json/builder.h"
#include "aktoken/json/codec.h"
#include "aktoken/output/fields.h"
#include "aktoken/output/records.h"
#include "aktoken/util/values.h"
#include "commands/specs.h"

namespace aktoken::commands {
namespace {

constexpr const char* kApiExpiryReason = "authentik sets an api token's expiry to now + its default token duration";
constexpr const char* kApiExpiryReset = ": authentik resets an api token's expiry on every write";

void add_value(json::Builder& builder, const output::Value& value) {
    switch (value.type) {
        case output::Value::Type::null:
            builder.null();
            break;
        case output::Value::Type::boolean:
            builder.boolean(value.flag);
            break;
        case output::Value::Type::integer:
            builder.number(std::stoll(value.data));
            break;
        case output::Value::Type::string:
            builder.string(value.data);
            break;
        case output::Value::Type::json:
            builder.raw(value.data);
            break;
    }
}

// The request and what authentik will make of it: the PATCH, a table FIELD NOW AFTER NOTE and
// the consequences; in JSON {"method","url","body","plan":[...],"warnings":[...]}.
void print_dry_run(Context& context, const http::Request& request, const WritePrediction& prediction) {
    output::Record record;
    record.add("method", output::Value::string(request.method));
    record.add("url", output::Value::string(request.url));
    record.add("body", output::Value::json(request.body, {}));
    json::Builder plan;
    plan.begin_array();
    std::vector<output::Record> rows;
    for (const PlannedField& field : prediction.fields) {
        plan.begin_object().key("field").string(field.field).key("current");
        add_value(plan, field.current);
        plan.key("requested");
        add_value(plan, field.requested);
        plan.key("predicted");
        add_value(plan, field.predicted);
        plan.key("reason").string(field.reason).end_object();
        output::Record row;
        row.add_text("field", field.field);
        row.add_text("now", field.current.text);
        row.add_text("after", field.predicted.text);
        row.add_text("note", field.reason);
        rows.push_back(std::move(row));
    }
    plan.end_array();
    json::Builder warnings;
    warnings.begin_array();
    std::string warning_lines;
    for (const std::string& warning : prediction.warnings) {
        warnings.string(warning);
        warning_lines += "warning: " + warning + '\n';
    }
    warnings.end_array();
    record.add("plan", output::Value::json(plan.text(), {}));
    record.add("warnings", output::Value::json(warnings.text(), {}));
    output::View table;
    table.columns = {{"field", "field"}, {"now", "now"}, {"after", "after"}, {"note", "note"}};
    const std::string table_text = output::render(rows, output::Format::table, output::Style{}, table);
    std::string text =
        request.method + ' ' + request.url + '\n' + json::pretty(request.body) + '\n' + table_text + warning_lines;
    text.pop_back();  // the lines layout ends each line itself
    record.add_text("request", text);
    output::View view;
    view.text = output::View::Text::lines;
    view.line_field = "request";
    view.single = true;
    context.out << output::render({record}, context.format, context.style, view);
}

}  // namespace

UpdatePlan plan_update(const UpdateFlags& flags, util::Timestamp now) {
    UpdatePlan plan;
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
        UserRef user = user_ref("--user", *flags.user);
        if (user.pk) {
            patch.user = *user.pk;
        } else {
            plan.user_name = std::move(user.username);
        }
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
    if (patch.empty() && !plan.user_name) {
        throw Error(ErrorKind::usage,
                    "nothing to update: give at least one of --description, --expires, --expiring, --no-expiring, "
                    "--intent, --user, --identifier, --managed, --no-managed");
    }
    plan.allow_expiry_reset = flags.allow_expiry_reset;
    // Without the GET only what the flags alone show can be refused.
    if (!plan.preserve) {
        const std::string subject =
            plan.identifiers.size() == 1 ? fmt::format("token {}", util::quoted(plan.identifiers[0])) : "every token";
        if (auto why = refusal(subject, nullptr, patch, patch, false, now, std::nullopt, plan.allow_expiry_reset)) {
            throw Error(ErrorKind::usage, *why);
        }
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
    for (const output::TokenField& field : output::token_fields()) {
        if (field.requested == nullptr) {
            continue;
        }
        const std::optional<std::string> requested = field.requested(asked);
        if (!requested) {
            continue;
        }
        std::string actual = field.stored(stored);
        if (actual != *requested) {
            std::string name(field.patch_name);
            std::string reason = name == "expires" && stored.intent == "api" ? kApiExpiryReason : "";
            overrides.push_back({std::move(name), *requested, std::move(actual), std::move(reason)});
        }
    }
    return overrides;
}

std::string describe(const Override& override_) {
    std::string text = fmt::format("{}: requested {}, the server stored {}", override_.field,
                                   util::quoted(override_.requested), util::quoted(override_.stored));
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
        return bulk ? fmt::format("token {}: {}", util::quoted(identifier), text) : text;
    }
};

// What the PATCH of one token needs from its GET, kept small: a bulk update holds one per token
// between planning every token and writing any.
struct Read {
    bool writable = false;  // read, planned and not refused
    std::string intent;
    std::int64_t user = 0;
    std::optional<util::Timestamp> expires;
};

// The body one token gets: the fields asked for, with the intent and user read.
model::TokenPatch body_of(const UpdatePlan& plan, const Read& read) {
    model::TokenPatch body = plan.patch;
    if (plan.preserve) {
        if (!body.intent) {
            body.intent = read.intent;
        }
        if (!body.user) {
            body.user = read.user;
        }
    }
    return body;
}

// One token before anything is written: GET unless `listed` has it or --no-preserve was given,
// then the plan and the guards. A dry run prints the plan. Throws Error(usage) for a refused write.
Read plan_one(Context& context, const UpdatePlan& plan, const std::string& identifier, const model::Token* listed,
              DefaultDuration& durations) {
    Read read;
    std::optional<model::Token> current;
    model::TokenPatch body = plan.patch;
    if (plan.preserve) {
        current = listed != nullptr ? *listed : context.client.get_token(identifier);
        if (!body.intent && current->intent != "api" && current->intent != "app_password") {
            throw Error(ErrorKind::rejected,
                        fmt::format("token {} has intent {}, which authentik refuses in any write; only api and "
                                    "app_password tokens can be updated (--intent converts it)",
                                    util::quoted(identifier), current->intent));
        }
        preserve_owner_and_intent(body, *current);
        if (current->managed && !(body.managed && body.managed->is_null)) {
            warn(context, fmt::format("token {} is managed by authentik ({}): authentik may overwrite this change",
                                      util::quoted(identifier), *current->managed));
        }
        read.intent = current->intent;
        read.user = current->user;
        read.expires = current->expires;
    }
    const util::Timestamp now = context.style.now;
    const model::Token* token = current ? &*current : nullptr;
    // The settings are read only where their answer changes what is shown or refused.
    std::optional<std::chrono::seconds> duration;
    // A dry run with --no-preserve sends nothing at all.
    if ((plan.dry_run && plan.preserve && needs_default_duration(token, body, false)) ||
        (token != nullptr && !plan.allow_expiry_reset && resets_future_expiry(*token, body, now, std::nullopt))) {
        duration = durations.get(context.client);
    }
    std::optional<std::string> why = refusal(fmt::format("token {}", util::quoted(identifier)), token, plan.patch, body,
                                             false, now, duration, plan.allow_expiry_reset);
    if (plan.dry_run) {
        print_dry_run(context, context.client.patch_request(identifier, body),
                      predict_write(token, body, false, now, duration));
    }
    if (why) {
        throw Error(ErrorKind::usage, *why);
    }
    read.writable = true;
    return read;
}

// One token: PATCH, compare. Returns the stored token.
model::Token write_one(Context& context, const UpdatePlan& plan, const std::string& identifier, const Read& read,
                       BulkNotes& notes, std::vector<Error>& errors) {
    model::Token stored;
    try {
        stored = context.client.patch_token(identifier, body_of(plan, read));
    } catch (const Error& e) {
        if (auto hint = lifetime_hint(e)) {
            note(context, notes.about(identifier, *hint));
        }
        throw;
    }
    if (plan.preserve && !plan.patch.expires && read.expires != stored.expires) {
        if (notes.bulk && stored.intent == "api") {
            ++notes.api_expiries_moved;
        } else {
            note(context, notes.about(identifier, fmt::format("expires moved from {} to {}{}",
                                                              output::timestamp_or_never(read.expires),
                                                              output::timestamp_or_never(stored.expires),
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

void resolve_user(Context& context, UpdatePlan& plan) {
    if (plan.user_name && !plan.patch.user) {
        plan.patch.user = user_pk_by_name(context.client, *plan.user_name);
    }
}

Result run_update(Context& context, const UpdatePlan& plan) {
    const std::size_t count = plan.identifiers.size();
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
    Result result;
    DefaultDuration durations;
    // Every token is read and planned before any is written: one refused token stops them all.
    struct Planned {
        Read read;
        std::vector<Error> errors;
    };
    std::vector<Read> reads(count);
    std::size_t refused = 0;
    const std::function<Planned(std::size_t, Context&)> plan_item = [&](std::size_t index, Context& item) {
        const std::string& identifier = plan.identifiers[index];
        const auto found = listed.find(identifier);
        Planned planned;
        try {
            planned.read =
                plan_one(item, plan, identifier, found == listed.end() ? nullptr : &found->second, durations);
        } catch (const Error& e) {
            // A refusal concerns its token alone, but stops every write after the planning.
            if (count == 1 || !(item_error(e) || e.kind() == ErrorKind::usage)) {
                throw;
            }
            planned.errors.push_back(about_token(e, identifier));
        }
        return planned;
    };
    run_in_order_with<Planned>(context, count, plan_item, [&](std::size_t index, Planned& planned) {
        reads[index] = std::move(planned.read);
        for (Error& error : planned.errors) {
            refused += error.kind() == ErrorKind::usage ? 1 : 0;
            go_on_past(context, result, std::move(error));
        }
    });
    listed.clear();
    if (plan.dry_run) {
        note(context, !plan.preserve && !plan.user_name ? "dry run: nothing was sent"
                      : !plan.preserve                  ? "dry run: nothing was changed; only a GET looked up the user"
                      : count == 1
                          ? "dry run: nothing was changed; only a GET read the token's current intent and user"
                          : "dry run: nothing was changed; only GETs read the tokens' current intent and user");
        return result;
    }
    if (refused > 0) {
        note(context, fmt::format("nothing was changed: {} of {} tokens would be refused", refused, count));
        return result;
    }

    BulkNotes notes;
    notes.bulk = count > 1;
    // The token as stored after its update, and the failures that concern it alone.
    struct Updated {
        std::optional<model::Token> stored;
        std::vector<Error> errors;
    };
    const std::function<Updated(std::size_t, Context&)> update = [&](std::size_t index, Context& item) {
        const std::string& identifier = plan.identifiers[index];
        Updated updated;
        if (!reads[index].writable) {
            return updated;
        }
        try {
            updated.stored = write_one(item, plan, identifier, reads[index], notes, updated.errors);
        } catch (const Error& e) {
            if (count == 1 || !item_error(e)) {
                throw;
            }
            updated.errors.push_back(about_token(e, identifier));
        }
        return updated;
    };
    output::TokenWriter writer(count > 1, context.format, context.style);
    const std::function<void(std::size_t, Updated&)> print = [&](std::size_t, Updated& updated) {
        if (updated.stored) {
            print_token(context, writer, *updated.stored);
        }
        for (Error& error : updated.errors) {
            go_on_past(context, result, std::move(error));
        }
    };
    run_in_order_with(context, count, update, print);
    context.out << writer.finish();
    note_left_out(context, writer.left_out());
    if (const std::size_t moved = notes.api_expiries_moved; moved > 0) {
        note(context, fmt::format("expires moved on {} api token{}{}", moved, moved == 1 ? "" : "s", kApiExpiryReset));
    }
    return result;
}

namespace {

class UpdateCommand final : public Command {
public:
    void define(Arguments& arguments) override {
        bulk_.define(arguments);
        arguments.option("--description", flags_.description, "New description (may be empty)", "TEXT");
        arguments.option("--expires", flags_.expires, "New expiry: RFC 3339, date, duration or never", "WHEN");
        arguments.flag("--expiring", flags_.expiring, "Let the token expire");
        arguments.flag("--no-expiring", flags_.no_expiring, "Keep the token from expiring");
        arguments.option("--intent", flags_.intent, "api or app_password", "INTENT");
        arguments.option("--user", flags_.user, "Owner: a user pk or a username (authentik refuses a change)",
                         "PK|USERNAME");
        arguments.option("--identifier", flags_.new_identifier, "Rename the token", "NEW");
        arguments.option("--managed", flags_.managed, "Set the managed marker", "TEXT");
        arguments.flag("--no-managed", flags_.no_managed, "Clear the managed marker (sends null)");
        arguments.flag("--no-preserve", flags_.no_preserve, "Send only the given fields (no GET, no intent/user)");
        arguments.flag("--dry-run", flags_.dry_run, "Print the request instead of sending it");
        arguments.flag("--strict", flags_.strict, "Fail (exit 7) when the server stores another value than requested");
        arguments.flag("--allow-expiry-reset", flags_.allow_expiry_reset,
                       "Write even where authentik resets or ignores an api token's expiry");
    }

    void prepare(const Preparation& preparation) override {
        bulk_.collect(preparation);
        flags_.identifiers = bulk_.identifiers;
        plan_ = plan_update(flags_, preparation.now);
    }

    int parallel() const override { return bulk_.parallel; }
    Result run(Context& context) override {
        if (bulk_.nothing_to_do()) {
            return nothing_to_do(context, bulk_);
        }
        resolve_user(context, plan_);
        return run_update(context, plan_);
    }

private:
    BulkArguments bulk_;
    UpdateFlags flags_;
    UpdatePlan plan_;
};

}  // namespace

const CommandSpec update_command{"update", "Change fields of tokens with a sparse PATCH",
                                 R"TXT(Only the given fields change. aktoken first reads the token and also sends its
current intent and user, because authentik otherwise turns the token into an api
token owned by the caller (--no-preserve sends only the given fields). authentik
sets the expiry of api tokens itself; aktoken warns when the server stored another
value than requested (--strict makes that an error, exit 7). --dry-run shows the
plan: per token what authentik will store, field by field, and what follows.

Refused (exit 2, only GETs sent): a write that would move an expiring api token's
future expiry to now + the default token duration (authentik does that on every
write; housekeeping then gives it a new key) unless --no-expiring or
--allow-expiry-reset; --expires for an api token (authentik ignores it) unless
--allow-expiry-reset; --expires never on a token that stays expiring (never
expiring is --no-expiring). A bulk update writes nothing if any token is refused.

WHEN for --expires: 2027-01-31T12:00:00Z (offsets allowed), 2027-01-31 (00:00 UTC),
a duration from now (+30d, 12h, 90m, 2w, 1d12h) or never.

Examples:
  aktoken update ci-deploy --description "Deploys from CI"
  aktoken update laptop-mail --expires +30d
  aktoken update old-name --identifier new-name --dry-run
  aktoken update outpost-x --no-managed --strict)TXT",
                                 Phase::client, make_command<UpdateCommand>};

}  // namespace aktoken::commands
