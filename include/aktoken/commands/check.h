// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aktoken/commands/context.h"
#include "aktoken/commands/list.h"
#include "aktoken/model/token.h"
#include "aktoken/output/render.h"
#include "aktoken/util/time.h"

// `aktoken check [IDENTIFIER...] [--warn D] [--crit D] [--prometheus FILE] [list filters] [-o FORMAT]`:
// expiry monitoring with the monitoring-plugin (Nagios) exit statuses.
//
// Exit status (what the CLI must return for `check`):
//   0  every checked token is OK (also when no token was selected)
//   1  at least one WARNING, none CRITICAL or EXPIRED
//   2  at least one CRITICAL or EXPIRED
//   3  UNKNOWN: the check could not be made. This covers EVERY aktoken::Error while running
//      `check`, whatever its kind, including usage errors (a bad flag, a bad --warn, a
//      CLI11 parse error of the check subcommand) because a monitoring system must not read a
//      typo as CRITICAL (2). The message is printed as for any other command
//      (`aktoken: error: ...`, or the JSON error object with -o json), only the status differs.
//      An interrupt (SIGINT/SIGTERM) keeps 128+signal.
//
// Selection: with IDENTIFIER arguments each token is read with GET (in argument order; no list
// request; a missing one is a CRITICAL row "not found", any other failure exit 3); without, the list filters select the
// tokens exactly as `aktoken list` does (every visible token by default). Filters and IDENTIFIERs cannot be combined;
// check has no --columns (the columns are fixed); --no-headers applies.
//
// A retired generation (ID--retired-until-YYYYMMDDTHHMMZ, model/generations.h) is RETIRING until
// its until-time + 24 h, CRITICAL from then on (`aktoken prune` has not removed it); its own
// expiry is not judged (a retired app password expires at its until-time).
// Any other token whose `expiring` is false or whose `expires` is null never expires and is OK.
// Otherwise, at `now`: EXPIRED if expires <= now, CRITICAL if expires <= now + crit, WARNING if
// expires <= now + warn, else OK.
//
// Every token is read before anything is written, so on exit 3 standard output is empty and the
// --prometheus file is left as it was (alert on node_exporter's node_textfile_mtime_seconds to
// notice a check that keeps failing). On success the file is replaced atomically, mode 0644.
//
// Output by format (`wide` is `table`):
//   table  a status line `AKTOKEN STATE - counts | perfdata` (also without headers and for an
//          empty selection), then STATE  IDENTIFIER  EXPIRES  LEFT, aligned; EXPIRES is RFC 3339 or `never`; LEFT is
//          `3d 4h`, `0s` (under a second), `expired 2h ago`, `expired now`, or `-` when the
//          token does not expire; for a retired generation `retired until TIME (RELATIVE)`, then
//          `, not pruned yet` past TIME or `, still there: run `aktoken prune`` once CRITICAL. STATE is coloured
//          (WARNING yellow, CRITICAL/EXPIRED red) when colour is allowed.
//   json   a pretty array of {"identifier","state","expires","seconds_left","intent","user"};
//   jsonl  one such object a line. expires is the stored value (RFC 3339 or null, even when
//          `expiring` is false); seconds_left is the whole seconds until expiry rounded up (so
//          <= 0 exactly when EXPIRED), null when the token does not expire or is a retired
//          generation; user is the username, null when the server sent no user_obj. A retired
//          generation also has "reason", the LEFT text (as a not-found row has "not found").
//   tsv    header `state identifier expires seconds_left intent user`, then the same fields
//          (expires `never` for null, seconds_left and user `-` when null), escaped as list's.
//   id     the identifiers only.
// An empty selection prints only the status line (json: `[]`, the others nothing). When standard
// output is a terminal a summary follows on the error stream: `aktoken: check: 5 tokens: 3 OK, 1 WARNING, 1 CRITICAL, 0
// EXPIRED`.
namespace aktoken::commands {

// The flags of `aktoken check` as the user gave them.
struct CheckFlags {
    std::vector<std::string> identifiers;
    // --from-file was given: the identifiers name the tokens even when there are none (an empty
    // generated list checks nothing, never every token).
    bool from_file = false;
    ListFlags filters;
    std::optional<std::string> warn;        // --warn DURATION, default 14d
    std::optional<std::string> crit;        // --crit DURATION, default 3d
    std::optional<std::string> prometheus;  // --prometheus FILE
};

inline constexpr std::chrono::seconds kDefaultWarn{14 * 24 * 3600};
inline constexpr std::chrono::seconds kDefaultCrit{3 * 24 * 3600};

// The exit status of a check that could not be made (see above).
inline constexpr int kCheckUnknown = 3;

// The checked request.
struct CheckPlan {
    std::vector<std::string> identifiers;  // GET each when `named`
    bool named = false;                    // false: list with `list`
    ListPlan list;                         // the filters (and headers) when listing
    std::chrono::seconds warn = kDefaultWarn;
    std::chrono::seconds crit = kDefaultCrit;
    std::optional<std::string> prometheus;
    bool headers = true;  // table and tsv print a header line
};

// Checks every flag; throws Error(usage) with one line naming the flag, the value and what is
// accepted, before anything is sent. (The CLI turns it into exit 3 for check.)
CheckPlan plan_check(const CheckFlags& flags);

// not_found: a named token the server does not have (shown as CRITICAL, "not found").
// retiring: a retired generation (rotate --overlap) until a day after its until-time (shown as
// RETIRING, OK for the exit status); not_pruned: one still there after that (shown as CRITICAL).
enum class TokenState { ok, warning, critical, expired, not_found, retiring, not_pruned };

// How long a retired generation may outlive its until-time before check calls it CRITICAL: a
// nightly prune has had its run by then.
inline constexpr std::chrono::seconds kPruneGrace{24 * 3600};

// "OK", "WARNING", "CRITICAL" (also for not_found and not_pruned), "EXPIRED" or "RETIRING".
std::string_view state_name(TokenState state);

// The state of a token at `now` by the rules above.
TokenState state_of(const model::Token& token, util::Timestamp now, std::chrono::seconds warn,
                    std::chrono::seconds crit);

// 0 if every state is OK or RETIRING (or there is none), 1 if the worst is WARNING, 2 if any is
// CRITICAL or EXPIRED.
int check_exit_code(const std::vector<TokenState>& states);

// The node_exporter textfile: `# HELP` and `# TYPE` lines, then one sample per token, for
//   authentik_token_expires_timestamp_seconds  the expiry as Unix seconds (a fraction only when
//       the server stores one); only tokens that do expire (expiring true and expires not null)
//       have a sample, so `authentik_token_expires_timestamp_seconds - time() < 14 * 86400`
//       needs no further condition;
//   authentik_token_expiring  the token's `expiring` field, 1 or 0, for every token;
//   authentik_token_retired_until_timestamp_seconds  a retired generation's until-time (from its
//       name) as Unix seconds, for retired generations only, which have no expiry sample (their
//       expiry is not judged), so that `time() - ... > 86400` finds one that prune left behind.
// Labels identifier, intent and username (empty when the server sent no user_obj), values
// escaped as the text format wants (\\, \", \n). Tokens in the given order.
std::string prometheus_text(const std::vector<model::Token>& tokens);

// The report on standard output in `format` (see above) for tokens checked at `style.now`.
std::string check_report(const std::vector<model::Token>& tokens, const CheckPlan& plan, output::Format format,
                         const output::Style& style);

// `aktoken check`: reads the tokens, writes the --prometheus file, prints the report and the
// terminal summary, and returns the exit status 0, 1 or 2 as the result's status. Any failure is thrown as Error (the
// CLI reports it and must exit 3).
Result run_check(Context& context, const CheckPlan& plan);

}  // namespace aktoken::commands
