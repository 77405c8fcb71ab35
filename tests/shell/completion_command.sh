#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `aktoken completion SHELL` prints exactly the script in completions/ (embedded at build time by
# cmake/Completions.cmake), an unknown shell is a usage error (exit 2), and what bash gets from
# `source <(aktoken completion bash)` registers the completion.
# Usage: completion_command.sh AKTOKEN_BINARY
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

AKTOKEN=${1:?usage: completion_command.sh AKTOKEN_BINARY}
isolate_environment "$AKTOKEN"

for pair in bash:aktoken.bash zsh:_aktoken fish:aktoken.fish; do
    shell=${pair%%:*}
    file=$SOURCE_DIR/completions/${pair#*:}
    checks=$((checks + 1))
    "$AKTOKEN" completion "$shell" >"$TEST_TMP/$shell" 2>"$TEST_TMP/$shell.err"
    status=$?
    if ((status != 0)); then
        fail "aktoken completion $shell: exit $status: $(head -c 300 "$TEST_TMP/$shell.err")"
    elif ! cmp -s "$file" "$TEST_TMP/$shell"; then
        fail "aktoken completion $shell differs from completions/${pair#*:}"
        diff "$file" "$TEST_TMP/$shell" | head -20 | sed 's/^/    /'
    else
        echo "ok: aktoken completion $shell"
    fi
done

checks=$((checks + 1))
"$AKTOKEN" completion tcsh >/dev/null 2>&1
status=$?
((status == 2)) && echo "ok: unknown shell: exit 2" || fail "aktoken completion tcsh: exit $status, expected 2"

checks=$((checks + 1))
registered=$(bash --norc --noprofile -c 'source <("$1" completion bash) && complete -p aktoken' _ "$AKTOKEN" 2>&1)
[[ $registered == "complete -F _aktoken aktoken" ]] && echo "ok: source <(aktoken completion bash)" ||
    fail "source <(aktoken completion bash) did not register _aktoken: $registered"

finish
