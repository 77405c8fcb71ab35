# SPDX-License-Identifier: MIT
# Shared helpers for the shell-driven tests (sourced, bash).
# Each test is invoked by ctest as: bash tests/shell/NAME.sh AKTOKEN_BINARY [ARGS...].
# Exit status: 0 pass, 1 fail, 77 skipped (a shell or tool is not installed).

set -uo pipefail

SHELL_TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SOURCE_DIR=$(cd "$SHELL_TESTS_DIR/../.." && pwd)
failures=0
checks=0

skip() {
    echo "SKIP: $*"
    exit 77
}

require_tool() {
    local tool
    for tool in "$@"; do
        command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed (see tests/shell/packages.txt)"
    done
}

fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

# expect_lines NAME EXPECTED ACTUAL: both newline-separated; compared exactly (order included).
expect_lines() {
    local name=$1 expected=$2 actual=$3
    checks=$((checks + 1))
    if [[ "$expected" == "$actual" ]]; then
        echo "ok: $name"
    else
        fail "$name"
        diff <(printf '%s\n' "$expected") <(printf '%s\n' "$actual") | sed 's/^/    /'
    fi
}

finish() {
    if ((failures > 0)); then
        echo "$failures of $checks checks failed"
        exit 1
    fi
    echo "all $checks checks passed"
    exit 0
}

# make_temp: a scratch directory removed at exit (stops the sandbox too).
SANDBOX_PID=
cleanup() {
    if [[ -n $SANDBOX_PID ]]; then
        kill "$SANDBOX_PID" 2>/dev/null
        wait "$SANDBOX_PID" 2>/dev/null
    fi
    [[ -n ${TEST_TMP:-} ]] && rm -rf "$TEST_TMP"
}
trap cleanup EXIT
TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/aktoken-shell-test.XXXXXX")

# start_sandbox SANDBOX_BINARY: starts aktoken-sandbox on a free port and exports AUTHENTIK_URL
# and AUTHENTIK_TOKEN (the seed's admin token) for aktoken.
SANDBOX_OUTPOST_TOKEN=ak-outpost-9a5c2b7e-1f0d-4c8a-9e3b-6d2f4a1b8c7e-api
SANDBOX_IDENTIFIERS="admin-api $SANDBOX_OUTPOST_TOKEN alice-api alice-app alice-recovery bob-api bob-app bob-verification"
start_sandbox() {
    local binary=$1 line
    [[ -x $binary ]] || { echo "FAIL: no sandbox binary at $binary"; exit 1; }
    mkfifo "$TEST_TMP/sandbox.out"
    "$binary" --port 0 >"$TEST_TMP/sandbox.out" 2>"$TEST_TMP/sandbox.err" &
    SANDBOX_PID=$!
    if ! read -r -t 10 line <"$TEST_TMP/sandbox.out"; then
        echo "FAIL: aktoken-sandbox did not start: $(cat "$TEST_TMP/sandbox.err")"
        exit 1
    fi
    [[ $line == "aktoken-sandbox listening on http://"* ]] || { echo "FAIL: sandbox said: $line"; exit 1; }
    export AUTHENTIK_URL=${line#aktoken-sandbox listening on }
    export AUTHENTIK_TOKEN=akadmin-secret-key-0001
}

# closed_port SANDBOX_BINARY: prints a loopback port that refuses connections: one that
# aktoken-sandbox bound (port 0: the system picked a free one) and released when it was stopped.
# (A fixed port such as 9 may have a listener: then a completion waits out its --timeout and
# offers nothing, which passes as well, only slowly.)
closed_port() {
    local binary=$1 line pid
    rm -f "$TEST_TMP/closed.out"
    mkfifo "$TEST_TMP/closed.out"
    "$binary" --port 0 >"$TEST_TMP/closed.out" 2>/dev/null &
    pid=$!
    read -r -t 10 line <"$TEST_TMP/closed.out"
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    [[ $line == "aktoken-sandbox listening on http://127.0.0.1:"* ]] || { echo "FAIL: sandbox said: $line" >&2; return 1; }
    echo "${line##*:}"
}

# isolate_environment AKTOKEN_BINARY: a scratch HOME without config, no connection settings, and
# `aktoken` on PATH as the completion scripts run it (the first word of the line).
isolate_environment() {
    local binary=$1
    [[ -x $binary ]] || { echo "FAIL: no aktoken binary at $binary"; exit 1; }
    export HOME=$TEST_TMP/home XDG_CONFIG_HOME=$TEST_TMP/home/.config XDG_DATA_HOME=$TEST_TMP/home/.local/share
    export AKTOKEN_CONFIG= AKTOKEN_PROFILE=
    unset AUTHENTIK_URL AUTHENTIK_TOKEN AUTHENTIK_TOKEN_FILE AUTHENTIK_CA_FILE AUTHENTIK_INSECURE AKTOKEN_RETRIES
    mkdir -p "$HOME" "$TEST_TMP/bin"
    ln -sf "$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")" "$TEST_TMP/bin/aktoken"
    export PATH=$TEST_TMP/bin:$PATH
}

