#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# fish completion: `fish --no-execute` on completions/aktoken.fish, then `complete -C LINE` after
# sourcing it in a fish without config; asserts the candidates (descriptions cut off) exactly, in
# fish's order. Identifiers come from a running aktoken-sandbox.
# Usage: fish_completion.sh AKTOKEN_BINARY SANDBOX_BINARY
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

AKTOKEN=${1:?usage: fish_completion.sh AKTOKEN_BINARY SANDBOX_BINARY}
SANDBOX=${2:?usage: fish_completion.sh AKTOKEN_BINARY SANDBOX_BINARY}
require_tool fish
SCRIPT=$SOURCE_DIR/completions/aktoken.fish

checks=$((checks + 1))
if fish --no-execute "$SCRIPT"; then echo "ok: fish --no-execute aktoken.fish"; else fail "fish --no-execute"; fi

isolate_environment "$AKTOKEN"
complete_line() { fish_complete_line "$1"; }

check() { # check LINE EXPECTED-WORDS...: exactly these, in this order
    local line=$1
    shift
    local expected=
    (($# > 0)) && expected=$(printf '%s\n' "$@")
    expect_lines "'$line'" "$expected" "$(complete_line "$line")"
}

# fish lists short options first, then the rest sorted.
check 'aktoken ' check completion config create delete get list prune rotate set-key update used-by view-key whoami
check 'aktoken u' update used-by
check 'aktoken --timeout 5 ro' rotate
check 'aktoken --' --ca-file --help --insecure --no-color --output --profile --quiet --retries --retry-max-time \
    --timeout --token-file --url --verbose --version
check 'aktoken update --' --allow-expiry-reset --ca-file --description --dry-run --expires --expiring --from-file --help \
    --identifier --insecure --intent --managed --no-color --no-expiring --no-managed --no-preserve --output \
    --parallel --profile --quiet --retries --retry-max-time --strict --timeout --token-file --url --user --verbose \
    --version
check 'aktoken delete -' -h -o -q -v -y --ca-file --from-file --help --ignore-missing --insecure --no-color \
    --output --parallel --profile --quiet --retries --retry-max-time --timeout --token-file --url --verbose --version \
    --yes
check 'aktoken rotate x --l' --length --lock --lock-timeout
check 'aktoken check --' --ca-file --crit --description --expired --expiring --expiring-within \
    --from-file --help --identifier --insecure --intent --limit --managed --no-color --no-expiring \
    --no-headers --ordering --output --parallel --profile --prometheus --quiet --retries --retry-max-time --search \
    --timeout --token-file --url --user --verbose --version --warn
check 'aktoken list -o ' id json jsonl table tsv wide
check 'aktoken list --output=js' --output=json --output=jsonl
check 'aktoken update x --intent ' api app_password
check 'aktoken create x --intent ' api app_password
check 'aktoken list --intent ' api app_password recovery verification
check 'aktoken list --ordering ' description expires expiring identifier intent managed pk user \
    -description -expires -expiring -identifier -intent -managed -pk -user
check 'aktoken list --ordering user,-e' user,-expires user,-expiring
check 'aktoken list --columns user.' user.pk user.username
check 'aktoken completion ' bash fish zsh
check 'aktoken completion bash '
check 'aktoken config ' path show
check 'aktoken update x --expires '
check 'aktoken whoami '
check 'aktoken create '

mkdir -p "$HOME/.config/aktoken"
printf '[default]\nurl = https://a.example\n\n[staging]\n' >"$HOME/.config/aktoken/config"
check 'aktoken --profile ' default staging
rm -r "$HOME/.config/aktoken"

mkdir -p "$TEST_TMP/files/dir"
touch "$TEST_TMP/files/key.txt" "$TEST_TMP/files/kex"
cd "$TEST_TMP/files" || exit 1
for option in '--token-file' '--ca-file' 'rotate x --key-file' 'rotate x --lock' 'check --prometheus' \
    'get --from-file' 'create x --key-file'; do
    check "aktoken $option k" kex key.txt
done
check 'aktoken rotate x --key-file d' dir/
cd "$SOURCE_DIR" || exit 1

check 'aktoken get a'
start_sandbox "$SANDBOX"
read -ra ALL <<<"$SANDBOX_IDENTIFIERS"
check 'aktoken get ' "${ALL[@]}"
check 'aktoken get alice-api ' "${ALL[@]}"
check 'aktoken update a' admin-api "$SANDBOX_OUTPOST_TOKEN" alice-api alice-app alice-recovery
check 'aktoken update alice-api ' "${ALL[@]}"
check 'aktoken used-by alice-api '
check 'aktoken rotate b' bob-api bob-app bob-verification
check 'aktoken set-key ak-' "$SANDBOX_OUTPOST_TOKEN"
check 'aktoken list --identifier b' bob-api bob-app bob-verification
url=$AUTHENTIK_URL
closed=$(closed_port "$SANDBOX") || exit 1
export AUTHENTIK_URL=http://127.0.0.1:$closed/
check 'aktoken delete ak-'
check "aktoken --url $url delete ak-" "$SANDBOX_OUTPOST_TOKEN"
check "aktoken delete --url=$url ak-" "$SANDBOX_OUTPOST_TOKEN"
export AUTHENTIK_URL=$url
check 'aktoken --token-file - get ak-' "$SANDBOX_OUTPOST_TOKEN"

finish
