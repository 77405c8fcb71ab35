#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# zsh completion: `zsh -n` on completions/_aktoken, then real completion in an interactive
# `zsh -f` on a pseudo-terminal (zsh_capture.zsh: compinit in a temporary ZDOTDIR, a TAB, every
# match that reaches compadd recorded); asserts the offered candidates exactly (sorted, unique).
# Identifiers come from a running aktoken-sandbox.
# Usage: zsh_completion.sh AKTOKEN_BINARY SANDBOX_BINARY
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

AKTOKEN=${1:?usage: zsh_completion.sh AKTOKEN_BINARY SANDBOX_BINARY}
SANDBOX=${2:?usage: zsh_completion.sh AKTOKEN_BINARY SANDBOX_BINARY}
require_tool zsh
zsh -f -c 'zmodload zsh/zpty' 2>/dev/null || skip "zsh has no zsh/zpty module"

checks=$((checks + 1))
if zsh -n "$SOURCE_DIR/completions/_aktoken"; then echo "ok: zsh -n _aktoken"; else fail "zsh -n _aktoken"; fi
checks=$((checks + 1))
[[ $(head -n 1 "$SOURCE_DIR/completions/_aktoken") == "#compdef aktoken" ]] && echo "ok: #compdef line" ||
    fail "the first line of _aktoken is not '#compdef aktoken'"

isolate_environment "$AKTOKEN"
complete_line() { zsh_complete_line "$1"; }

check() { # check LINE EXPECTED-WORDS...: exactly these (in any order)
    local line=$1
    shift
    local expected=
    (($# > 0)) && expected=$(printf '%s\n' "$@" | LC_ALL=C sort -u)
    expect_lines "'$line'" "$expected" "$(complete_line "$line" | LC_ALL=C sort)"
}

GLOBALS=(--url --token-file --profile --ca-file --insecure --timeout -o --output --retries --retry-max-time
    -q --quiet --no-color -v --verbose --version -h --help)

check 'aktoken ' get update list create delete view-key set-key used-by whoami check rotate prune completion config
check 'aktoken u' update used-by
check 'aktoken --timeout 5 ro' rotate
check 'aktoken -' "${GLOBALS[@]}"
check 'aktoken update --' --description --expires --expiring --no-expiring --intent --user --identifier \
    --managed --no-managed --no-preserve --dry-run --strict --allow-expiry-reset --from-file --parallel \
    --url --token-file --profile --ca-file --insecure --timeout --output --retries --retry-max-time \
    --quiet --no-color --verbose --version --help
check 'aktoken delete -' -y --yes --ignore-missing --from-file --parallel "${GLOBALS[@]}"
check 'aktoken rotate x --l' --length --lock --lock-timeout
check 'aktoken list -o ' table wide json jsonl tsv id
check 'aktoken list --output=js' --output=json --output=jsonl
check 'aktoken update x --intent ' api app_password
check 'aktoken create x --intent ' api app_password
check 'aktoken list --intent ' verification api recovery app_password
check 'aktoken list --ordering ' identifier intent user description expires expiring managed pk \
    -identifier -intent -user -description -expires -expiring -managed -pk
check 'aktoken list --ordering user,-e' user,-expires user,-expiring
check 'aktoken list --columns user.' user.username user.pk
check 'aktoken completion ' bash zsh fish
check 'aktoken config ' show path

# Sourced instead of autoloaded (`source <(aktoken completion zsh)` after compinit): it registers
# itself with compdef.
mkdir -p "$TEST_TMP/no-completions"
expect_lines "sourced: 'aktoken list --intent '" "$(printf '%s\n' api app_password recovery verification)" \
    "$(AKTOKEN_CAPTURE_SOURCE=$SOURCE_DIR/completions/_aktoken zsh -f "$SHELL_TESTS_DIR/zsh_capture.zsh" \
        "$TEST_TMP/no-completions" 'aktoken list --intent ' 2>&1)"

mkdir -p "$HOME/.config/aktoken"
printf '[default]\nurl = https://a.example\n\n[staging]\n' >"$HOME/.config/aktoken/config"
check 'aktoken --profile ' default staging
rm -r "$HOME/.config/aktoken"

mkdir -p "$TEST_TMP/files/dir"
touch "$TEST_TMP/files/key.txt" "$TEST_TMP/files/kex"
# _files adds the directory part as a prefix outside the match: the matches are the file names.
check "aktoken --token-file $TEST_TMP/files/ke" key.txt kex
check "aktoken rotate x --lock $TEST_TMP/files/k" key.txt kex
check "aktoken check --prometheus $TEST_TMP/files/d" dir
check "aktoken get --from-file $TEST_TMP/files/k" key.txt kex

check 'aktoken get a'
start_sandbox "$SANDBOX"
read -ra ALL <<<"$SANDBOX_IDENTIFIERS"
check 'aktoken get ' "${ALL[@]}"
check 'aktoken update a' admin-api "$SANDBOX_OUTPOST_TOKEN" alice-api alice-app alice-recovery
check 'aktoken rotate alice-api b' bob-api bob-app bob-verification
check 'aktoken used-by ak-' "$SANDBOX_OUTPOST_TOKEN"
check 'aktoken update alice-api ak-' "$SANDBOX_OUTPOST_TOKEN"
check 'aktoken set-key alice-api ak-'
url=$AUTHENTIK_URL
closed=$(closed_port "$SANDBOX") || exit 1
export AUTHENTIK_URL=http://127.0.0.1:$closed/
check 'aktoken delete ak-'
check "aktoken --url $url delete ak-" "$SANDBOX_OUTPOST_TOKEN"
export AUTHENTIK_URL=$url

finish
