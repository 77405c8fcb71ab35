// SPDX-License-Identifier: MIT
#pragma once

// The longer help texts, kept apart from the option definitions.
namespace aktoken::cli::help {

inline constexpr const char* kRoot = R"TXT(Global options go before or after the command name.

Examples:
  aktoken --url https://auth.example.com --token-file ~/.ak-token whoami
  AUTHENTIK_URL=https://auth.example.com AUTHENTIK_TOKEN_FILE=/run/secrets/ak aktoken list --expiring-within 14d
  aktoken update ci-deploy --description "CI deploy (rotated monthly)" --dry-run

Exit status: 0 success, 1 internal error, 2 usage, 3 configuration, 4 authentication failed,
5 permission denied, 6 not found, 7 rejected by the server, 8 server error or malformed answer,
9 network, 130 interrupted. See README "Exit status".)TXT";

inline constexpr const char* kGet = R"TXT(Examples:
  aktoken get ci-deploy
  aktoken get ci-deploy backup-job -o json
  aktoken get ci-deploy -o tsv)TXT";

inline constexpr const char* kUpdate = R"TXT(Only the given fields change. aktoken first reads the token and also sends its
current intent and user, because authentik otherwise turns the token into an api
token owned by the caller (--no-preserve sends only the given fields). authentik
sets the expiry of api tokens itself; aktoken warns when the server stored another
value than requested (--strict makes that an error, exit 7).

WHEN for --expires: 2027-01-31T12:00:00Z (offsets allowed), 2027-01-31 (00:00 UTC),
a duration from now (+30d, 12h, 90m, 2w, 1d12h) or never.

Examples:
  aktoken update ci-deploy --description "Deploys from CI"
  aktoken update laptop-mail --expires +30d
  aktoken update old-name --identifier new-name --dry-run
  aktoken update outpost-x --no-managed --strict)TXT";

inline constexpr const char* kList = R"TXT(Server-side filters are exact matches; --search matches a substring of the
identifier, intent, username and description. --expiring-within, --expired and
--limit are applied by aktoken. Formats: table, wide, json, jsonl, tsv, id.
Columns: identifier, pk, intent, user, user.username, user.pk, description,
expires, expiring, managed.

Examples:
  aktoken list --expiring-within 14d
  aktoken list --user alice --intent app_password -o wide
  aktoken list --search ci --ordering -expires --limit 10
  aktoken list -o id --expired | xargs aktoken delete --yes
  aktoken list -o tsv --columns identifier,user.username,expires --no-headers)TXT";

inline constexpr const char* kCreate = R"TXT(authentik sets an api token's expiry itself and ignores --user and expiring in a
create by a user who is not a superuser; aktoken warns when the server chose other
values than requested (--strict: exit 7).

Examples:
  aktoken create ci-deploy --description "Deploys from CI" --key-file ~/.ci-deploy.key
  aktoken create alice-laptop --intent app_password --user alice --expires +90d
  aktoken create ci-deploy --if-not-exists --show-key -o json)TXT";

inline constexpr const char* kDelete = R"TXT(On a terminal, aktoken names each token and what authentik deletes with it, then
asks. Scripts pass --yes.

Examples:
  aktoken delete old-token
  aktoken delete --yes --ignore-missing ci-tmp-1 ci-tmp-2)TXT";

inline constexpr const char* kViewKey = R"TXT(Prints only the key and a newline (authentik logs a secret_view event).

Examples:
  aktoken view-key ci-deploy --key-file ~/.ci-deploy.key
  curl -H "Authorization: Bearer $(aktoken view-key ci-deploy)" ...)TXT";

inline constexpr const char* kSetKey = R"TXT(The key is never taken from the command line. authentik requires the permission
authentik_core.set_token_key, which token owners do not have by default.

Examples:
  aktoken set-key ci-deploy --key-file ./new.key
  openssl rand -hex 32 | aktoken set-key ci-deploy --key-stdin)TXT";

inline constexpr const char* kUsedBy = R"TXT(Examples:
  aktoken used-by outpost-token
  aktoken used-by outpost-token -o json)TXT";

inline constexpr const char* kWhoami = R"TXT(Exit status 0 proves that the URL and the token work: the check a CI job runs first.

Examples:
  aktoken whoami
  aktoken whoami -o json)TXT";

inline constexpr const char* kRotate = R"TXT(Rotation never locks anyone out: with --key-file the new key is first written to
PATH.pending (mode 0600), then sent with set_key, then renamed over PATH. A run
that finds PATH.pending completes that rotation first. An expiring token's expiry
is renewed in the same run (app passwords: to --expires). When the rotated token
is the one aktoken authenticates with, the rest of the run uses the new key and
checks it with users/me. With several tokens, {} in --key-file stands for the
identifier. Under GITHUB_ACTIONS=true a key printed on stdout is preceded by
::add-mask::KEY. Exit 10: the --lock file is held by another run.

Examples:
  aktoken rotate ci-deploy --key-file /etc/ci/ak.key --if-expiring-within 7d --lock /run/lock/aktoken
  aktoken rotate ci-a ci-b --key-file '/etc/ci/{}.key'
  aktoken rotate laptop-mail --show-key --expires +90d)TXT";

inline constexpr const char* kCheck = R"TXT(One line per token: OK, WARNING (expires within --warn), CRITICAL (within
--crit) or EXPIRED; tokens that do not expire are OK. Without IDENTIFIERs the list
filters choose the tokens (all visible ones by default).

Exit status follows the monitoring-plugin convention: 0 all OK, 1 any WARNING,
2 any CRITICAL or EXPIRED, 3 the check could not be made (any error, bad flags
included, so that a typo never reads as CRITICAL).

--prometheus FILE also writes, atomically, a node_exporter textfile with the gauges
authentik_token_expires_timestamp_seconds and authentik_token_expiring, labelled by
identifier, intent and username.

Examples:
  aktoken check --warn 14d --crit 3d
  aktoken check ci-deploy backup-job
  aktoken check --intent api --prometheus /var/lib/node_exporter/textfile/authentik_tokens.prom)TXT";

inline constexpr const char* kCompletion = R"TXT(Examples:
  source <(aktoken completion bash)
  aktoken completion zsh > "${fpath[1]}/_aktoken"
  aktoken completion fish > ~/.config/fish/completions/aktoken.fish)TXT";

inline constexpr const char* kConfig = R"TXT(`config show` prints every resolved setting and where it came from (flag,
environment, profile, default); the token only as <set from ...>.
`config path` prints the config file in use.

Examples:
  aktoken config show
  aktoken --profile staging config show -o json
  $EDITOR "$(aktoken config path)")TXT";

}  // namespace aktoken::cli::help
