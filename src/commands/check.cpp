// SPDX-License-Identifier: MIT
#include "aktoken/commands/check.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <iterator>
#include <utility>

#include "aktoken/commands/get.h"
#include "aktoken/commands/parallel.h"
#include "aktoken/commands/token_fields.h"
#include "aktoken/model/generations.h"
#include "aktoken/output/records.h"
#include "aktoken/util/files.h"
#include "aktoken/util/strings.h"
#include "aktoken/util/values.h"
#include "commands/check_rows.h"
#include "commands/specs.h"

namespace aktoken::commands {
namespace checking {
namespace {

// The until-time of a retired generation, from its name; nullopt for any other token.
std::optional<util::Timestamp> retired_until(const std::string& identifier) {
    const auto generation = model::parse_generation(identifier);
    if (!generation || generation->kind != model::GenerationKind::retired) {
        return std::nullopt;
    }
    return generation->time;
}

}  // namespace

std::optional<util::Timestamp> expiry(bool expiring, const std::optional<util::Timestamp>& expires) {
    if (!expiring || !expires) {
        return std::nullopt;
    }
    return expires;
}

// A retired app password expires at its until-time: that is no news.
std::optional<util::Timestamp> expiry(const Checked& token) {
    return token.retired_until ? std::nullopt : expiry(token.expiring, token.expires);
}

Checked checked(const model::Token& token, TokenState state) {
    Checked kept{token.identifier,
                 token.intent,
                 std::nullopt,
                 token.expires,
                 token.expiring,
                 state,
                 retired_until(token.identifier)};
    if (token.user_obj) {
        kept.username = token.user_obj->username;
    }
    return kept;
}

}  // namespace checking

namespace {

using checking::Checked;
using checking::checked;
using checking::expiry;
using std::chrono::seconds;

constexpr const char* kNotFound = "not found";

seconds duration_flag(std::string_view flag, const std::optional<std::string>& value, seconds fallback) {
    if (!value) {
        return fallback;
    }
    const std::optional<seconds> parsed = util::parse_duration(*value);
    if (!parsed) {
        util::invalid_value(flag, *value, util::duration_expected);
    }
    return *parsed;
}

// How a duration flag is named in a message about the other one: its value as given, or the default.
std::string described(const std::optional<std::string>& value, seconds fallback) {
    return value ? util::quoted(*value) : fmt::format("({}, the default)", util::format_duration(fallback));
}

Checked not_found(const std::string& identifier) {
    Checked kept;
    kept.identifier = identifier;
    kept.state = TokenState::not_found;
    return kept;
}

// Whole seconds until expiry, rounded up: <= 0 exactly when the token has expired.
std::optional<std::int64_t> seconds_left(const Checked& token, util::Timestamp now) {
    if (auto at = expiry(token)) {
        return std::chrono::ceil<seconds>(*at - now).count();
    }
    return std::nullopt;
}

std::string left_text(const Checked& token, util::Timestamp now) {
    const std::optional<util::Timestamp> at = expiry(token);
    if (!at) {
        return "-";
    }
    const std::string relative = util::format_relative(*at, now);
    if (*at <= now) {
        return relative == "now" ? "expired now" : relative;
    }
    if (relative == "now") {
        return "0s";
    }
    return relative.substr(relative.find(' ') + 1);  // without "in "
}

// What check says of a retired generation: until when its key works and, once that has passed,
// that prune has not removed it.
std::string retired_text(const Checked& token, util::Timestamp now) {
    const util::Timestamp until = *token.retired_until;
    const std::string when =
        fmt::format("retired until {} ({})", util::format_timestamp(until), util::format_relative_plain(until, now));
    if (token.state == TokenState::not_pruned) {
        return when + ", still there: run `aktoken prune`";
    }
    return until <= now ? when + ", not pruned yet" : when;
}

int state_color(TokenState state) {
    switch (state) {
        case TokenState::ok:
        case TokenState::retiring:
            return 0;
        case TokenState::warning:
            return 33;
        case TokenState::critical:
        case TokenState::expired:
        case TokenState::not_found:
        case TokenState::not_pruned:
            return 31;
    }
    return 0;
}

output::Record record_of(const Checked& token, util::Timestamp now) {
    output::Record record;
    output::Value state_value = output::Value::string(std::string(state_name(token.state)));
    state_value.color = state_color(token.state);
    record.add("identifier", output::Value::string(token.identifier));
    record.add("state", std::move(state_value));
    if (token.state == TokenState::not_found) {
        record.add("expires", output::Value::null());
        record.add("seconds_left", output::Value::null());
        record.add("intent", output::Value::null());
        record.add("user", output::Value::null());
        record.add("reason", output::Value::string(kNotFound));
        record.add_text("left", kNotFound);
        return record;
    }
    const std::optional<std::int64_t> left = seconds_left(token, now);
    record.add("expires", token.expires ? output::Value::string(util::format_timestamp(*token.expires))
                                        : output::Value::null("never"));
    record.add("seconds_left", left ? output::Value::integer(*left) : output::Value::null());
    record.add("intent", output::Value::string(token.intent));
    record.add("user", output::Value::optional(token.username));
    if (token.retired_until) {
        const std::string text = retired_text(token, now);
        record.add("reason", output::Value::string(text));
        record.add_text("left", text);
        return record;
    }
    record.add_text("left", left_text(token, now));
    return record;
}

int exit_code_of(const std::vector<Checked>& tokens) {
    std::vector<TokenState> states;
    states.reserve(tokens.size());
    for (const Checked& token : tokens) {
        states.push_back(token.state);
    }
    return check_exit_code(states);
}

// How many tokens are in each state, by TokenState's value.
std::array<std::size_t, 7> count_states(const std::vector<Checked>& tokens) {
    std::array<std::size_t, 7> counts{};
    for (const Checked& token : tokens) {
        ++counts[static_cast<std::size_t>(token.state)];
    }
    return counts;
}

// The first line for a monitoring system (the monitoring-plugins guidelines): the worst state, the
// counts, and after `|` the performance data: the counts and the fewest seconds any token has
// left, with the thresholds as ranges that alert below them.
std::string summary_line(const std::vector<Checked>& tokens, const CheckPlan& plan, util::Timestamp now) {
    const std::array<std::size_t, 7> counts = count_states(tokens);
    std::optional<std::int64_t> fewest;
    for (const Checked& token : tokens) {
        if (const auto left = seconds_left(token, now); left && (!fewest || *left < *fewest)) {
            fewest = left;
        }
    }
    const auto count = [&counts](TokenState state) { return counts[static_cast<std::size_t>(state)]; };
    constexpr const char* kOverall[] = {"OK", "WARNING", "CRITICAL"};
    std::string line = fmt::format("AKTOKEN {} - ", kOverall[exit_code_of(tokens)]);
    if (count(TokenState::not_found) > 0) {
        line += fmt::format("{} not found, ", count(TokenState::not_found));
    }
    if (count(TokenState::not_pruned) > 0) {
        line += fmt::format("{} not pruned, ", count(TokenState::not_pruned));
    }
    line += fmt::format("{} expired, {} expiring within {}, {} expiring within {}, {} ok", count(TokenState::expired),
                        count(TokenState::critical), util::format_duration(plan.crit), count(TokenState::warning),
                        util::format_duration(plan.warn), count(TokenState::ok));
    // Retired generations (rotate --overlap) are counted only where there are any, so that the
    // line of a site that never overlaps a rotation stays as it was.
    const bool generations = count(TokenState::retiring) + count(TokenState::not_pruned) > 0;
    if (count(TokenState::retiring) > 0) {
        line += fmt::format(", {} retiring", count(TokenState::retiring));
    }
    line += fmt::format(" | not_found={} expired={} critical={} warning={} ok={}", count(TokenState::not_found),
                        count(TokenState::expired), count(TokenState::critical), count(TokenState::warning),
                        count(TokenState::ok));
    if (generations) {
        line += fmt::format(" retiring={} not_pruned={}", count(TokenState::retiring), count(TokenState::not_pruned));
    }
    if (fewest) {
        line += fmt::format(" min_seconds_left={}s;{}:;{}:", *fewest, plan.warn.count(), plan.crit.count());
    }
    return line;
}

std::string report(const std::vector<Checked>& tokens, const CheckPlan& plan, output::Format format,
                   const output::Style& style) {
    output::View view;
    view.title = summary_line(tokens, plan, style.now);
    view.columns = {{"state", "state"}, {"identifier", "identifier"}, {"expires", "expires"}, {"left", "left"}};
    view.tsv = true;
    view.tsv_columns = {{"state", "state"},     {"identifier", "identifier"},
                        {"expires", "expires"}, {"seconds_left", "seconds_left"},
                        {"intent", "intent"},   {"user", "user"}};
    view.id_field = "identifier";
    view.headers = plan.headers;
    output::RecordWriter writer(format, style, view);
    std::string out;
    for (const Checked& token : tokens) {
        out += writer.add(record_of(token, style.now));
    }
    out += writer.finish();
    return out;
}

std::vector<Checked> checked_all(const std::vector<model::Token>& tokens, const CheckPlan& plan, util::Timestamp now) {
    std::vector<Checked> kept;
    kept.reserve(tokens.size());
    for (const model::Token& token : tokens) {
        kept.push_back(checked(token, state_of(token, now, plan.warn, plan.crit)));
    }
    return kept;
}

}  // namespace

CheckPlan plan_check(const CheckFlags& flags) {
    CheckPlan plan;
    check_identifiers(flags.identifiers);
    plan.named = !flags.identifiers.empty() || flags.from_file;
    if (plan.named) {
        if (const auto filter = flags.filters.first_filter()) {
            throw Error(ErrorKind::usage, fmt::format("{} cannot be used with IDENTIFIER arguments: the list filters "
                                                      "select the tokens only when no IDENTIFIER is given",
                                                      *filter));
        }
    }
    plan.list = plan_list(flags.filters);
    plan.identifiers = flags.identifiers;
    plan.headers = !flags.filters.no_headers;

    plan.warn = duration_flag("--warn", flags.warn, kDefaultWarn);
    plan.crit = duration_flag("--crit", flags.crit, kDefaultCrit);
    if (plan.crit > plan.warn) {
        if (flags.crit) {
            util::invalid_value("--crit", *flags.crit,
                                fmt::format("must not exceed --warn {}", described(flags.warn, kDefaultWarn)));
        }
        util::invalid_value("--warn", flags.warn.value_or(""),
                            fmt::format("must not be less than --crit {}", described(flags.crit, kDefaultCrit)));
    }

    if (flags.prometheus) {
        if (flags.prometheus->empty()) {
            util::invalid_value("--prometheus", *flags.prometheus, "expected a file path");
        }
        if (*flags.prometheus == "-") {
            util::invalid_value(
                "--prometheus", *flags.prometheus,
                "expected a file path (the file is replaced atomically; standard output is not possible)");
        }
        check_output_file("--prometheus", *flags.prometheus, *flags.prometheus);
        plan.prometheus = flags.prometheus;
    }
    return plan;
}

std::string_view state_name(TokenState state) {
    switch (state) {
        case TokenState::ok:
            return "OK";
        case TokenState::warning:
            return "WARNING";
        case TokenState::critical:
            return "CRITICAL";
        case TokenState::expired:
            return "EXPIRED";
        case TokenState::not_found:
        case TokenState::not_pruned:
            return "CRITICAL";
        case TokenState::retiring:
            return "RETIRING";
    }
    return "UNKNOWN";
}

TokenState state_of(const model::Token& token, util::Timestamp now, seconds warn, seconds crit) {
    if (const auto until = checking::retired_until(token.identifier)) {
        return now >= *until + kPruneGrace ? TokenState::not_pruned : TokenState::retiring;
    }
    const std::optional<util::Timestamp> at = expiry(token.expiring, token.expires);
    if (!at) {
        return TokenState::ok;
    }
    if (*at <= now) {
        return TokenState::expired;
    }
    if (*at <= now + crit) {
        return TokenState::critical;
    }
    if (*at <= now + warn) {
        return TokenState::warning;
    }
    return TokenState::ok;
}

int check_exit_code(const std::vector<TokenState>& states) {
    int code = 0;
    for (TokenState state : states) {
        const bool ok = state == TokenState::ok || state == TokenState::retiring;
        code = std::max(code, ok ? 0 : state == TokenState::warning ? 1 : 2);
    }
    return code;
}

std::string check_report(const std::vector<model::Token>& tokens, const CheckPlan& plan, output::Format format,
                         const output::Style& style) {
    return report(checked_all(tokens, plan, style.now), plan, format, style);
}

Result run_check(Context& context, const CheckPlan& plan) {
    const util::Timestamp now = context.style.now;
    // Everything is read first: a check that fails part-way prints nothing and writes no file.
    std::vector<Checked> tokens;
    if (plan.named) {
        std::size_t kept_bytes = 0;
        fetch_in_order(context, plan.identifiers, [&](std::size_t index, Fetched& fetched) {
            // A named token that is gone (housekeeping deletes expired app passwords) is a
            // finding; any other failure means the check could not be made.
            if (fetched.failure) {
                if (fetched.failure->kind() != ErrorKind::not_found) {
                    throw std::move(*fetched.failure);
                }
                tokens.push_back(not_found(plan.identifiers[index]));
                return;
            }
            kept_bytes += kept_size(*fetched.token);
            if (kept_bytes > kMaxKeptListingBytes) {
                throw Error(ErrorKind::server,
                            fmt::format("the checked tokens exceed {}, the most aktoken keeps of one check; check "
                                        "fewer tokens at a time",
                                        util::byte_size_text(kMaxKeptListingBytes)));
            }
            tokens.push_back(checked(*fetched.token, state_of(*fetched.token, now, plan.warn, plan.crit)));
        });
    } else {
        for_each_listed_page(context, plan.list, now, [&](std::vector<model::Token>& page) {
            std::vector<Checked> kept = checked_all(page, plan, now);
            std::move(kept.begin(), kept.end(), std::back_inserter(tokens));
        });
    }
    if (plan.prometheus) {
        // It holds no secret, and node_exporter usually runs as another user.
        util::write_file_atomic(*plan.prometheus, prometheus_samples(tokens), 0644);
    }
    context.out << report(tokens, plan, context.format, context.style);
    context.out.flush();
    if (context.style.terminal) {
        const std::array<std::size_t, 7> counts = count_states(tokens);
        const auto count = [&counts](TokenState state) { return counts[static_cast<std::size_t>(state)]; };
        std::vector<std::string> critical_too;
        if (count(TokenState::not_found) > 0) {
            critical_too.push_back(fmt::format("{} not found", count(TokenState::not_found)));
        }
        if (count(TokenState::not_pruned) > 0) {
            critical_too.push_back(fmt::format("{} not pruned", count(TokenState::not_pruned)));
        }
        context.err << fmt::format(
            "aktoken: check: {} token{}: {} OK, {} WARNING, {} CRITICAL, {} EXPIRED{}{}\n", tokens.size(),
            tokens.size() == 1 ? "" : "s", count(TokenState::ok), count(TokenState::warning),
            count(TokenState::critical) + count(TokenState::not_found) + count(TokenState::not_pruned),
            count(TokenState::expired),
            count(TokenState::retiring) > 0 ? fmt::format(", {} RETIRING", count(TokenState::retiring)) : "",
            critical_too.empty() ? "" : fmt::format(" ({})", util::join(critical_too, ", ")));
    }
    Result result;
    result.status = exit_code_of(tokens);
    return result;
}

namespace {

class CheckCommand final : public Command {
public:
    void define(Arguments& arguments) override {
        bulk_.define(arguments);
        arguments.option("--warn", flags_.warn, "WARNING when expiring within DURATION (default 14d)", "DURATION");
        arguments.option("--crit", flags_.crit, "CRITICAL when expiring within DURATION (default 3d)", "DURATION");
        arguments.option("--prometheus", flags_.prometheus, "Also write a node_exporter textfile to FILE (atomic)",
                         "FILE");
        flags_.filters.define(arguments, false);
    }

