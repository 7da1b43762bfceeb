#!/usr/bin/env bash
# Sets up a fresh Debian/Ubuntu machine for RMount: the system packages the engine and the tests use,
# then the npm dependencies. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

# rclone: Debian's (1.60 on Debian 12), the oldest rclone the engine supports and the compatibility
# test run's; the one RMount ships comes from vendor/fetch-rclone.sh below. dpkg and
# debian-archive-keyring: that script's apt verification and .deb extraction. iproute2 (ss), openssl,
# python3, curl and shellcheck: the tests.
packages=(rclone fuse3 openssh-server openssh-client util-linux git tar ca-certificates chromium xvfb
  dpkg debian-archive-keyring iproute2 openssl python3 curl shellcheck)
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

# The rclone RMount ships and tests, pinned in vendor/rclone-version.json. Without it (no network, the
# archive moved below the pin) the engine falls back to the rclone on PATH, so set-up goes on.
bash vendor/fetch-rclone.sh || echo "setup: vendor/fetch-rclone.sh could not install the pinned rclone (above); RMount will use $(command -v rclone || echo 'no rclone'), see docs/RCLONE.md" >&2
