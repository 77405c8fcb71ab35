// SPDX-License-Identifier: MIT
#include "aktoken/commands/rotate.h"

#include <fmt/format.h>

#include "aktoken/commands/keys.h"
#include "aktoken/commands/parallel.h"
#include "aktoken/commands/token_fields.h"
#include "aktoken/commands/update.h"
#include "aktoken/commands/write_rules.h"
#include "aktoken/output/records.h"
#include "aktoken/util/files.h"
#include "aktoken/util/lock.h"
#include "aktoken/util/random.h"
#include "aktoken/util/strings.h"
#include "aktoken/util/values.h"
#include "commands/rotate_key_file.h"
#include "commands/rotate_overlap.h"
#include "commands/specs.h"

namespace aktoken::commands {

std::optional<std::string> due_reason(const RotatePlan& plan, const model::Token& token, util::Timestamp now,
                                      std::string& skip_reason) {
    if (!plan.if_expiring_within) {
        return "requested";
    }
    if (!token.expiring || !token.expires) {
        skip_reason = "does not expire";
        return std::nullopt;
    }
    const std::string left = util::format_relative(*token.expires, now);
    const std::string window = util::format_duration(*plan.if_expiring_within);
    if (*token.expires > now + *plan.if_expiring_within) {
        skip_reason = fmt::format("expires {}, not within {}", left, window);
        return std::nullopt;
    }
    return *token.expires <= now ? left : fmt::format("expires {}, within {}", left, window);
}

namespace {

// After set_key the old key of an api token is dead. If it was ours, the next request fails
// authentication: switch to the new key and prove it works.
std::string switch_if_own_token(Context& context, const RotatePlan& plan, const model::Token& token,
                                const util::Secret& key) {
    if (token.intent != "api") {
        if (plan.verify) {
            note(context, fmt::format("--verify: token {} is an {} token, which cannot authenticate API calls",
                                      util::quoted(token.identifier), token.intent));
        }
        return {};
    }
    try {
        context.client.me();
    } catch (const Error& e) {
        if (e.kind() != ErrorKind::auth) {
            throw;
        }
        context.client.use_token(util::Secret(std::string(key.view())));
        context.client.me();
        return "; aktoken now authenticates with the new key (verified)";
    }
    if (plan.verify) {
        context.client.me_as(key.view());
        return "; the new key works (verified)";
    }
    return {};
}

// Renews an expiring token's expiry, but only where the write lengthens its life: authentik
// sets an api token's expiry to now + its default duration on every write, which for a token
// with months left is a lockout half an hour later. An app password gets the --expires asked for.
// set_key alone leaves the expiry as it is.
std::optional<util::Timestamp> renew_expiry(Context& context, const RotatePlan& plan, const model::Token& token,
                                            DefaultDuration& durations) {
    const util::Timestamp now = context.style.now;
    if (!token.expiring) {
        return token.expires;
    }
    model::TokenPatch patch;
    preserve_owner_and_intent(patch, token);
    if (token.intent == "app_password") {
        if (!plan.expires) {
            return token.expires;
        }
        patch.expires = *plan.expires;
    } else if (token.intent != "api" || (resets_future_expiry(token, patch, now, std::nullopt) &&
                                         resets_future_expiry(token, patch, now, durations.get(context.client)))) {
        return token.expires;
    }
    model::Token stored;
    try {
        stored = context.client.patch_token(token.identifier, patch);
    } catch (const Error& e) {
        if (auto hint = lifetime_hint(e)) {
            note(context, fmt::format("token {}: {}", util::quoted(token.identifier), *hint));
        }
        throw;
    }
    model::TokenPatch asked;
    asked.expires = patch.expires;
    for (const Override& override_ : find_overrides(asked, stored)) {
        warn(context, describe(override_));
    }
    return stored.expires;
}

// A rotated key that expires soon is the lockout rotate exists to prevent: say so.
void warn_if_expiring_soon(Context& context, const RotatePlan& plan, const model::Token& token,
                           const std::optional<util::Timestamp>& expires) {
    const util::Timestamp now = context.style.now;
    if (!token.expiring || !expires) {
        return;
    }
    std::string within;
    if (plan.if_expiring_within && *expires <= now + *plan.if_expiring_within) {
        within = "within --if-expiring-within " + util::format_duration(*plan.if_expiring_within);
    } else if (*expires <= now + std::chrono::hours(24)) {
        within = "within a day";
    } else {
        return;
    }
    warn(context,
         fmt::format("token {} expires {} ({}), {}: {}; {}", util::quoted(token.identifier),
                     util::format_timestamp(*expires), util::format_relative(*expires, now), within,
                     token.intent == "api" ? "authentik's housekeeping then gives it another key"
                                           : "authentik's housekeeping then deletes it",
                     token.intent == "api"
                         ? fmt::format("`aktoken update {} --no-expiring` keeps it from expiring", token.identifier)
                         : "rotate it with --expires to renew it"));
}

Rotation rotate_one(Context& context, const RotatePlan& plan, const std::string& identifier, Result& result,
                    DefaultDuration& durations) {
    Rotation rotation{identifier, "rotated", "", std::nullopt, "", std::nullopt, "", std::nullopt};
    std::optional<std::string> path;
    std::optional<util::FileLock> key_file_lock;
    if (plan.key_file) {
        path = key_file_for(*plan.key_file, identifier);
        // Held from before PATH.pending is read until after the rename: a second run would take
        // this run's PATH.pending for an interrupted rotation and send its key too.
        if (!plan.lock || !same_path(*plan.lock, lock_path(*path))) {
            key_file_lock.emplace(lock_path(*path), plan.lock_timeout);
        }
        complete_pending(context, identifier, *path);
    }
    const model::Token token = context.client.get_token(identifier);
    std::string skip_reason;
    std::optional<std::string> reason = due_reason(plan, token, context.style.now, skip_reason);
    if (!reason) {
        rotation.result = "skipped";
        rotation.reason = skip_reason;
        rotation.expires = token.expires;
        return rotation;
    }
    rotation.reason = *reason;
    // Renewed before the key changes: a housekeeping run or a failed PATCH after set_key would
    // give an expired api token another key than the one just written.
    rotation.expires = renew_expiry(context, plan, token, durations);
    warn_if_expiring_soon(context, plan, token, rotation.expires);

    util::Secret key = util::random_key(plan.length);
    std::optional<std::string> pending;
    if (path) {
        pending = pending_path(*path);
        write_key_file(*pending, key.view());
    }
    try {
        send_key_confirmed(context, identifier, key.view(), pending);
    } catch (const Error& e) {
        // Without a key file the key must still reach the user: the server may hold it.
        if (path || !plan.show_key || refused(e)) {
            throw;
        }
        result.errors.push_back(e);
        rotation.result = "failed";
        rotation.key_went_to = "stdout";
        rotation.key = std::move(key);
        rotation.reason = "outcome unknown: the server may hold the key shown";
        return rotation;
    }
    if (path) {
        util::rename_durably(*pending, *path);
        rotation.key_went_to = *path;
    }
    if (plan.show_key) {
        rotation.key_went_to += rotation.key_went_to.empty() ? "stdout" : ", stdout";
    }
    // The server holds the new key now: whatever fails from here on, the key must still be shown.
    if (plan.exec) {
        if (auto failure = deliver_key(plan, identifier, key.view(), rotation.expires)) {
            result.errors.emplace_back(
                ErrorKind::delivery,
                fmt::format("{}: token {} has its new key already, and an in-place rotation cannot be rolled back "
                            "(--overlap can): the key is {}",
                            *failure, util::quoted(identifier),
                            path ? fmt::format("in {}{}", *path, plan.show_key ? " and on standard output" : "")
                                 : "on standard output"));
            rotation.reason += "; --exec failed";
        }
    }
    try {
        rotation.reason += switch_if_own_token(context, plan, token, key);
    } catch (const Error& e) {
        result.errors.push_back(e);
        rotation.reason += "; the key was rotated, but then: " + std::string(e.what());
    }
    if (plan.show_key) {
        rotation.key = std::move(key);
    }
    return rotation;
}

output::Record record_of(const Rotation& r, bool show_key, bool overlap) {
    output::Record record;
    record.add("identifier", output::Value::string(r.identifier));
    record.add("result", output::Value::string(r.result));
    record.add("reason", output::Value::string(r.reason));
    record.add("expires", r.expires ? output::Value::string(util::format_timestamp(*r.expires))
                                    : output::Value::null(r.result == "failed" ? "-" : "never"));
    if (overlap) {
        record.add("retired_until", r.retired_until ? output::Value::string(util::format_timestamp(*r.retired_until))
                                                    : output::Value::null());
        record.add("retired", r.retired.empty() ? output::Value::null() : output::Value::string(r.retired));
    }
    record.add("key_went_to", r.key_went_to.empty() ? output::Value::null() : output::Value::string(r.key_went_to));
    if (r.key) {
        record.add("key", output::Value::string(std::string(r.key->view())));
    } else if (show_key) {
        record.add_text("key", "-");
    }
    return record;
}

// Where a key shown on stdout can still be had when stdout fails.
std::string recovery_of(const Rotation& rotation) {
    if (rotation.key_went_to != "stdout") {
        return fmt::format("it is also in {}", rotation.key_went_to.substr(0, rotation.key_went_to.rfind(", stdout")));
    }
    if (rotation.result == "failed") {
        return fmt::format("the server may hold it: read it with `aktoken view-key {}`", rotation.identifier);
    }
    return view_key_recovery(rotation.identifier);
}

// Prints the rotations; the keys stdout could not take come back as errors saying where else
// each key is.
std::vector<Error> print_rotations(Context& context, const RotatePlan& plan, const std::vector<Rotation>& rotations) {
    for (const Rotation& rotation : rotations) {
        if (rotation.key) {
            mask_key(context, plan.mask_for_github, rotation.key->view());
        }
    }
    output::View view;
    view.columns = {{"identifier", "identifier"},
                    {"result", "result"},
                    {"expires", "expires"},
                    {"key_went_to", "key_went_to"},
                    {"reason", "reason"}};
    if (plan.overlap) {
        view.columns.insert(view.columns.begin() + 3, {"retired_until", "retired_until"});
    }
    view.tsv = true;
    view.tsv_columns = view.columns;
    if (plan.overlap) {
        view.tsv_columns.insert(view.tsv_columns.begin() + 4, {"retired", "retired"});
    }
    if (plan.show_key) {
        view.tsv_columns.push_back({"key", "key"});
        view.below = {"key", "key"};
    }
    view.id_field = "identifier";
    // The records, the writer and the text may hold keys.
    output::RecordWriter writer(context.format, context.style, view);
    std::string text;
    for (const Rotation& rotation : rotations) {
        // --quiet: a nightly run that rotated nothing prints nothing (cron mails no output).
        if (context.quiet && rotation.result == "skipped") {
            continue;
        }
        output::Record record = record_of(rotation, plan.show_key, plan.overlap.has_value());
        text += writer.add(record);
        record.wipe();
    }
    text += writer.finish();
    writer.wipe();
    const std::optional<std::string> failure = print_key_text(context, text);
    util::wipe(text);
    std::vector<Error> undelivered;
    for (const Rotation& rotation : rotations) {
        if (failure && rotation.key) {
            undelivered.push_back(
                undelivered_key(fmt::format("the new key of token {}", util::quoted(rotation.identifier)), *failure,
                                recovery_of(rotation)));
        }
    }
    return undelivered;
}

}  // namespace

Result run_rotate(Context& context, const RotatePlan& plan) {
    std::optional<util::FileLock> lock;
    if (plan.lock) {
        lock.emplace(*plan.lock, plan.lock_timeout);
    }
    const std::size_t count = plan.identifiers.size();
    std::vector<Rotation> rotations(count);
    std::vector<Result> results(count);
    DefaultDuration durations;
    run_in_order(context, count, [&](std::size_t index, Context& item) {
        const std::string& identifier = plan.identifiers[index];
        try {
            rotations[index] = plan.overlap ? rotate_with_overlap(item, plan, identifier, durations)
                                            : rotate_one(item, plan, identifier, results[index], durations);
        } catch (const Error& e) {
            results[index].errors.push_back(e);
            rotations[index] = {identifier, "failed", e.what(), std::nullopt, "", std::nullopt, "", std::nullopt};
        }
    });
    Result result;
    for (std::size_t index = 0; index < count; ++index) {
        for (Error& error : results[index].errors) {
            result.errors.push_back(count > 1 ? about_token(std::move(error), plan.identifiers[index])
                                              : std::move(error));
        }
    }
    for (Error& error : print_rotations(context, plan, rotations)) {
        result.errors.push_back(std::move(error));
    }
    return result;
}

namespace {

class RotateCommand final : public Command {
public:
    void define(Arguments& arguments) override {
        bulk_.define(arguments);
        arguments.option("--key-file", flags_.key_file, "Write the new key to PATH ({} = identifier)", "PATH");
        arguments.flag("--show-key", flags_.show_key, "Print the new key on stdout");
        arguments.option("--if-expiring-within", flags_.if_expiring_within,
                         "Rotate only tokens expiring within DURATION (or expired)", "DURATION");
        arguments.option("--length", flags_.length, "Key length, 32 to 512 (default 60)", "N");
        arguments.option("--expires", flags_.expires, "New expiry of app passwords: RFC 3339, date, duration or never",
                         "WHEN");
        arguments.flag("--verify", flags_.verify, "Check that a new api key authenticates (users/me)");
        arguments.option("--lock", flags_.lock, "Hold an exclusive lock on FILE for the whole run", "FILE");
        arguments.option("--lock-timeout", flags_.lock_timeout,
                         "Wait this long for PATH.lock and --lock, then exit 10 (default 0)", "SECONDS");
        arguments.option("--overlap", flags_.overlap,
                         "Zero downtime: a successor token takes the name; the old key works DURATION longer",
                         "DURATION");
        arguments.flag("--no-expiring", flags_.no_expiring, "With --overlap: the successor never expires");
        arguments.option("--exec", flags_.exec, "Deliver each new key on the stdin of /bin/sh -c CMD", "CMD");
        arguments.option("--exec-timeout", flags_.exec_timeout, "Kill --exec after this long (default 60)", "SECONDS");
    }

