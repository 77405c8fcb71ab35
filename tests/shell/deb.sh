#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The Debian package: cpack -G DEB from this build tree into a scratch directory; the file is
# named aktoken_VERSION_ARCH.deb; `dpkg-deb -c` lists exactly the expected entries (mode, owner,
# path); the control fields (Package, Version, Architecture, Section, Maintainer, Depends with
# libc6 and libcurl4, libfmt9 and libstdc++6 (for aktoken unless it links them in with
# AKTOKEN_STATIC_RUNTIME, for the sandbox always) and, with the sandbox, libcpp-httplib0.11);
# `dpkg -x` into a scratch root gives a working aktoken (--version, --help) and aktoken-sandbox;
# aktoken loads libstdc++ and libfmt from the system (the default, as Debian packages do) or
# neither (AKTOKEN_STATIC_RUNTIME); the binaries are stripped; lintian reports no error and no
# warning.
# Usage: deb.sh BUILD_DIR WITH_SANDBOX(0|1: AKTOKEN_INSTALL_SANDBOX) STATIC_RUNTIME(0|1)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BUILD=${1:?usage: deb.sh BUILD_DIR WITH_SANDBOX STATIC_RUNTIME}
WITH_SANDBOX=${2:-1}
STATIC_RUNTIME=${3:-0}
require_tool cpack dpkg-deb dpkg dpkg-shlibdeps
[[ -r $BUILD/CPackConfig.cmake ]] || { echo "FAIL: no CPackConfig.cmake in $BUILD"; exit 1; }

