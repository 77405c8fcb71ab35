#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bash completion, driven without a terminal: sources bash-completion and completions/aktoken.bash,
# sets COMP_WORDS/COMP_CWORD/COMP_LINE/COMP_POINT as readline would and calls _aktoken; asserts
# COMPREPLY exactly. Identifiers come from a running aktoken-sandbox.
# Usage: bash_completion.sh AKTOKEN_BINARY SANDBOX_BINARY
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

AKTOKEN=${1:?usage: bash_completion.sh AKTOKEN_BINARY SANDBOX_BINARY}
SANDBOX=${2:?usage: bash_completion.sh AKTOKEN_BINARY SANDBOX_BINARY}
isolate_environment "$AKTOKEN"
load_bash_completion
[[ $(complete -p aktoken 2>/dev/null) == "complete -F _aktoken aktoken" ]] ||
    fail "the script does not register _aktoken for aktoken"

complete_line() { bash_complete_line "$1"; }

check() { # check LINE EXPECTED-WORDS...: exactly these, in this order
    local line=$1
    shift
    local expected=
    (($# > 0)) && expected=$(printf '%s\n' "$@")
    expect_lines "'$line'" "$expected" "$(complete_line "$line")"
}

check_sorted() { # check_sorted LINE EXPECTED-WORDS...: exactly these, in any order (files)
    local line=$1
    shift
    expect_lines "'$line'" "$(printf '%s\n' "$@" | sort)" "$(complete_line "$line" | sort)"
}

GLOBALS=(--url --token-file --profile --ca-file --insecure --timeout -o --output --retries --retry-max-time
    -q --quiet --no-color -v --verbose --version -h --help)

# Commands.
check 'aktoken ' get update list create delete view-key set-key used-by whoami check rotate prune completion config
check 'aktoken u' update used-by
check 'aktoken --profile x --timeout 5 ro' rotate
check 'aktoken -o json c' create check completion config
# Options: per command, then the global ones.
check 'aktoken update --' --description --expires --expiring --no-expiring --intent --user --identifier \
    --managed --no-managed --no-preserve --dry-run --strict --allow-expiry-reset --from-file --parallel \
    --url --token-file --profile --ca-file --insecure --timeout --output --retries --retry-max-time \
    --quiet --no-color --verbose --version --help
check 'aktoken update --no-' --no-expiring --no-managed --no-preserve --no-color
check 'aktoken delete -' -y --yes --ignore-missing --from-file --parallel "${GLOBALS[@]}"
check 'aktoken --' --url --token-file --profile --ca-file --insecure --timeout --output --retries \
    --retry-max-time --quiet --no-color --verbose --version --help
check 'aktoken rotate --l' --length --lock --lock-timeout
check 'aktoken set-key x --key-' --key-file --key-stdin
# Enumerated values.
check 'aktoken list -o ' table wide json jsonl tsv id
check 'aktoken list --output=js' json jsonl
check 'aktoken -o j' json jsonl
check 'aktoken update x --intent ' api app_password
check 'aktoken create x --intent ' api app_password
check 'aktoken list --intent ' verification api recovery app_password
check 'aktoken check --intent a' api app_password
check 'aktoken list --ordering ' identifier intent user description expires expiring managed pk \
    -identifier -intent -user -description -expires -expiring -managed -pk
check 'aktoken list --ordering -exp' -expires -expiring
check 'aktoken list --ordering user,-e' user,-expires user,-expiring
check 'aktoken list --columns user.' user.username user.pk
check 'aktoken completion ' bash zsh fish
check 'aktoken completion bash '
check 'aktoken config ' show path
check 'aktoken update x --expires '
check 'aktoken whoami '
check 'aktoken create '
# Profiles from the config file.
mkdir -p "$HOME/.config/aktoken"
printf '[default]\nurl = https://a.example\n\n[staging]\ntimeout = 5\n[ prod-eu ]\n' >"$HOME/.config/aktoken/config"
check 'aktoken --profile ' default staging
AKTOKEN_CONFIG=$TEST_TMP/other.conf
printf '[ci]\n' >"$AKTOKEN_CONFIG"
check 'aktoken list --profile ' ci
AKTOKEN_CONFIG=
rm -r "$HOME/.config/aktoken"

# Files where an option takes a path.
mkdir -p "$TEST_TMP/files/dir"
touch "$TEST_TMP/files/key.txt" "$TEST_TMP/files/kex"
cd "$TEST_TMP/files" || exit 1
for option in --token-file --ca-file; do
    check_sorted "aktoken $option ke" key.txt kex
done
for option in 'rotate x --key-file' 'rotate x --lock' 'check --prometheus' 'get --from-file' 'view-key x --key-file'; do
    check_sorted "aktoken $option k" key.txt kex
done
check 'aktoken rotate x --key-file d' dir
cd "$SOURCE_DIR" || exit 1

# Identifiers from the server: none without one (silently), all of them with the sandbox.
check 'aktoken get '
start_sandbox "$SANDBOX"
read -ra ALL <<<"$SANDBOX_IDENTIFIERS"
check 'aktoken get ' "${ALL[@]}"
check 'aktoken get alice-api ' "${ALL[@]}"
check 'aktoken update a' admin-api "$SANDBOX_OUTPOST_TOKEN" alice-api alice-app alice-recovery
check 'aktoken update alice-api ' "${ALL[@]}"
check 'aktoken used-by alice-api '
check 'aktoken rotate b' bob-api bob-app bob-verification
check 'aktoken view-key ak-' "$SANDBOX_OUTPOST_TOKEN"
check 'aktoken list --identifier b' bob-api bob-app bob-verification
check 'aktoken update x --identifier '
# --url on the line is passed on; a wrong one in the environment is then ignored.
url=$AUTHENTIK_URL
closed=$(closed_port "$SANDBOX") || exit 1
export AUTHENTIK_URL=http://127.0.0.1:$closed/
check 'aktoken delete ak-'
check "aktoken --url $url delete ak-" "$SANDBOX_OUTPOST_TOKEN"
check "aktoken delete --url=$url ak-" "$SANDBOX_OUTPOST_TOKEN"
export AUTHENTIK_URL=$url
# A token on stdin is never waited for; a bad token file silently gives nothing.
check 'aktoken --token-file - get ak-' "$SANDBOX_OUTPOST_TOKEN"
check "aktoken --token-file $TEST_TMP/missing get ak-"

finish