    void prepare(const Preparation& preparation) override {
        bulk_.collect(preparation);
        flags_.identifiers = bulk_.identifiers;
        flags_.lock_directory = overlap_lock_directory(preparation.environment);
        plan_ = plan_rotate(flags_, preparation.now);
        plan_.mask_for_github = masks_keys(preparation);
    }

    int parallel() const override { return bulk_.parallel; }
    Result run(Context& context) override {
        return bulk_.nothing_to_do() ? nothing_to_do(context, bulk_) : run_rotate(context, plan_);
    }

private:
    BulkArguments bulk_;
    RotateFlags flags_;
    RotatePlan plan_;
};

}  // namespace

const CommandSpec rotate_command{
    "rotate", "Give tokens new keys without locking anyone out",
    R"TXT(Rotation never locks anyone out: an expiring token's expiry is renewed first where
that lengthens its life (an expired api token or one expiring before now + the
default token duration; app passwords: to --expires), else set_key alone keeps it;
with --key-file the new key is then written to
PATH.pending (mode 0600), sent with set_key and renamed over PATH, all under an
exclusive lock on PATH.lock. A run that finds PATH.pending completes that rotation
first, trusting it only as aktoken writes it (a regular file of yours, mode 0600,
one key of 32 to 512 letters and digits); anything else exits 3 and sends nothing.
When the rotated token is the one aktoken authenticates with, the rest of the run
uses the new key and checks it with users/me. With several tokens, {} in
--key-file stands for the identifier. Under GITHUB_ACTIONS=true each printed key
is first masked with ::add-mask::KEY on stderr. Exit 10: PATH.lock or the --lock
file is held by another run.

--overlap DURATION: zero downtime. A successor ID--next-TIME (same intent, owner,
description, expiring) gets a key from authentik, which is written, checked with
users/me and delivered (--exec); only then is the old token renamed
ID--retired-until-TIME, keeping its key for DURATION (until `aktoken prune`), and
the successor renamed ID. A failing --exec before that rolls back (exit 12). Refused
for managed tokens, tokens in use (used_by) and recovery/verification tokens. A
killed run is finished by the next one. --exec CMD gets the key on stdin only.

Examples:
  aktoken rotate ci-deploy --key-file /etc/ci/ak.key --if-expiring-within 7d --lock /run/lock/aktoken
  aktoken rotate ci-a ci-b --key-file '/etc/ci/{}.key'
  aktoken rotate laptop-mail --show-key --expires +30d
  aktoken rotate deploy-bot --overlap 7d --exec 'gh secret set AUTHENTIK_TOKEN')TXT",
    Phase::client, make_command<RotateCommand>};

}  // namespace aktoken::commands
