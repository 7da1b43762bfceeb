#!/usr/bin/env bash
# Sets up a fresh Debian/Ubuntu machine for RMount: the system packages the engine and the tests use,
# then the npm dependencies. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(rclone fuse3 openssh-server openssh-client util-linux git tar ca-certificates chromium xvfb)
missing=()
for p in "${packages[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p"); done
if ((${#missing[@]})); then
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Electron's own postinstall would fetch its runtime from a host this machine may not reach; the
# engine and its tests never need it.
export ELECTRON_SKIP_BINARY_DOWNLOAD=1
npm ci --no-audit --no-fund
