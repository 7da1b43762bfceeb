#!/usr/bin/env bash
# Puts the rclone release pinned in vendor/rclone-version.json, for this machine, into vendor/bin/.
# The zip is verified before anything is unpacked:
#   1. against the release's own SHA256SUMS, fetched over HTTPS from the same server (its PGP signature
#      is checked too when gpg has rclone's release key, see rclone.org/release_signing);
#   2. against the checksum pinned in rclone-version.json for this platform, when one is set.
# Every check that runs must pass, and at least one must run: otherwise nothing is installed.
#
# Usage: vendor/fetch-rclone.sh [--force]      (--force: fetch even if the pinned version is installed)
# Environment, for offline installs and tests:
#   RCLONE_ZIP           an already-downloaded release zip to verify and install instead of downloading
#   RMOUNT_RCLONE_BASE   the release server (default https://downloads.rclone.org); https only
#   RMOUNT_RCLONE_PIN    the pin file (default vendor/rclone-version.json)
#   RMOUNT_VENDOR_BIN    where rclone goes (default vendor/bin)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
pin_file=${RMOUNT_RCLONE_PIN:-$here/rclone-version.json}
bin_dir=${RMOUNT_VENDOR_BIN:-$here/bin}
base=${RMOUNT_RCLONE_BASE:-https://downloads.rclone.org}
# rclone's release signing key (Nick Craig-Wood), as published in rclone's docs/content/KEYS.
signing_key=FBF737ECE9F8AB18604BD2AC93935E02FF3B54FA

say() { echo "fetch-rclone: $*"; }
die() {
  echo "fetch-rclone: $*" >&2
  exit 1
}

[[ $base == https://* ]] || die "the release server must be an https:// URL, not $base"
command -v node >/dev/null || die "node is needed to read $pin_file"

# One field of the pin file ("version", "sha256.linux-amd64"); empty when absent.
pin() {
  node -e '
    const value = process.argv[2].split(".").reduce((o, k) => (o == null ? undefined : o[k]), JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")))
    process.stdout.write(value == null ? "" : String(value))
  ' "$pin_file" "$1"
}

sha256() {
  if command -v sha256sum >/dev/null; then sha256sum "$1"; else shasum -a 256 "$1"; fi | cut -d ' ' -f 1
}

version=$(pin version)
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "$pin_file holds no version like 1.68.2"

case $(uname -s) in
  Linux) os=linux ;;
  Darwin) os=osx ;;
  FreeBSD) os=freebsd ;;
  MINGW* | MSYS* | CYGWIN*) os=windows ;;
  *) die "no rclone release for the OS $(uname -s)" ;;
esac
case $(uname -m) in
  x86_64 | amd64) arch=amd64 ;;
  aarch64 | arm64) arch=arm64 ;;
  i386 | i686) arch=386 ;;
  armv7l) arch=arm-v7 ;;
  *) die "no rclone release for the CPU $(uname -m)" ;;
esac
platform=$os-$arch
exe=rclone
[[ $os == windows ]] && exe=rclone.exe
name=rclone-v$version-$platform
pinned=$(pin "sha256.$platform")

if [[ ${1:-} != --force && -x $bin_dir/$exe ]] && [[ $("$bin_dir/$exe" version 2>/dev/null | head -n 1) == "rclone v$version" ]]; then
  say "rclone v$version is already in $bin_dir"
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fetch() {
  curl --proto '=https' --tlsv1.2 --fail --silent --show-error --location --retry 2 --connect-timeout 15 --output "$2" "$1"
}

zip=$work/$name.zip
if [[ -n ${RCLONE_ZIP:-} ]]; then
  cp -- "$RCLONE_ZIP" "$zip"
else
  say "downloading $base/v$version/$name.zip"
  fetch "$base/v$version/$name.zip" "$zip" || die "could not download $name.zip"
fi
actual=$(sha256 "$zip")
checks=0

# 1. The release's SHA256SUMS (a PGP clear-signed list of "<sha256>  <file>" lines).
if fetch "$base/v$version/SHA256SUMS" "$work/SHA256SUMS" 2>"$work/sums-error"; then
  listed=$(awk -v file="$name.zip" '$2 == file && $1 ~ /^[0-9a-f]+$/ && length($1) == 64 { print $1 }' "$work/SHA256SUMS")
  [[ -n $listed ]] || die "the release's SHA256SUMS does not list $name.zip: not installing"
  [[ $listed == "$actual" ]] || die "$name.zip has SHA256 $actual, but the release's SHA256SUMS says $listed: not installing"
  checks=$((checks + 1))
  say "SHA256 matches the release's SHA256SUMS"
  if command -v gpg >/dev/null && gpg --list-keys "$signing_key" >/dev/null 2>&1; then
    gpg --status-fd 1 --verify "$work/SHA256SUMS" 2>/dev/null | awk -v key="$signing_key" '$2 == "VALIDSIG" && $NF == key { found = 1 } END { exit !found }' ||
      die "the release's SHA256SUMS is not signed by rclone's release key $signing_key: not installing"
    say "SHA256SUMS is signed by rclone's release key"
  else
    say "SHA256SUMS signature not checked: gpg does not have rclone's release key $signing_key (optional)"
  fi
else
  say "could not fetch the release's SHA256SUMS ($(head -n 1 "$work/sums-error"))"
fi

# 2. The checksum pinned in the repository.
if [[ -n $pinned ]]; then
  [[ $pinned == "$actual" ]] || die "$name.zip has SHA256 $actual, but $pin_file pins $pinned: not installing"
  checks=$((checks + 1))
  say "SHA256 matches the pinned checksum"
else
  say "no checksum pinned for $platform in $pin_file (fill it from the release's SHA256SUMS on a machine with network)"
fi

((checks > 0)) || die "neither the release's SHA256SUMS nor a pinned checksum could verify $name.zip: not installing"

if command -v unzip >/dev/null; then
  unzip -q -o "$zip" "$name/$exe" -d "$work"
else
  python3 -m zipfile -e "$zip" "$work"
fi
[[ -f $work/$name/$exe ]] || die "$name.zip holds no $name/$exe"
mkdir -p "$bin_dir"
# Written beside, then renamed: a running RMount never sees half a binary.
install -m 0755 "$work/$name/$exe" "$bin_dir/.$exe.new"
mv -f "$bin_dir/.$exe.new" "$bin_dir/$exe"
say "installed $("$bin_dir/$exe" version 2>/dev/null | head -n 1 || echo "$name/$exe") in $bin_dir"