version=$("$BUILD/aktoken" --version) || { echo "FAIL: $BUILD/aktoken --version"; exit 1; }
version=${version#aktoken }
arch=$(dpkg --print-architecture)

if ! cpack -G DEB -B "$TEST_TMP/out" --config "$BUILD/CPackConfig.cmake" >"$TEST_TMP/cpack.log" 2>&1; then
    echo "FAIL: cpack failed:"
    cat "$TEST_TMP/cpack.log"
    exit 1
fi
deb=$TEST_TMP/out/aktoken_${version}_${arch}.deb
expect_lines "package file name" "aktoken_${version}_${arch}.deb" "$(cd "$TEST_TMP/out" && ls -- *.deb)"
[[ -f $deb ]] || finish

# Entries: mode, owner and path (sizes and dates vary).
expected=(
    "drwxr-xr-x root/root ./usr/"
    "drwxr-xr-x root/root ./usr/bin/"
    "-rwxr-xr-x root/root ./usr/bin/aktoken"
    "drwxr-xr-x root/root ./usr/share/"
    "drwxr-xr-x root/root ./usr/share/bash-completion/"
    "drwxr-xr-x root/root ./usr/share/bash-completion/completions/"
    "-rw-r--r-- root/root ./usr/share/bash-completion/completions/aktoken"
    "drwxr-xr-x root/root ./usr/share/doc/"
    "drwxr-xr-x root/root ./usr/share/doc/aktoken/"
    "-rw-r--r-- root/root ./usr/share/doc/aktoken/README.md"
    "-rw-r--r-- root/root ./usr/share/doc/aktoken/changelog.gz"
    "-rw-r--r-- root/root ./usr/share/doc/aktoken/copyright"
    "drwxr-xr-x root/root ./usr/share/fish/"
    "drwxr-xr-x root/root ./usr/share/fish/vendor_completions.d/"
    "-rw-r--r-- root/root ./usr/share/fish/vendor_completions.d/aktoken.fish"
    "drwxr-xr-x root/root ./usr/share/man/"
    "drwxr-xr-x root/root ./usr/share/man/man1/"
    "-rw-r--r-- root/root ./usr/share/man/man1/aktoken.1.gz"
    "drwxr-xr-x root/root ./usr/share/zsh/"
    "drwxr-xr-x root/root ./usr/share/zsh/vendor-completions/"
    "-rw-r--r-- root/root ./usr/share/zsh/vendor-completions/_aktoken"
)
((WITH_SANDBOX)) && expected+=("-rwxr-xr-x root/root ./usr/bin/aktoken-sandbox")
expect_lines "dpkg-deb -c" "$(printf '%s\n' "${expected[@]}" | LC_ALL=C sort -k3)" \
    "$(dpkg-deb -c "$deb" | awk '{print $1, $2, $6}' | LC_ALL=C sort -k3)"

field() { dpkg-deb -f "$deb" "$1"; }
expect_lines "Package" aktoken "$(field Package)"
expect_lines "Version" "$version" "$(field Version)"
expect_lines "Architecture" "$arch" "$(field Architecture)"
expect_lines "Section" utils "$(field Section)"
expect_lines "Description (synopsis)" "Administer authentik API tokens" "$(field Description | head -n 1)"
checks=$((checks + 1))
[[ $(field Maintainer) == *"<"*"@"*">" ]] && echo "ok: Maintainer" || fail "Maintainer: $(field Maintainer)"
depends=$(field Depends)
packages=(libc6 libcurl4)
((WITH_SANDBOX || !STATIC_RUNTIME)) && packages+=(libfmt9 libstdc++6)
((WITH_SANDBOX)) && packages+=(libcpp-httplib0.11)
for package in "${packages[@]}"; do
    checks=$((checks + 1))
    # One entry of the comma-separated list names the package (any version constraint).
    if tr ',|' '\n\n' <<<"$depends" | sed 's/^ *//; s/ .*//' | grep -qxF -- "$package"; then
        echo "ok: Depends has $package"
    else
        fail "Depends lacks $package: $depends"
    fi
done

# Unpacked, it runs (with the libraries of this system).
root=$TEST_TMP/root
dpkg -x "$deb" "$root" || fail "dpkg -x"
expect_lines "unpacked aktoken --version" "aktoken $version" "$("$root/usr/bin/aktoken" --version 2>&1)"
checks=$((checks + 1))
"$root/usr/bin/aktoken" --help >/dev/null 2>&1 && echo "ok: unpacked aktoken --help" || fail "unpacked aktoken --help"
if ((WITH_SANDBOX)); then
    checks=$((checks + 1))
    "$root/usr/bin/aktoken-sandbox" --help >/dev/null 2>&1 && echo "ok: unpacked aktoken-sandbox --help" ||
        fail "unpacked aktoken-sandbox --help"
fi
if command -v readelf >/dev/null 2>&1; then
    checks=$((checks + 1))
    needed=$(readelf -d "$root/usr/bin/aktoken" | grep -oE 'lib(stdc\+\+|gcc_s|fmt)[^]]*' | tr '\n' ' ' || true)
    if ((STATIC_RUNTIME)); then
        [[ -z $needed ]] && echo "ok: aktoken loads no C++ runtime library" || fail "aktoken needs $needed"
    elif [[ " $needed" == *" libstdc++.so.6 "* && " $needed" == *" libfmt.so.9 "* ]]; then
        echo "ok: aktoken loads libstdc++ and libfmt from the system"
    else
        fail "aktoken should load libstdc++.so.6 and libfmt.so.9, needs: $needed"
    fi
    checks=$((checks + 1))
    if readelf -S "$root/usr/bin/aktoken" | grep -qE '\.(debug_info|symtab)'; then
        fail "usr/bin/aktoken is not stripped"
    else
        echo "ok: stripped"
    fi
fi

# Debian's own checks: no error and no warning (informational tags are allowed).
if command -v lintian >/dev/null 2>&1; then
    report=$(lintian --tag-display-limit 0 "$deb" 2>/dev/null | grep -E '^[EW]: ' || true)
    expect_lines "lintian: no errors or warnings" "" "$report"
else
    echo "note: lintian is not installed, its check is left out"
fi

finish
