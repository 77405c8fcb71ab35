#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `DESTDIR=... cmake --install BUILD --prefix PREFIX --strip` installs exactly the expected files,
# with the expected modes and contents and no debug information, for a package (/usr) and a local
# install (/usr/local), and each shell finds its completion where it was installed:
# bash-completion loads it on demand, zsh's compinit from the directory Debian's zsh searches for
# that prefix, fish from vendor_completions.d under $XDG_DATA_DIRS; man finds the page.
# Usage: install.sh BUILD_DIR WITH_SANDBOX(0|1: AKTOKEN_INSTALL_SANDBOX)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BUILD=${1:?usage: install.sh BUILD_DIR WITH_SANDBOX}
WITH_SANDBOX=${2:-1}
require_tool cmake readelf

# check_install PREFIX ZSH_DIR: installs into a fresh root with PREFIX and checks the result.
check_install() {
    local prefix=$1 zsh_dir=$2
    local root=$TEST_TMP/root${prefix//\//-}
    local base=${prefix#/}
    echo "== prefix $prefix"
    if ! DESTDIR=$root cmake --install "$BUILD" --prefix "$prefix" --strip >"$TEST_TMP/install.log" 2>&1; then
        fail "cmake --install --prefix $prefix failed:"
        cat "$TEST_TMP/install.log"
        return
    fi

    local expected=(
        "755 $base/bin/aktoken"
        "644 $base/share/bash-completion/completions/aktoken"
        "644 $base/share/doc/aktoken/README.md"
        "644 $base/share/doc/aktoken/changelog.gz"
        "644 $base/share/doc/aktoken/copyright"
        "644 $base/share/fish/vendor_completions.d/aktoken.fish"
        "644 $base/share/man/man1/aktoken.1.gz"
        "644 $base/$zsh_dir/_aktoken"
    )
    ((WITH_SANDBOX)) && expected+=("755 $base/bin/aktoken-sandbox")
    expect_lines "installed files under $prefix (mode path)" \
        "$(printf '%s\n' "${expected[@]}" | LC_ALL=C sort -k2)" \
        "$(cd "$root" && find . -mindepth 1 \( -type f -o -type l \) -printf '%m %P\n' | LC_ALL=C sort -k2)"

    # Contents: the sources as they are (the .gz ones once unpacked).
    local pair installed
    for pair in "man/aktoken.1:share/man/man1/aktoken.1.gz" \
        "completions/aktoken.bash:share/bash-completion/completions/aktoken" \
        "completions/_aktoken:$zsh_dir/_aktoken" \
        "completions/aktoken.fish:share/fish/vendor_completions.d/aktoken.fish" \
        "README.md:share/doc/aktoken/README.md" "packaging/copyright:share/doc/aktoken/copyright" \
        "packaging/changelog:share/doc/aktoken/changelog.gz"; do
        checks=$((checks + 1))
        installed=$root/$base/${pair#*:}
        if [[ $installed == *.gz ]]; then
            cmp -s "$SOURCE_DIR/${pair%%:*}" <(gzip -dc "$installed") && echo "ok: ${pair#*:} = gzip ${pair%%:*}" ||
                fail "$base/${pair#*:} is not ${pair%%:*} gzipped"
        else
            cmp -s "$SOURCE_DIR/${pair%%:*}" "$installed" && echo "ok: ${pair#*:} = ${pair%%:*}" ||
                fail "$base/${pair#*:} differs from ${pair%%:*}"
        fi
    done

    # --strip: what is installed carries no debug information (the build itself may).
    local binary
    for binary in "$root/$base/bin/"*; do
        checks=$((checks + 1))
        if readelf -S "$binary" | grep -q '\.debug_'; then
            fail "${binary#"$root"/} still has debug sections after --strip"
        else
            echo "ok: ${binary#"$root"/} is stripped"
        fi
    done

    checks=$((checks + 1))
    local version
    version=$("$root/$base/bin/aktoken" --version 2>&1)
    [[ $version == "aktoken "* ]] && echo "ok: installed aktoken --version: $version" ||
        fail "installed aktoken --version: $version"

    isolate_environment "$root/$base/bin/aktoken"

    # bash-completion finds the file by the command's name under $XDG_DATA_DIRS.
    if [[ -r $BASH_COMPLETION ]]; then
        checks=$((checks + 1))
        local registered
        registered=$(XDG_DATA_DIRS=$root/$base/share bash --norc --noprofile -c '
            shopt -s extglob progcomp
            source "$1"
            _completion_loader aktoken
            complete -p aktoken' _ "$BASH_COMPLETION" 2>&1)
        [[ $registered == "complete -F _aktoken aktoken" ]] && echo "ok: bash-completion loads it on demand" ||
            fail "bash-completion did not load the installed completion: $registered"
    else
        echo "note: bash-completion is not installed, its check is left out"
    fi

    # zsh: the directory is one that Debian's zsh has on $fpath for this prefix.
    if command -v zsh >/dev/null 2>&1; then
        checks=$((checks + 1))
        grep -qxF "$prefix/$zsh_dir" <<<"$(zsh -f -c 'print -l $fpath')" &&
            echo "ok: zsh searches $prefix/$zsh_dir" || fail "zsh's \$fpath lacks $prefix/$zsh_dir"
        expect_lines "zsh completes from $zsh_dir" "$(printf '%s\n' update used-by)" \
            "$(zsh -f "$SHELL_TESTS_DIR/zsh_capture.zsh" "$root/$base/$zsh_dir" 'aktoken u' 2>&1)"
    else
        echo "note: zsh is not installed, its check is left out"
    fi

    # fish: autoloaded from vendor_completions.d of an $XDG_DATA_DIRS entry (set up by fish's own
    # share/config.fish, which --no-config would skip; the user config is the empty scratch one).
    if command -v fish >/dev/null 2>&1; then
        expect_lines "fish autoloads it from vendor_completions.d" "$(printf '%s\n' update used-by)" \
            "$(XDG_DATA_DIRS=$root/$base/share fish -c 'complete -C "aktoken u"' 2>&1 | cut -f1)"
    else
        echo "note: fish is not installed, its check is left out"
    fi

    # man finds the page by name.
    if command -v man >/dev/null 2>&1; then
        expect_lines "man -w finds the page" "$root/$base/share/man/man1/aktoken.1.gz" \
            "$(MANPATH=$root/$base/share/man man -w aktoken 2>&1)"
    fi
}

check_install /usr share/zsh/vendor-completions
check_install /usr/local share/zsh/site-functions

finish