    void prepare(const Preparation& preparation) override {
        bulk_.collect(preparation, false);
        flags_.identifiers = bulk_.identifiers;
        flags_.from_file = bulk_.from_file.has_value();
        plan_ = plan_check(flags_);
    }

    int parallel() const override { return bulk_.parallel; }
    Result run(Context& context) override { return run_check(context, plan_); }

private:
    BulkArguments bulk_;
    CheckFlags flags_;
    CheckPlan plan_;
};

}  // namespace

const CommandSpec check_command{
    "check",
    "Monitor expiry (monitoring-plugin exit codes)",
    R"TXT(A status line for the monitoring system (AKTOKEN STATE - counts | performance data),
then one line per token: OK, WARNING (expires within --warn), CRITICAL (within
--crit, or a named token that is not found) or EXPIRED; tokens that do not expire
are OK. A retired generation that rotate --overlap left (ID--retired-until-TIME)
is RETIRING (counts as OK) until a day after its until-time, then CRITICAL (run
`aktoken prune`); its expiry is not judged. Without IDENTIFIERs the list filters
choose the tokens (all visible ones by default).

Exit status follows the monitoring-plugin convention: 0 all OK, 1 any WARNING,
2 any CRITICAL or EXPIRED, 3 the check could not be made (any error, bad flags
included, so that a typo never reads as CRITICAL).

--prometheus FILE also writes, atomically, a node_exporter textfile with the gauges
authentik_token_expires_timestamp_seconds and authentik_token_expiring (and, for
retired generations, authentik_token_retired_until_timestamp_seconds), labelled by
identifier, intent and username.

Examples:
  aktoken check --warn 14d --crit 3d
  aktoken check ci-deploy backup-job
  aktoken check --intent api --prometheus /var/lib/node_exporter/textfile/authentik_tokens.prom)TXT",
    Phase::client,
    make_command<CheckCommand>,
    kCheckUnknown};

}  // namespace aktoken::commands
