#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Holds the man page and the three completion scripts to the real CLI (`aktoken __describe`: every
# command and option, one a line):
#  - man page: every command has a `.SS` heading; every command's option appears (as \-\-name or
#    --name) in that command's section, every global option in GLOBAL OPTIONS;
#  - bash, zsh, fish: `aktoken ` offers exactly the commands; `aktoken COMMAND -` offers exactly
#    the command's options plus the global ones (`aktoken -`: the global ones), so an option
#    missing from a script fails, and so does one the CLI does not have.
# Usage: drift.sh AKTOKEN_BINARY
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

AKTOKEN=${1:?usage: drift.sh AKTOKEN_BINARY}
require_tool zsh fish
isolate_environment "$AKTOKEN"
load_bash_completion
MAN=$SOURCE_DIR/man/aktoken.1

describe=$("$AKTOKEN" __describe) || { echo "FAIL: aktoken __describe failed"; exit 1; }
[[ -n $describe ]] || { echo "FAIL: aktoken __describe printed nothing"; exit 1; }

# The man page as text: roff hyphens unescaped, font escapes removed.
man_text=$(sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\&//g' "$MAN")

# man_section TITLE-REGEX LEVEL: the lines of the section whose heading matches (SS or SH).
man_section() {
    local heading=$1 level=$2
    awk -v h="$heading" -v level="$level" '
        /^\.SH/ || (level == "SS" && /^\.SS/) { inside = 0 }
        $0 ~ "^\\." level " " && $0 ~ h { inside = 1; next }
        inside { print }' <<<"$man_text"
}

# has_option TEXT OPTION: OPTION occurs as a whole option word in TEXT.
has_option() {
    grep -qE -- "(^|[^-[:alnum:]])$2([^-[:alnum:]]|\$)" <<<"$1"
}

mapfile -t commands < <(grep -v ' ' <<<"$describe")
globals=$(sed -n 's/^global //p' <<<"$describe" | LC_ALL=C sort)
commands_sorted=$(printf '%s\n' "${commands[@]}" | LC_ALL=C sort)

# Man page.
failures_before=$failures
global_section=$(man_section 'GLOBAL OPTIONS' SH)
while read -r option; do
    checks=$((checks + 1))
    has_option "$global_section" "$option" || fail "man page: global option $option is not in GLOBAL OPTIONS"
done <<<"$globals"
for command in "${commands[@]}"; do
    checks=$((checks + 1))
    section=$(man_section "^\\.SS \"?$command( |\"|\$)" SS)
    if [[ -z $section ]]; then
        fail "man page: no .SS section for the command $command"
        continue
    fi
    while read -r option; do
        [[ -z $option ]] && continue
        checks=$((checks + 1))
        has_option "$section" "$option" || fail "man page: $command $option is not in the section of $command"
    done < <(sed -n "s/^$command //p" <<<"$describe")
done
((failures == failures_before)) && echo "ok: man page (${#commands[@]} commands and their options)"

# Completion scripts.
normalize() { LC_ALL=C sort -u | grep -v '^$'; }
for shell in bash zsh fish; do
    expect_lines "$shell: commands" "$commands_sorted" "$("${shell}_complete_line" 'aktoken ' | normalize)"
    expect_lines "$shell: global options" "$globals" "$("${shell}_complete_line" 'aktoken -' | normalize)"
    for command in "${commands[@]}"; do
        expected=$({
            sed -n "s/^$command //p" <<<"$describe"
            printf '%s\n' "$globals"
        } | normalize)
        actual=$("${shell}_complete_line" "aktoken $command -" | normalize)
        expect_lines "$shell: options of $command" "$expected" "$actual"
    done
done

finish
