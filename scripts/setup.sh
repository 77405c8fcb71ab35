#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Shared set-up for scripts/demo and scripts/test: installs the Debian packages aktoken builds
# with (only those missing), then configures and builds with the given CMake preset.
set -euo pipefail

AKTOKEN_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
AKTOKEN_PACKAGES=(g++ cmake ninja-build pkg-config libcli11-dev libcurl4-openssl-dev rapidjson-dev
  libfmt-dev doctest-dev libcpp-httplib-dev curl)
# What the shell tests drive (man page lint, real bash, zsh and fish, the .deb build).
mapfile -t AKTOKEN_TEST_PACKAGES < <(grep -v '^#' "$AKTOKEN_ROOT/tests/shell/packages.txt" | grep .)
# The TLS + HTTP/2 front the integration tests, scripts/demo --tls and bench/run put before the
# sandbox (tests/integration/nginx_front.h): nginx, and openssl for its throwaway certificates.
AKTOKEN_TEST_PACKAGES+=(nginx-light openssl)

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

install_packages() {
  local missing=()
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    sudo=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# build PRESET: configure (once) and build that preset's tree.
build() {
  local preset=$1
  cd "$AKTOKEN_ROOT"
  log "building ($preset)"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset"
}
