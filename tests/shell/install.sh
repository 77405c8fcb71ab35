#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `DESTDIR=... cmake --install BUILD --prefix /usr` installs exactly the expected files, with the
# expected modes and contents, and each shell finds its completion where it was installed:
# bash-completion loads it on demand, zsh's compinit from the directory, fish from
# vendor_completions.d under $XDG_DATA_DIRS; man finds the page under MANPATH.
# Usage: install.sh BUILD_DIR ZSH_COMPLETION_DIR WITH_SANDBOX(0|1)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BUILD=${1:?usage: install.sh BUILD_DIR ZSH_COMPLETION_DIR WITH_SANDBOX}
ZSH_DIR=${2:?usage: install.sh BUILD_DIR ZSH_COMPLETION_DIR WITH_SANDBOX}
WITH_SANDBOX=${3:-1}
require_tool cmake

root=$TEST_TMP/root
if ! DESTDIR=$root cmake --install "$BUILD" --prefix /usr >"$TEST_TMP/install.log" 2>&1; then
    echo "FAIL: cmake --install failed:"
    cat "$TEST_TMP/install.log"
    exit 1
fi

expected=(
    "755 usr/bin/aktoken"
    "644 usr/share/bash-completion/completions/aktoken"
    "644 usr/share/doc/aktoken/LICENSE"
    "644 usr/share/doc/aktoken/README.md"
    "644 usr/share/fish/vendor_completions.d/aktoken.fish"
    "644 usr/share/man/man1/aktoken.1"
    "644 usr/$ZSH_DIR/_aktoken"
)
((WITH_SANDBOX)) && expected+=("755 usr/bin/aktoken-sandbox")
expect_lines "installed files (mode path)" "$(printf '%s\n' "${expected[@]}" | LC_ALL=C sort -k2)" \
    "$(cd "$root" && find . -mindepth 1 \( -type f -o -type l \) -printf '%m %P\n' | LC_ALL=C sort -k2)"

# Contents: the sources as they are.
for pair in "man/aktoken.1:usr/share/man/man1/aktoken.1" \
    "completions/aktoken.bash:usr/share/bash-completion/completions/aktoken" \
    "completions/_aktoken:usr/$ZSH_DIR/_aktoken" \
    "completions/aktoken.fish:usr/share/fish/vendor_completions.d/aktoken.fish" \
    "README.md:usr/share/doc/aktoken/README.md" "LICENSE:usr/share/doc/aktoken/LICENSE"; do
    checks=$((checks + 1))
    cmp -s "$SOURCE_DIR/${pair%%:*}" "$root/${pair#*:}" && echo "ok: ${pair#*:} = ${pair%%:*}" ||
        fail "${pair#*:} differs from ${pair%%:*}"
done

checks=$((checks + 1))
version=$("$root/usr/bin/aktoken" --version 2>&1)
[[ $version == "aktoken "* ]] && echo "ok: installed aktoken --version: $version" ||
    fail "installed aktoken --version: $version"

isolate_environment "$root/usr/bin/aktoken"

# bash-completion finds the file by the command's name under $XDG_DATA_DIRS.
if [[ -r $BASH_COMPLETION ]]; then
    checks=$((checks + 1))
    registered=$(XDG_DATA_DIRS=$root/usr/share bash --norc --noprofile -c '
        shopt -s extglob progcomp
        source "$1"
        _completion_loader aktoken
        complete -p aktoken' _ "$BASH_COMPLETION" 2>&1)
    [[ $registered == "complete -F _aktoken aktoken" ]] && echo "ok: bash-completion loads it on demand" ||
        fail "bash-completion did not load the installed completion: $registered"
else
    echo "note: bash-completion is not installed, its check is left out"
fi

# zsh: compinit with the installed directory on $fpath.
if command -v zsh >/dev/null 2>&1; then
    expect_lines "zsh completes from $ZSH_DIR" "$(printf '%s\n' update used-by)" \
        "$(zsh -f "$SHELL_TESTS_DIR/zsh_capture.zsh" "$root/usr/$ZSH_DIR" 'aktoken u' 2>&1)"
else
    echo "note: zsh is not installed, its check is left out"
fi

# fish: autoloaded from vendor_completions.d of an $XDG_DATA_DIRS entry (set up by fish's own
# share/config.fish, which --no-config would skip; the user config is the empty scratch one).
if command -v fish >/dev/null 2>&1; then
    expect_lines "fish autoloads it from vendor_completions.d" "$(printf '%s\n' update used-by)" \
        "$(XDG_DATA_DIRS=$root/usr/share fish -c 'complete -C "aktoken u"' 2>&1 | cut -f1)"
else
    echo "note: fish is not installed, its check is left out"
fi

# man finds the page by name.
if command -v man >/dev/null 2>&1; then
    expect_lines "man -w finds the page" "$root/usr/share/man/man1/aktoken.1" \
        "$(MANPATH=$root/usr/share/man man -w aktoken 2>&1)"
fi

finish
