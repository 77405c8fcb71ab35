// SPDX-License-Identifier: MIT
// rotate --overlap: authentik keeps one key per token, so an overlap takes a second token. The
// successor ID--next-T is created, its key read, written to PATH.pending, verified and delivered;
// only then is the old token renamed ID--retired-until-U (keeping its key) and the successor
// renamed ID. Until the first rename nothing of the old token has changed, so any failure there
// rolls back by deleting the successor; after it, a re-run only rolls forward. The names on the
// server are the record of how far a killed run got (model/generations.h).
#include "commands/rotate_overlap.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "aktoken/commands/keys.h"
#include "aktoken/commands/list.h"
#include "aktoken/commands/update.h"
#include "aktoken/model/generations.h"
#include "aktoken/util/files.h"
#include "aktoken/util/lock.h"
#include "aktoken/util/process.h"
#include "aktoken/util/random.h"
#include "aktoken/util/values.h"
#include "commands/rotate_key_file.h"

namespace aktoken::commands {
namespace {

using model::GenerationKind;

// A token and its generations as the server holds them now.
struct Family {
    std::optional<model::Token> current;   // ID itself
    std::optional<Error> missing;          // why ID could not be read (404)
    std::vector<model::Token> successors;  // ID--next-T, oldest first
    std::vector<model::Token> retired;     // ID--retired-until-U
};

Family read_family(Context& context, const std::string& identifier) {
    Family family;
    try {
        family.current = context.client.get_token(identifier);
    } catch (const Error& e) {
        if (e.kind() != ErrorKind::not_found) {
            throw;
        }
        family.missing = e;
    }
    // search is a substring match over several fields: only the exact names count.
    ListPlan plan;
    plan.query = {{"search", identifier + "--"}, {"ordering", "identifier"}, {"page_size", "100"}};
    for_each_listed_page(context, plan, context.style.now, [&](std::vector<model::Token>& page) {
        for (model::Token& token : page) {
            const auto generation = model::parse_generation(token.identifier);
            if (generation && generation->base == identifier) {
                (generation->kind == GenerationKind::successor ? family.successors : family.retired)
                    .push_back(std::move(token));
            }
        }
    });
    return family;
}

std::string subject_of(const std::string& identifier) { return fmt::format("token {}", util::quoted(identifier)); }

// Deletes a token that may already be gone (a prune or authentik's housekeeping got there first).
void delete_if_there(Context& context, const std::string& identifier) {
    try {
        context.client.delete_token(identifier);
    } catch (const Error& e) {
        if (e.kind() != ErrorKind::not_found) {
            throw;
        }
    }
}

// rotate --overlap prunes its own token's generations first, so that they do not pile up where
// no `aktoken prune` runs.
void prune_own(Context& context, Family& family) {
    const util::Timestamp now = context.style.now;
    std::erase_if(family.retired, [&](const model::Token& token) {
        if (model::parse_generation(token.identifier)->time > now) {
            return false;
        }
        // Housekeeping, not the rotation asked for: a failure is told and left to `aktoken prune`.
        try {
            delete_if_there(context, token.identifier);
        } catch (const Error& e) {
            warn(context, fmt::format("could not prune the retired generation {}: {}", util::quoted(token.identifier),
                                      e.what()));
            return false;
        }
        note(context, fmt::format("pruned the retired generation {}", util::quoted(token.identifier)));
        return true;
    });
}

// The tokens a successor cannot stand in for.
void refuse_unless_overlappable(Context& context, const model::Token& token) {
    const std::string subject = subject_of(token.identifier);
    if (token.managed) {
        throw Error(ErrorKind::usage,
                    fmt::format("{} is managed by authentik ({}), which finds it by its own record, not by name: it "
                                "cannot get a successor; rotate it without --overlap",
                                subject, util::quoted(*token.managed)));
    }
    if (token.intent != "api" && token.intent != "app_password") {
        throw Error(ErrorKind::usage, fmt::format("{} is a {} token: only api tokens and app passwords can get a "
                                                  "successor",
                                                  subject, token.intent));
    }
    const std::vector<model::UsedBy> users = context.client.used_by(token.identifier);
    if (!users.empty()) {
        std::string names;
        for (std::size_t i = 0; i < users.size() && i < 3; ++i) {
            names += fmt::format("{}{} {}", i == 0 ? "" : ", ", users[i].model_name, util::quoted(users[i].name));
        }
        throw Error(ErrorKind::usage,
                    fmt::format("{} is used by {} ({}{}), which refer{} to the token itself and would keep the retired "
                                "generation: rotate it without --overlap",
                                subject, users.size() == 1 ? "1 object" : fmt::format("{} objects", users.size()),
                                names, users.size() > 3 ? ", ..." : "", users.size() == 1 ? "s" : ""));
    }
}

// Whether the successor expires: as the token does, unless --no-expiring.
bool successor_expiring(const RotatePlan& plan, const model::Token& token) {
    return token.expiring && !plan.no_expiring;
}

// The body of the successor's create: the same intent, owner, description and expiring.
model::TokenPatch successor_body(Context& context, const RotatePlan& plan, const model::Token& token,
                                 DefaultDuration& durations) {
    const util::Timestamp now = context.style.now;
    const std::string subject = subject_of(token.identifier);
    model::TokenPatch body;
    body.identifier = model::successor_name(token.identifier, now);
    body.intent = token.intent;
    body.user = token.user;
    body.description = token.description;
    const bool expiring = successor_expiring(plan, token);
    if (token.intent == "app_password" && expiring) {
        // plan_rotate refuses --expires never: it leaves the token expiring.
        const std::optional<util::Timestamp> expires = plan.expires ? plan.expires->value : token.expires;
        if (!expires || *expires <= now) {
            throw Error(ErrorKind::usage, fmt::format("{} has expired: give its successor an expiry with --expires "
                                                      "WHEN, or --no-expiring",
                                                      subject));
        }
        body.expires = model::Nullable<util::Timestamp>{false, *expires};
    }
    if (token.intent == "api" && expiring && token.expires) {
        const auto duration = durations.get(context.client);
        if (duration && now + *duration < *token.expires) {
            throw Error(ErrorKind::usage,
                        fmt::format("{} expires {} ({}), but authentik gives a new api token now + its default token "
                                    "duration ({}): the successor would expire first; --no-expiring makes one that "
                                    "never expires",
                                    subject, util::format_timestamp(*token.expires),
                                    util::format_relative(*token.expires, now), duration_words(duration)));
        }
    }
    body.expiring = expiring;
    return body;
}

// Whether a successor a killed run left can take over: made for this token as it is now, as
// this run would make it (a run killed before it fixed `expiring` left it as authentik chose).
bool fits(const model::Token& successor, const RotatePlan& plan, const model::Token& token, util::Timestamp now) {
    return successor.intent == token.intent && successor.user == token.user &&
           successor.description == token.description && !successor.managed &&
           successor.expiring == successor_expiring(plan, token) &&
           (!successor.expiring || (successor.expires && *successor.expires > now));
}

// The successor's key as authentik made it. It goes to a key file, a terminal (--show-key) and a
// delivery command, so only the form authentik generates is taken: letters and digits.
util::Secret successor_key(Context& context, const std::string& successor) {
    util::Secret key = fetch_key(context.client, successor);
    if (!util::is_generated_key_form(key.view())) {
        throw Error(ErrorKind::server,
                    fmt::format("the key view_key gave for {} is not one authentik makes ({} to {} letters and "
                                "digits), so it is not used",
                                util::quoted(successor), util::min_key_length, util::max_key_length));
    }
    return key;
}

// Removes a successor after a failure before the first rename: the old token is untouched.
void roll_back(Context& context, const std::string& successor, const std::optional<std::string>& pending) {
    if (pending) {
        ::unlink(pending->c_str());
    }
    try {
        delete_if_there(context, successor);
    } catch (const Error& e) {
        warn(context, fmt::format("could not delete the successor {} ({}); the next run takes it up again",
                                  util::quoted(successor), e.what()));
    }
}

model::Token create_successor(Context& context, const model::Token& token, const model::TokenPatch& body) {
    model::Token made;
    try {
        made = context.client.create_token(body);
    } catch (const Error& e) {
        // The old expiry may be later than its owner may keep an app password made now.
        if (auto hint = lifetime_hint(e)) {
            note(context, fmt::format("the successor of {}: {}", subject_of(token.identifier), *hint));
        }
        throw;
    }
    // A non-superuser's create takes `expiring` from the owner's attribute, not from the body.
    if (made.expiring != *body.expiring) {
        model::TokenPatch fix;
        preserve_owner_and_intent(fix, made);
        fix.expiring = body.expiring;
        fix.expires = body.expires;
        try {
            made = context.client.patch_token(made.identifier, fix);
        } catch (const Error&) {
            roll_back(context, made.identifier, std::nullopt);
            throw;
        }
    }
    // Without the default token duration the successor's expiry is only known now.
    if (made.intent == "api" && made.expiring && token.expires && made.expires && *made.expires < *token.expires) {
        roll_back(context, made.identifier, std::nullopt);
        throw Error(ErrorKind::rejected,
                    fmt::format("{} expires {}, but authentik gave its successor {}: it would expire first, so it was "
                                "deleted; --no-expiring makes one that never expires",
                                subject_of(token.identifier), util::format_timestamp(*token.expires),
                                util::format_timestamp(*made.expires)));
    }
    return made;
}

// The old generation keeps its key until `until` under a new name. authentik resets an api
// token's expiry on every write, so a retired api token is made non-expiring (prune deletes it);
// a retired app password expires at `until` (authentik deletes it then), unless that is beyond
// its owner's maximum lifetime.
model::Token retire(Context& context, const model::Token& token, const std::string& name, util::Timestamp until) {
    model::TokenPatch patch;
    patch.identifier = name;
    preserve_owner_and_intent(patch, token);
    if (token.expiring && token.intent == "api") {
        patch.expiring = false;
    } else if (token.expiring) {
        patch.expires = model::Nullable<util::Timestamp>{false, until};
        try {
            return context.client.patch_token(token.identifier, patch);
        } catch (const Error& e) {
            if (!lifetime_hint(e)) {
                throw;
            }
        }
        note(context, fmt::format("{} may not expire as late as {} (its owner's maximum lifetime): its retired "
                                  "generation never expires, and `aktoken prune` deletes it",
                                  subject_of(token.identifier), util::format_timestamp(until)));
        patch.expires.reset();
        patch.expiring = false;
    }
    return context.client.patch_token(token.identifier, patch);
}

model::Token promote(Context& context, const model::Token& successor, const std::string& identifier) {
    model::TokenPatch patch;
    patch.identifier = identifier;
    preserve_owner_and_intent(patch, successor);
    return context.client.patch_token(successor.identifier, patch);
}

// A retired name no generation has yet: two rotations within a minute would otherwise collide.
std::pair<std::string, util::Timestamp> free_retired_name(const Family& family, const std::string& identifier,
                                                          util::Timestamp until) {
    for (;;) {
        std::string name = model::retired_name(identifier, until);
        if (std::none_of(family.retired.begin(), family.retired.end(),
                         [&](const model::Token& token) { return token.identifier == name; })) {
            return {name, until};
        }
        until += std::chrono::minutes(1);
    }
}

std::string token_lock_path(const std::string& directory, const std::string& base_url, const std::string& identifier) {
    // One lock per server and token; the URL is hashed (FNV-1a) into a name any file system takes.
    std::uint64_t hash = 14695981039346656037ULL;
    for (const char c : base_url) {
        hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
    }
    for (std::size_t at = directory.find('/', 1);; at = directory.find('/', at + 1)) {
        const std::string prefix = directory.substr(0, at);
        if (::mkdir(prefix.c_str(), 0700) != 0 && errno != EEXIST) {
            throw Error(ErrorKind::config,
                        fmt::format("cannot create the lock directory {}: {}", prefix, std::strerror(errno)));
        }
        if (at == std::string::npos) {
            break;
        }
    }
    return fmt::format("{}/rotate-{:016x}-{}.lock", directory, hash, identifier);
}

}  // namespace

void check_rotatable_name(const std::string& identifier) {
    if (identifier.size() > model::kMaxRotatableIdentifierLength) {
        throw Error(
            ErrorKind::usage,
            fmt::format("token identifier {} is too long for --overlap: its retired generation's name would "
                        "pass authentik's {} characters (at most {})",
                        util::quoted(identifier), model::kMaxIdentifierLength, model::kMaxRotatableIdentifierLength));
    }
    if (const auto generation = model::parse_generation(identifier)) {
        throw Error(ErrorKind::usage,
                    fmt::format("{} is a {} generation of token {}: rotate {} itself", util::quoted(identifier),
                                generation->kind == GenerationKind::retired ? "retired" : "successor",
                                util::quoted(generation->base), util::quoted(generation->base)));
    }
}

std::optional<std::string> overlap_lock_directory(const config::Environment& environment) {
    for (const char* name : {"XDG_RUNTIME_DIR", "XDG_STATE_HOME"}) {
        // The XDG spec says relative values are invalid and to be ignored.
        if (const auto value = environment(name); value && value->front() == '/') {
            return *value + "/aktoken";
        }
    }
    if (const auto home = environment("HOME"); home && home->front() == '/') {
        return *home + "/.local/state/aktoken";
    }
    return std::nullopt;
}

std::optional<std::string> deliver_key(const RotatePlan& plan, const std::string& identifier, std::string_view key,
                                       const std::optional<util::Timestamp>& expires) {
    util::ShellCommand command;
    command.command = *plan.exec;
    command.input = key;
    command.set_env = {{"AKTOKEN_IDENTIFIER", identifier},
                       {"AKTOKEN_EXPIRES", expires ? util::format_timestamp(*expires) : ""}};
    // The run's own credential is no business of the consumer's.
    command.unset_env = {"AUTHENTIK_TOKEN"};
    command.timeout = plan.exec_timeout;
    const util::ProcessEnd end = util::run_shell_command(command);
    if (end.succeeded()) {
        return std::nullopt;
    }
    return fmt::format("--exec {} {}", util::quoted(*plan.exec), end.describe());
}

Rotation rotate_with_overlap(Context& context, const RotatePlan& plan, const std::string& identifier,
                             DefaultDuration& durations) {
    const util::Timestamp now = context.style.now;
    const std::string subject = subject_of(identifier);
    Rotation rotation{identifier, "rotated", "", std::nullopt, "", std::nullopt, "", std::nullopt};
    std::optional<std::string> path;
    std::optional<std::string> pending;
    // One lock per token, whatever the key file: two runs on one token would take each other's
    // successor for one a killed run left. PATH.lock besides, as every rotation to PATH holds it.
    std::optional<util::FileLock> token_lock;
    std::optional<util::FileLock> key_file_lock;
    if (plan.lock_directory) {
        token_lock.emplace(token_lock_path(*plan.lock_directory, context.client.base_url(), identifier),
                           plan.lock_timeout);
    }
    if (plan.key_file) {
        path = key_file_for(*plan.key_file, identifier);
        pending = pending_path(*path);
        if (!plan.lock || !same_path(*plan.lock, lock_path(*path))) {
            key_file_lock.emplace(lock_path(*path), plan.lock_timeout);
        }
    }
    std::optional<util::Secret> pending_key = pending ? read_pending_key(*pending) : std::nullopt;
    Family family = read_family(context, identifier);
    prune_own(context, family);

    // The last steps of every rotation: the key file's rename and the report.
    const auto finish = [&](util::Secret key, const model::Token& promoted, const std::string& retired_as,
                            std::string reason) {
        if (path) {
            if (!pending_key || pending_key->view() != key.view()) {
                write_key_file(*pending, key.view());
            }
            util::rename_durably(*pending, *path);
            rotation.key_went_to = *path;
        }
        if (plan.show_key) {
            rotation.key_went_to += rotation.key_went_to.empty() ? "stdout" : ", stdout";
            rotation.key = std::move(key);
        }
        // authentik sets an api token's `expires` on every write, expiring or not.
        rotation.expires = promoted.expiring ? promoted.expires : std::nullopt;
        rotation.retired = retired_as;
        rotation.reason = std::move(reason);
        if (const auto generation = model::parse_generation(retired_as)) {
            rotation.retired_until = generation->time;
            rotation.reason +=
                fmt::format("; the old key works until {} as {}", util::format_timestamp(generation->time), retired_as);
        }
    };
    const std::string newest_retired = family.retired.empty() ? "" : family.retired.back().identifier;

    // Killed between the two renames: the old token is retired, the successor not renamed yet.
    if (!family.current) {
        if (family.successors.empty() || family.retired.empty()) {
            throw *family.missing;
        }
        const model::Token& successor = family.successors.back();
        util::Secret key = successor_key(context, successor.identifier);
        const model::Token promoted = promote(context, successor, identifier);
        note(context, fmt::format("completed the interrupted rotation of {}: {} took over its name", subject,
                                  util::quoted(successor.identifier)));
        finish(std::move(key), promoted, newest_retired, "completed the interrupted rotation");
        return rotation;
    }
    const model::Token& token = *family.current;

    // A PATH.pending the token itself holds: killed after the renames, before the key file's.
    if (pending_key && family.successors.empty()) {
        util::Secret key = fetch_key(context.client, identifier);
        if (key.view() == pending_key->view()) {
            note(context, fmt::format("completed the interrupted rotation of {} from {}", subject, *pending));
            finish(std::move(key), token, newest_retired, "completed the interrupted rotation");
            return rotation;
        }
        ::unlink(pending->c_str());
        note(context, fmt::format("removed {}: no generation of {} holds its key", *pending, subject));
        pending_key.reset();
    }

    refuse_unless_overlappable(context, token);

    // A successor a killed run left before the first rename is taken up again when it still fits
    // (its key may have been delivered already); any other is removed.
    std::optional<model::Token> successor;
    for (auto it = family.successors.rbegin(); it != family.successors.rend(); ++it) {
        if (!successor && fits(*it, plan, token, now)) {
            successor = *it;
            note(context,
                 fmt::format("taking up the successor {} an interrupted run left", util::quoted(it->identifier)));
            continue;
        }
        delete_if_there(context, it->identifier);
        note(context, fmt::format("removed the successor {} an interrupted run left", util::quoted(it->identifier)));
    }
    std::string reason = "completed the interrupted rotation";
    if (!successor) {
        std::string skip_reason;
        const std::optional<std::string> due = due_reason(plan, token, now, skip_reason);
        if (!due) {
            rotation.result = "skipped";
            rotation.reason = skip_reason;
            rotation.expires = token.expires;
            return rotation;
        }
        reason = *due;
        successor = create_successor(context, token, successor_body(context, plan, token, durations));
    }

    // Until the old token is renamed, every failure rolls back to it alone.
    util::Secret key;
    try {
        key = successor_key(context, successor->identifier);
        if (pending) {
            write_key_file(*pending, key.view());
            pending_key = util::Secret(std::string(key.view()));
        }
        if (token.intent == "api") {
            const model::User owner = context.client.me_as(key.view());
            if (owner.pk != token.user) {
                throw Error(ErrorKind::server,
                            fmt::format("the key of the successor {} authenticates user {}, not "
                                        "the owner of {} (pk {})",
                                        util::quoted(successor->identifier), owner.pk, subject, token.user));
            }
        }
    } catch (const Error& e) {
        roll_back(context, successor->identifier, pending);
        throw Error(e.kind(),
                    fmt::format("{}; rolled back: the successor {} was deleted and {} keeps its key", e.what(),
                                util::quoted(successor->identifier), subject),
                    e.status(), e.fields());
    }
    if (plan.exec) {
        if (auto failure =
                deliver_key(plan, identifier, key.view(), successor->expiring ? successor->expires : std::nullopt)) {
            roll_back(context, successor->identifier, pending);
            throw Error(ErrorKind::delivery, fmt::format("{}; rolled back: the successor {} was deleted and {} "
                                                         "keeps its key",
                                                         *failure, util::quoted(successor->identifier), subject));
        }
    }

    const auto [retired_as, until] = free_retired_name(family, identifier, model::retired_until(now, *plan.overlap));
    retire(context, token, retired_as, until);
    const model::Token promoted = promote(context, *successor, identifier);
    if (promoted.intent == "api" && promoted.expiring && promoted.expires &&
        *promoted.expires <= now + std::chrono::hours(24)) {
        warn(context,
             fmt::format("the new key of {} expires {} ({}): authentik's housekeeping then gives it another key; "
                         "--no-expiring makes a successor that never expires",
                         subject, util::format_timestamp(*promoted.expires),
                         util::format_relative(*promoted.expires, now)));
    }
    finish(std::move(key), promoted, retired_as, reason);
    return rotation;
}

}  // namespace aktoken::commands
