#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Contract conformance: every aktoken command that sends a request, run against Prism as a
# validating mock of the authentik OpenAPI extract (authentik-tokens-openapi.yaml beside this
# file). Passes when Prism reports no request that violates the schema (path, method, query
# parameters, body, headers) and every command sent at least one request. See README.md beside
# this file.
#
#   bash tests/conformance/prism.sh AKTOKEN_BINARY SCHEMA
#
# Exit: 0 pass, 1 fail, 77 skipped (npm missing).
# Environment: AKTOKEN_PRISM_DIR  where Prism is installed (default: the user's cache dir)
#              AKTOKEN_CONFORMANCE_KEEP=1  keep the work dir (logs, records) after the run
set -u -o pipefail

PRISM_VERSION=5.16.0 # @stoplight/prism-cli, exact pin; the cache dir is per version
COMMAND_TIMEOUT=60   # seconds for one aktoken run

skip() { printf 'SKIP: %s\n' "$*"; exit 77; }
fail() { printf 'FAIL: %s\n' "$*"; exit 1; }

[ $# -eq 2 ] || fail "usage: prism.sh AKTOKEN_BINARY SCHEMA"
aktoken=$1
schema=$2

command -v npm >/dev/null 2>&1 || skip "npm not found: the Prism contract test needs npm (and node) to install @stoplight/prism-cli"
command -v node >/dev/null 2>&1 || fail "npm is installed but node is not on PATH"
[ -f "$schema" ] || fail "schema not found: $schema"
[ -x "$aktoken" ] || fail "aktoken binary not executable: $aktoken"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
schema=$(cd "$(dirname "$schema")" && pwd)/$(basename "$schema")
aktoken=$(cd "$(dirname "$aktoken")" && pwd)/$(basename "$aktoken")

started=$SECONDS
work=$(mktemp -d "${TMPDIR:-/tmp}/aktoken-prism.XXXXXX") || fail "mktemp failed"
prism_pid=
recorder_pid=
# shellcheck disable=SC2317 # invoked by the EXIT trap
cleanup() {
    [ -n "$recorder_pid" ] && kill "$recorder_pid" 2>/dev/null && wait "$recorder_pid" 2>/dev/null
    [ -n "$prism_pid" ] && kill "$prism_pid" 2>/dev/null && wait "$prism_pid" 2>/dev/null
    if [ "${AKTOKEN_CONFORMANCE_KEEP:-0}" = 1 ]; then
        printf 'work dir kept: %s\n' "$work"
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- Prism: installed once per version into a cache dir that survives between runs -------
cache_root=${XDG_CACHE_HOME:-${HOME:-/nonexistent}/.cache}
prism_dir=${AKTOKEN_PRISM_DIR:-$cache_root/aktoken/prism-$PRISM_VERSION}
if ! mkdir -p "$(dirname "$prism_dir")" 2>/dev/null || [ ! -w "$(dirname "$prism_dir")" ]; then
    prism_dir=$work/prism-$PRISM_VERSION # no writable cache: install for this run only
fi
prism=$prism_dir/node_modules/.bin/prism
installed_version() { "$1" --version 2>/dev/null | tr -d '[:space:]'; }
if [ "$(installed_version "$prism")" != "$PRISM_VERSION" ]; then
    printf 'installing @stoplight/prism-cli@%s into %s\n' "$PRISM_VERSION" "$prism_dir"
    install_started=$SECONDS
    staging=$prism_dir.tmp.$$
    rm -rf "$staging"
    # --ignore-scripts: the only install script in the tree is a telemetry ping (@scarf/scarf).
    if ! SCARF_ANALYTICS=false npm install --prefix "$staging" --no-audit --no-fund --ignore-scripts \
        --no-update-notifier --loglevel=error "@stoplight/prism-cli@$PRISM_VERSION" >"$work/npm.log" 2>&1; then
        cat "$work/npm.log"
        rm -rf "$staging"
        fail "npm install @stoplight/prism-cli@$PRISM_VERSION failed (log above)"
    fi
    [ "$(installed_version "$staging/node_modules/.bin/prism")" = "$PRISM_VERSION" ] ||
        { rm -rf "$staging"; fail "installed prism does not report version $PRISM_VERSION"; }
    # Rename into place; a concurrent run that got there first wins and ours is dropped.
    if [ "$(installed_version "$prism")" != "$PRISM_VERSION" ]; then
        rm -rf "$prism_dir"
        mv "$staging" "$prism_dir" 2>/dev/null || true
    fi
    rm -rf "$staging"
    [ "$(installed_version "$prism")" = "$PRISM_VERSION" ] || fail "prism missing after install in $prism_dir"
    printf 'installed in %ds\n' $((SECONDS - install_started))
fi

# --- The schema's base path (servers[0].url): Prism's mock serves the paths at the root ------
base_path=$(awk '
    /^servers:/ { in_servers = 1; next }
    in_servers && /^[^ #-]/ { exit }
    in_servers && /url:/ { sub(/.*url:[ \t]*/, ""); gsub(/["\047]/, ""); print; exit }' "$schema")
base_path=${base_path#http://}
base_path=${base_path#https://}
case $base_path in
    /*) ;;
    */*) base_path=/${base_path#*/} ;; # absolute URL: keep its path
    *) base_path= ;;
esac
base_path=${base_path%/}

# --- Start Prism, then the recorder in front of it ----------------------------------------
free_port() {
    node -e 'const s = require("net").createServer();
             s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}
start_prism() {
    local port=$1 i
    SCARF_ANALYTICS=false "$prism" mock --host 127.0.0.1 --port "$port" --errors "$schema" \
        >"$work/prism.log" 2>&1 &
    prism_pid=$!
    for ((i = 0; i < 600; i++)); do # up to 60 s
        grep -q 'Prism is listening' "$work/prism.log" && return 0
        kill -0 "$prism_pid" 2>/dev/null || break
        sleep 0.1
    done
    kill "$prism_pid" 2>/dev/null && wait "$prism_pid" 2>/dev/null
    prism_pid=
    return 1
}
prism_port=
for _ in 1 2 3; do # a free port can be taken between probing and binding
    candidate=$(free_port) || fail "could not find a free port"
    if start_prism "$candidate"; then prism_port=$candidate; break; fi
done
if [ -z "$prism_port" ]; then
    cat "$work/prism.log"
    fail "Prism did not start (log above)"
fi
node "$here/recorder.js" "$prism_port" "$base_path" "$work/records.jsonl" "$work/recorder.port" \
    >"$work/recorder.log" 2>&1 &
recorder_pid=$!
for ((i = 0; i < 100; i++)); do
    [ -s "$work/recorder.port" ] && break
    kill -0 "$recorder_pid" 2>/dev/null || break
    sleep 0.1
done
[ -s "$work/recorder.port" ] || { cat "$work/recorder.log"; fail "recorder did not start (log above)"; }
port=$(cat "$work/recorder.port")
: >"$work/records.jsonl"
printf 'prism %s on 127.0.0.1:%s, recorder on 127.0.0.1:%s (strips base path "%s"), schema %s\n' \
    "$PRISM_VERSION" "$prism_port" "$port" "$base_path" "$schema"

# --- Run every command that sends a request ------------------------------------------------
mkdir -p "$work/home" "$work/out"
: >"$work/commands.tsv"
export HOME=$work/home XDG_CONFIG_HOME=$work/home/.config
unset AUTHENTIK_URL AUTHENTIK_TOKEN_FILE AUTHENTIK_CA_FILE AUTHENTIK_INSECURE AKTOKEN_PROFILE \
    AKTOKEN_CONFIG GITHUB_ACTIONS
export AUTHENTIK_TOKEN=conformance-test-token
url=http://127.0.0.1:$port

count_records() { wc -l <"$work/records.jsonl" | tr -d ' '; }
silent_commands=() # commands that sent no request
covered=" "        # command names run at least once
n=0
# run [--stdin TEXT] ARGS...: runs aktoken --url URL ARGS and checks that it sent a request.
run() {
    local stdin=
    if [ "$1" = --stdin ]; then stdin=$2; shift 2; fi
    n=$((n + 1))
    local before after rc label="aktoken $*"
    before=$(count_records)
    printf '%s\n' "$stdin" | timeout "$COMMAND_TIMEOUT" "$aktoken" --url "$url" "$@" \
        >"$work/out/$n.stdout" 2>"$work/out/$n.stderr"
    rc=${PIPESTATUS[1]} # aktoken's own status, not printf's (EPIPE when stdin is not read)
    after=$(count_records)
    covered+="$1 "
    printf '%s\t%s\t[%d] %s\n' "$before" "$after" "$n" "$label" >>"$work/commands.tsv"
    printf '  [%2d] exit %-3s %d request(s)  %s\n' "$n" "$rc" $((after - before)) "$label"
    if [ "$rc" -eq 124 ]; then
        silent_commands+=("$label (timed out after ${COMMAND_TIMEOUT}s)")
    elif [ "$after" -eq "$before" ]; then
        silent_commands+=("$label (exit $rc; stderr: $(head -c 300 "$work/out/$n.stderr" | tr '\n' ' '))")
    fi
}

echo "commands (a non-zero exit is expected where Prism's example data does not fit aktoken):"
run get ci-deploy
run get ci-deploy backup-job -o json
run update ci-deploy --description d --expires 2030-01-01T00:00:00Z --no-expiring --intent api \
    --user 1 --identifier renamed --managed m --allow-expiry-reset
run update ci-deploy --description d --expiring --expires +30d --intent app_password --no-managed
run update ci-deploy --description '' --expires never --no-expiring --intent app_password --no-preserve
run update ci-deploy --identifier renamed --user 1 --no-managed --no-preserve
run list
run list --identifier ci-deploy --intent api --user alice --description d --managed m --expiring \
    --search ci --ordering identifier,-expires
run list --intent app_password --no-expiring -o json
run create ci-deploy --intent app_password --user 1 --description d --expires +1d --no-expiring \
    --managed m
run create ci-deploy --user alice
run create ci-deploy --if-not-exists --show-key --key-file "$work/out/create.key"
run delete --yes ci-deploy
run delete --yes --ignore-missing ci-deploy backup-job
run view-key ci-deploy
run view-key ci-deploy --key-file "$work/out/view.key"
run --stdin 'conformance-key-0123456789abcdefghijklmnopqrstuvwxyz' set-key ci-deploy --key-stdin
(umask 077 && printf 'conformance-key-0123456789abcdefghijklmnopqrstuvwxyz\n' >"$work/out/set.key")
run set-key ci-deploy --key-file "$work/out/set.key"
run used-by ci-deploy
run whoami
run whoami -o json
run rotate ci-deploy --show-key
run rotate ci-deploy --key-file "$work/out/rotate-{}.key" --expires +90d --verify --length 40
run prune
run prune ci-deploy backup-job --dry-run -o json
run check
run check ci-deploy
run check --intent api --user alice --search ci --ordering -expires --expiring \
    --prometheus "$work/out/check.prom"
# Bulk runs: several identifiers, --from-file and --parallel (concurrent requests; the
# recorder still ties each one to its violations).
run --stdin $'bulk-1\nbulk-2\nbulk-3' get --from-file - --parallel 3
run update bulk-1 bulk-2 bulk-3 --description d --expires +7d --parallel 3
run delete --yes --parallel 2 bulk-1 bulk-2 bulk-3
run list --parallel 3 --ordering -expires
run check bulk-1 bulk-2 --parallel 2
run rotate bulk-1 bulk-2 --key-file "$work/out/bulk-{}.key" --parallel 2

# Every command aktoken knows (hidden __describe) must have been run above, except those that
# never talk to the server (completion prints a script, config shows local settings).
missing_commands=()
if "$aktoken" __describe >"$work/describe.txt" 2>/dev/null; then
    while read -r name rest; do
        if [ -n "$rest" ] || [ "$name" = global ]; then continue; fi
        case $name in completion|config) continue ;; esac
        case $covered in *" $name "*) ;; *) missing_commands+=("$name") ;; esac
    done <"$work/describe.txt"
else
    echo "note: aktoken __describe failed; the command coverage check was not made"
fi

# --- Canaries: deliberately invalid requests that Prism must flag ----------------------------
# They prove that the validation works end to end (query, body, headers), so that a Prism
# that stopped validating cannot make this test pass. Marked for the report, not counted.
prism_log_lines=$(wc -l <"$work/prism.log")
node - "$port" "$base_path" <<'CANARY_JS' >"$work/canary.log" 2>&1 || { cat "$work/canary.log"; fail "canary requests could not be sent"; }
const http = require('http');
const [port, base] = process.argv.slice(2);
const auth = { authorization: 'Bearer canary', 'x-conformance-canary': '1' };
const canaries = [
  { method: 'GET', path: '/core/tokens/?intent=no-such-intent', headers: auth },
  { method: 'POST', path: '/core/tokens/', headers: { ...auth, 'content-type': 'application/json' },
    body: '{"identifier": 5}' },
  { method: 'GET', path: '/core/users/me/', headers: { 'x-conformance-canary': '1' } },
];
(async () => {
  for (const c of canaries) {
    await new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method: c.method, path: base + c.path,
                                 headers: c.headers }, (res) => { res.resume(); res.on('end', resolve); });
      req.on('error', reject);
      req.end(c.body);
    });
  }
})().catch((e) => { console.error(String(e)); process.exit(1); });
CANARY_JS

# --- Stop Prism and judge -------------------------------------------------------------------
kill "$recorder_pid" 2>/dev/null && wait "$recorder_pid" 2>/dev/null
recorder_pid=
kill "$prism_pid" 2>/dev/null && wait "$prism_pid" 2>/dev/null
prism_pid=

# Violations as the recorder saw them: per request, from the sl-violations header and from
# the problem+json answers Prism sends when it refuses a request.
report_rc=0
node - "$work/records.jsonl" "$work/commands.tsv" >"$work/report.txt" <<'REPORT_JS' || report_rc=$?
const fs = require('fs');
const lines = fs.readFileSync(process.argv[2], 'utf8').split('\n').filter(Boolean);
const commands = fs.readFileSync(process.argv[3], 'utf8').split('\n').filter(Boolean)
  .map((l) => { const [before, after, label] = l.split('\t'); return { before: +before, after: +after, label }; });
const sender = (i) => (commands.find((c) => c.before <= i && i < c.after) || { label: '(no aktoken run)' }).label;
let bad = 0, notes = 0, requests = 0, canaries = 0, flagged = 0;
const seen = new Map();
for (const [i, line] of lines.entries()) {
  const r = JSON.parse(line);
  const key = `${r.method} ${r.url}`;
  const errors = r.violations.filter((v) => String(v.severity).toLowerCase() === 'error');
  const others = r.violations.filter((v) => String(v.severity).toLowerCase() !== 'error');
  if (r.canary) {
    canaries++;
    if (errors.length || r.problem) flagged++;
    else console.log(`UNFLAGGED canary ${key} -> ${r.status}: Prism accepted a deliberately invalid request`);
    continue;
  }
  seen.set(`${r.method} ${(r.forwarded || r.url).split('?')[0]}`, true);
  requests++;
  if (errors.length || r.problem) {
    bad++;
    console.log(`VIOLATION ${key} -> ${r.status}   sent by ${sender(i)}`);
    for (const v of errors) console.log(`    ${(v.location || []).join('.')}: ${v.message} [${v.code}]`);
    if (r.problem) console.log(`    ${r.problem.title || ''}: ${r.problem.detail || ''} ${r.problem.type || ''}`.trimEnd());
    if (r.problem && Array.isArray(r.problem.validation))
      for (const v of r.problem.validation) console.log(`    ${(v.location || []).join('.')}: ${v.message}`);
    if (r.body) console.log(`    request body: ${r.body}`);
  }
  for (const v of others) {
    notes++;
    console.log(`note (${v.severity}) ${key}: ${(v.location || []).join('.')}: ${v.message}`);
  }
}
console.log(`SUMMARY requests=${requests} violating=${bad} notes=${notes} operations=${seen.size} canaries=${canaries} flagged=${flagged}`);
console.log(`OPERATIONS ${[...seen.keys()].sort().join(' | ')}`);
REPORT_JS
[ "$report_rc" -eq 0 ] || { cat "$work/report.txt"; fail "could not read the recorder's records"; }

# Backstop: anything Prism itself logged as an error after it started listening.
# (Only up to the canaries, whose errors are expected.)
prism_errors=$(head -n "$prism_log_lines" "$work/prism.log" | sed -n '/Prism is listening/,$p' | grep -F '✖' || true)

summary=$(grep '^SUMMARY' "$work/report.txt")
requests=$(sed -n 's/.*requests=\([0-9]*\).*/\1/p' <<<"$summary")
violating=$(sed -n 's/.*violating=\([0-9]*\).*/\1/p' <<<"$summary")
canaries=$(sed -n 's/.*canaries=\([0-9]*\).*/\1/p' <<<"$summary")
flagged=$(sed -n 's/.*flagged=\([0-9]*\).*/\1/p' <<<"$summary")
echo
echo "operations exercised: $(sed -n 's/^OPERATIONS //p' "$work/report.txt")"
grep '^note' "$work/report.txt"

status=0
if [ "$violating" -ne 0 ]; then
    echo
    echo "Prism reported $violating request(s) that violate $schema:"
    grep -v '^note\|^SUMMARY\|^OPERATIONS\|^UNFLAGGED' "$work/report.txt"
    status=1
fi
if [ "$canaries" -ne 3 ] || [ "$flagged" -ne "$canaries" ]; then
    echo
    echo "validation self-check failed: Prism flagged $flagged of $canaries recorded canaries (3 sent);"
    echo "a test that cannot see violations proves nothing:"
    grep '^UNFLAGGED' "$work/report.txt"
    status=1
fi
if [ -n "$prism_errors" ]; then
    echo
    echo "Prism logged errors:"
    printf '%s\n' "$prism_errors"
    status=1
fi
if [ ${#silent_commands[@]} -ne 0 ]; then
    echo
    echo "commands that sent no request (each must send at least one):"
    printf '  %s\n' "${silent_commands[@]}"
    status=1
fi
if [ ${#missing_commands[@]} -ne 0 ]; then
    echo
    echo "commands listed by 'aktoken __describe' but not run by this test: ${missing_commands[*]}"
    echo "  add a run line for each to tests/conformance/prism.sh"
    status=1
fi
if [ "$status" -ne 0 ]; then
    echo
    echo "--- Prism log (tail) ---"
    tail -n 60 "$work/prism.log"
    echo "--- end; rerun with AKTOKEN_CONFORMANCE_KEEP=1 to keep every log ---"
fi
echo
if [ "$status" -eq 0 ]; then
    printf 'PASS: %d requests from %d aktoken runs, no schema violation; %d/%d canaries flagged (%ds)\n' \
        "$requests" "$n" "$flagged" "$canaries" $((SECONDS - started))
else
    printf 'FAIL: see above (%ds)\n' $((SECONDS - started))
fi
exit "$status"
