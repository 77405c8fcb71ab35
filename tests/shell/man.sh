#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The man page: no message from `mandoc -T lint` nor from `groff -man -ww -z` (nor from
# `man --warnings`), lexgrog finds its NAME line, it renders, and its .TH names the version that
# `aktoken --version` prints.
# Usage: man.sh AKTOKEN_BINARY
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

AKTOKEN=${1:?usage: man.sh AKTOKEN_BINARY}
require_tool mandoc groff
MAN=$SOURCE_DIR/man/aktoken.1

# run_clean NAME COMMAND...: COMMAND exits 0 and prints nothing at all.
run_clean() {
    local name=$1 output status
    shift
    checks=$((checks + 1))
    output=$("$@" 2>&1)
    status=$?
    if ((status == 0)) && [[ -z $output ]]; then
        echo "ok: $name"
    else
        fail "$name (exit $status)"
        printf '%s\n' "$output" | sed 's/^/    /'
    fi
}

run_clean "mandoc -T lint" mandoc -T lint "$MAN"
run_clean "groff -man -ww -z" groff -man -ww -z "$MAN"
if command -v man >/dev/null 2>&1; then
    # man-db's check: groff warnings through man's own pipeline (tbl, preconv).
    # shellcheck disable=SC2016
    run_clean "man --warnings" bash -c 'MANWIDTH=80 man --warnings -E UTF-8 -P cat -l "$1" >/dev/null' _ "$MAN"
fi
if command -v lexgrog >/dev/null 2>&1; then
    expect_lines "lexgrog (whatis entry)" "$MAN: \"aktoken - administer authentik API tokens\"" "$(lexgrog "$MAN")"
fi

version=$("$AKTOKEN" --version) || fail "aktoken --version failed"
expect_lines ".TH names the version" ".TH AKTOKEN 1 \"2026-11-29\" \"$version\" \"User Commands\"" \
    "$(grep '^\.TH ' "$MAN")"

# It renders, with every section.
text=$(mandoc -T ascii "$MAN" | sed 's/.\x08//g')
for section in NAME SYNOPSIS DESCRIPTION COMMANDS 'GLOBAL OPTIONS' CONFIGURATION ENVIRONMENT FILES \
    'EXIT STATUS' SECURITY EXAMPLES 'SEE ALSO'; do
    checks=$((checks + 1))
    grep -qx "$section" <<<"$text" || fail "rendered page lacks the section $section"
done
# Every exit status is described, the monitoring codes of check too.
exit_section=$(sed -n '/^EXIT STATUS$/,/^SECURITY$/p' <<<"$text")
for code in 0 1 2 3 4 5 6 7 8 9 10 130 143; do
    checks=$((checks + 1))
    grep -qE "^ {7}$code( |$)" <<<"$exit_section" || fail "EXIT STATUS lacks $code"
done
checks=$((checks + 1))
grep -q 'monitoring-plugin' <<<"$exit_section" || fail "EXIT STATUS lacks check's monitoring codes"

finish