# load_bash_completion: sources bash-completion and completions/aktoken.bash into this shell.
BASH_COMPLETION=${BASH_COMPLETION:-/usr/share/bash-completion/bash_completion}
load_bash_completion() {
    [[ -r $BASH_COMPLETION ]] || skip "bash-completion is not installed ($BASH_COMPLETION)"
    shopt -s extglob progcomp
    # shellcheck disable=SC1090
    source "$BASH_COMPLETION"
    # shellcheck disable=SC1091
    source "$SOURCE_DIR/completions/aktoken.bash"
}

# bash_complete_line LINE: the candidates (COMPREPLY) for LINE with the cursor at its end, one a
# line. Words are split as readline does with the default COMP_WORDBREAKS for what aktoken's
# lines hold: at blanks, and '=' and ':' are words of their own (URLs are split up).
bash_complete_line() {
    local line=$1 rest word= c
    COMP_WORDS=()
    rest=$line
    while [[ -n $rest ]]; do
        c=${rest:0:1}
        rest=${rest:1}
        case $c in
            ' ') [[ -n $word ]] && COMP_WORDS+=("$word"); word= ;;
            '=' | ':') [[ -n $word ]] && COMP_WORDS+=("$word"); COMP_WORDS+=("$c"); word= ;;
            *) word+=$c ;;
        esac
    done
    if [[ -n $word ]]; then
        COMP_WORDS+=("$word")
    elif [[ $line == *' ' ]]; then
        COMP_WORDS+=('')
    fi
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMP_LINE=$line
    COMP_POINT=${#line}
    COMPREPLY=()
    _aktoken aktoken "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}" 2>"$TEST_TMP/stderr"
    [[ -s $TEST_TMP/stderr ]] && fail "stderr while completing '$line': $(cat "$TEST_TMP/stderr")"
    ((${#COMPREPLY[@]} == 0)) || printf '%s\n' "${COMPREPLY[@]}"
}

# zsh_complete_line LINE: the candidates zsh offers (sorted, unique), see zsh_capture.zsh. The
# calls of one test share compinit's dump.
zsh_complete_line() {
    AKTOKEN_CAPTURE_ZCOMPDUMP=$TEST_TMP/zcompdump zsh -f "$SHELL_TESTS_DIR/zsh_capture.zsh" \
        "$SOURCE_DIR/completions" "$1" 2>&1
}

# fish_complete_line LINE: the candidates of `complete -C LINE`, without descriptions, in fish's order.
fish_complete_line() {
    # shellcheck disable=SC2016
    fish --no-config -c 'source $argv[1]; complete -C $argv[2]' "$SOURCE_DIR/completions/aktoken.fish" "$1" 2>&1 |
        cut -f1
}
