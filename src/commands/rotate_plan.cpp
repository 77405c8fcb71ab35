// SPDX-License-Identifier: MIT
// rotate's flags checked into a plan, before anything is sent.
#include <fmt/format.h>

#include "aktoken/commands/rotate.h"
#include "aktoken/commands/token_fields.h"
#include "aktoken/commands/write_rules.h"
#include "aktoken/util/random.h"
#include "aktoken/util/values.h"
#include "commands/rotate_key_file.h"
#include "commands/rotate_overlap.h"

namespace aktoken::commands {

std::string key_file_for(const std::string& pattern, const std::string& identifier) {
    std::string path = pattern;
    for (std::size_t at = path.find("{}"); at != std::string::npos; at = path.find("{}", at + identifier.size())) {
        path.replace(at, 2, identifier);
    }
    return path;
}

RotatePlan plan_rotate(const RotateFlags& flags, util::Timestamp now) {
    RotatePlan plan;
    check_identifiers(flags.identifiers);
    plan.identifiers = flags.identifiers;
    if (flags.if_expiring_within) {
        plan.if_expiring_within = util::parse_duration(*flags.if_expiring_within);
        if (!plan.if_expiring_within) {
            util::invalid_value("--if-expiring-within", *flags.if_expiring_within, util::duration_expected);
        }
    }
    if (flags.length) {
        std::string problem;
        const auto length =
            util::parse_count(*flags.length,
                              {static_cast<std::int64_t>(util::min_key_length),
                               static_cast<std::int64_t>(util::max_key_length), "a number of characters"},
                              &problem);
        if (!length) {
            util::invalid_value("--length", *flags.length, problem);
        }
        plan.length = static_cast<std::size_t>(*length);
    }
    if (flags.overlap) {
        plan.overlap = util::parse_duration(*flags.overlap);
        if (!plan.overlap || *plan.overlap < std::chrono::minutes(1)) {
            util::invalid_value("--overlap", *flags.overlap, "expected a duration of at least 1m, such as 7d or 12h");
        }
        if (flags.length) {
            throw Error(ErrorKind::usage,
                        "--length does not apply with --overlap: authentik makes the successor's key itself");
        }
        for (const std::string& identifier : flags.identifiers) {
            check_rotatable_name(identifier);
        }
    } else if (flags.no_expiring) {
        throw Error(ErrorKind::usage, "--no-expiring needs --overlap: it is how the successor token is made");
    }
    plan.no_expiring = flags.no_expiring;
    if (flags.exec) {
        if (flags.exec->find_first_not_of(" \t") == std::string::npos) {
            util::invalid_value("--exec", *flags.exec, "expected a shell command, run as /bin/sh -c CMD");
        }
        plan.exec = flags.exec;
    }
    if (flags.exec_timeout) {
        std::string problem;
        const auto seconds = util::parse_seconds(*flags.exec_timeout, {false, 86400}, &problem);
        if (!seconds) {
            util::invalid_value("--exec-timeout", *flags.exec_timeout, problem);
        }
        if (!flags.exec) {
            throw Error(ErrorKind::usage, "--exec-timeout needs --exec CMD");
        }
        plan.exec_timeout = std::chrono::milliseconds(static_cast<std::int64_t>(*seconds * 1000));
    }
    // --exec alone suffices only with --overlap: a failed delivery is rolled back there, while an
    // in-place rotation has already replaced the key and must keep it somewhere.
    if (!flags.key_file && !flags.show_key && !(flags.exec && flags.overlap)) {
        throw Error(ErrorKind::usage,
                    "rotate needs --key-file PATH, --show-key or both (or --exec CMD with "
                    "--overlap): the new key must go somewhere");
    }
    if (flags.key_file) {
        if (flags.key_file->empty()) {
            util::invalid_value("--key-file", *flags.key_file, "expected a file path");
        }
        if (flags.identifiers.size() > 1 && flags.key_file->find("{}") == std::string::npos) {
            util::invalid_value("--key-file", *flags.key_file,
                                "rotating several tokens needs {} in the path, replaced by each identifier");
        }
        for (const std::string& identifier : flags.identifiers) {
            check_key_files(*flags.key_file, key_file_for(*flags.key_file, identifier));
        }
        plan.key_file = flags.key_file;
    }
    plan.show_key = flags.show_key;
    if (flags.expires) {
        plan.expires = expires_value("--expires", *flags.expires, now);
        model::TokenPatch renewal;
        renewal.intent = "app_password";
        renewal.expires = plan.expires;
        if (auto why = refusal("--expires", nullptr, renewal, renewal, false, now, std::nullopt, false)) {
            throw Error(ErrorKind::usage, *why + " (aktoken update)");
        }
    }
    plan.verify = flags.verify;
    plan.lock = flags.lock;
    if (flags.lock_timeout) {
        std::string problem;
        const auto seconds = util::parse_seconds(*flags.lock_timeout, {true, 86400}, &problem);
        if (!seconds) {
            util::invalid_value("--lock-timeout", *flags.lock_timeout, problem);
        }
        plan.lock_timeout = std::chrono::milliseconds(static_cast<std::int64_t>(*seconds * 1000));
        if (!flags.lock && !flags.key_file && !flags.overlap) {
            throw Error(ErrorKind::usage,
                        "--lock-timeout needs --lock FILE, --key-file PATH (whose PATH.lock every rotation takes) or "
                        "--overlap (which locks each token)");
        }
    }
    if (plan.overlap) {
        if (!flags.lock_directory && !plan.key_file) {
            throw Error(ErrorKind::config,
                        "--overlap without --key-file keeps a lock file per token in "
                        "$XDG_RUNTIME_DIR, $XDG_STATE_HOME or ~/.local/state: set one of them");
        }
        plan.lock_directory = flags.lock_directory;
    }
    return plan;
}

}  // namespace aktoken::commands
