#!/usr/bin/env bash
# Puts the rclone pinned in vendor/rclone-version.json, for this machine, into vendor/bin/.
#
# Linux amd64 (the default there): Debian's archive, suite and package pinned in "debian".
#   - apt itself verifies the download: a private sources list, lists and cache folder under
#     ${XDG_CACHE_HOME:-~/.cache}/rmount/apt, trusting only Debian's archive keyring (signed-by), so
#     the InRelease signature and the Packages checksums are checked. The system's apt configuration,
#     lists and cache are never touched, and nothing is installed as a package: the binary is taken
#     out with `dpkg-deb -x`.
#   - then the .deb must have the sha256 pinned in "debian.sha256".
#   - when the archive no longer carries the pinned version (sid moves on), the newest one there that
#     is at least the pin is taken, loudly: apt still verifies it, but the sha256 pin cannot apply.
#   - the .deb stays in the cache: a second run downloads nothing.
# Other platforms (or RMOUNT_RCLONE_SOURCE=upstream, or RCLONE_ZIP): rclone's release zip from
#   downloads.rclone.org, verified against the release's SHA256SUMS (and its PGP signature when gpg
#   has rclone's release key) and against the checksum pinned in "sha256" when one is set. Every
#   check that runs must pass, and at least one must run.
#
# Nothing is installed unless a check vouched for it; the binary is written beside and renamed, so a
# running RMount never sees half a file. When nothing can be fetched the script says what it tried
# and exits non-zero: RMount then uses the rclone on PATH (`rmount check` says which and what it lacks).
#
# Usage: vendor/fetch-rclone.sh [--force]      (--force: fetch even if a recent enough rclone is installed)
# Environment, for offline installs, other mirrors and tests:
#   RMOUNT_RCLONE_SOURCE   debian | upstream (default: debian on linux-amd64, upstream elsewhere)
#   RMOUNT_APT_DIR         apt's private folder (default ${XDG_CACHE_HOME:-$HOME/.cache}/rmount/apt)
#   RMOUNT_DEBIAN_MIRROR   the Debian mirror (default: "debian.mirror" in the pin file)
#   RMOUNT_DEBIAN_KEYRING  the keyring apt trusts (default /usr/share/keyrings/debian-archive-keyring.gpg)
#   RCLONE_ZIP             an already-downloaded release zip to verify and install (upstream path)
#   RMOUNT_RCLONE_BASE     the release server (default https://downloads.rclone.org); https only
#   RMOUNT_RCLONE_PIN      the pin file (default vendor/rclone-version.json)
#   RMOUNT_VENDOR_BIN      where rclone goes (default vendor/bin)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
pin_file=${RMOUNT_RCLONE_PIN:-$here/rclone-version.json}
bin_dir=${RMOUNT_VENDOR_BIN:-$here/bin}
# rclone's release signing key (Nick Craig-Wood), as published in rclone's docs/content/KEYS.
signing_key=FBF737ECE9F8AB18604BD2AC93935E02FF3B54FA

say() { echo "fetch-rclone: $*"; }
die() {
  echo "fetch-rclone: $*" >&2
  exit 1
}
# For what a person must not miss: a different version than pinned, a check that could not run.
loud() {
  echo "fetch-rclone: ************************************************************************" >&2
  local line
  for line in "$@"; do echo "fetch-rclone: *** $line" >&2; done
  echo "fetch-rclone: ************************************************************************" >&2
}

command -v node >/dev/null || die "node is needed to read $pin_file"

# One field of the pin file ("version", "sha256.linux-amd64", "debian.sha256"); empty when absent.
pin() {
  node -e '
    const value = process.argv[2].split(".").reduce((o, k) => (o == null ? undefined : o[k]), JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")))
    process.stdout.write(value == null ? "" : String(value))
  ' "$pin_file" "$1"
}

sha256() {
  if command -v sha256sum >/dev/null; then sha256sum "$1"; else shasum -a 256 "$1"; fi | cut -d ' ' -f 1
}

# version_ge A B: A >= B, in Debian's ordering when dpkg is there (it knows 1.75.2-2 and ~rc), else sort -V.
version_ge() {
  if command -v dpkg >/dev/null; then
    dpkg --compare-versions "$1" ge "$2"
  else
    [[ $(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n 1) == "$2" ]]
  fi
}

version=$(pin version)
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "$pin_file holds no version like 1.75.2"

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

source=${RMOUNT_RCLONE_SOURCE:-}
if [[ -z $source ]]; then
  if [[ $platform == linux-amd64 && -z ${RCLONE_ZIP:-} ]]; then source=debian; else source=upstream; fi
fi
[[ $source == debian || $source == upstream ]] || die "RMOUNT_RCLONE_SOURCE must be debian or upstream, not $source"

# "1.75.2" from `rclone version`'s first line ("rclone v1.75.2", "rclone v1.60.1-DEV"); empty if it does not run.
installed_version() {
  # sed reads every line (no head): an early close would kill rclone with SIGPIPE and fail the pipeline.
  { "$1" version 2>/dev/null || true; } | sed -n '1s/^rclone v\([0-9][0-9.]*\).*/\1/p'
}

if [[ ${1:-} != --force && -x $bin_dir/$exe ]]; then
  have=$(installed_version "$bin_dir/$exe")
  if [[ -n $have ]] && version_ge "$have" "$version"; then
    say "rclone v$have is already in $bin_dir (the pin is v$version): nothing to fetch"
    exit 0
  fi
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Copies a verified binary into bin_dir (beside, checked to run, then renamed) and records where it came from.
install_binary() {
  local from=$1 provenance=$2
  mkdir -p "$bin_dir"
  install -m 0755 "$from" "$bin_dir/.$exe.new"
  local got
  got=$(installed_version "$bin_dir/.$exe.new")
  if [[ -z $got ]]; then
    rm -f "$bin_dir/.$exe.new"
    die "the verified binary does not run as rclone on this machine: not installing"
  fi
  mv -f "$bin_dir/.$exe.new" "$bin_dir/$exe"
  printf '%s\n' "$provenance" >"$bin_dir/$exe.provenance"
  say "installed rclone v$got in $bin_dir ($provenance)"
}

# ---------------------------------------------------------------------------------------------------
# Debian's archive, through apt with a private configuration.
fetch_debian() {
  local package suite deb_version deb_sha mirror keyring apt_dir debs
  package=$(pin debian.package)
  suite=$(pin debian.suite)
  deb_version=$(pin debian.version)
  deb_sha=$(pin debian.sha256)
  mirror=${RMOUNT_DEBIAN_MIRROR:-$(pin debian.mirror)}
  keyring=${RMOUNT_DEBIAN_KEYRING:-/usr/share/keyrings/debian-archive-keyring.gpg}
  apt_dir=${RMOUNT_APT_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/rmount/apt}
  debs=$apt_dir/debs
  [[ -n $package && -n $suite && -n $deb_version && -n $mirror ]] || die "$pin_file has no complete \"debian\" pin (package, suite, version, mirror)"
  [[ $deb_sha =~ ^[0-9a-f]{64}$ ]] || die "$pin_file pins no sha256 for the Debian package"
  local tried="Debian $suite ($mirror) through apt, package $package >= $deb_version"

  # The cache: the pinned .deb with the pinned sha256 needs no network at all.
  local cached=$debs/${package}_${deb_version}_amd64.deb
  if [[ -f $cached ]]; then
    local cached_sha
    cached_sha=$(sha256 "$cached")
    if [[ $cached_sha == "$deb_sha" ]]; then
      say "using the cached $cached (SHA256 matches the pin $deb_sha): nothing downloaded"
      extract_deb "$cached" "Debian $suite $package $deb_version amd64, sha256 $deb_sha (apt-verified signature, pinned sha256)"
      return
    fi
    say "the cached $cached has SHA256 $cached_sha, not the pinned $deb_sha: discarding it"
    rm -f -- "$cached"
  fi

  command -v apt-get >/dev/null || die "tried $tried: apt-get is not installed. Set RMOUNT_RCLONE_SOURCE=upstream to fetch rclone's release zip instead."
  command -v dpkg-deb >/dev/null || die "tried $tried: dpkg-deb is not installed (Debian/Ubuntu: apt install dpkg)"
  [[ -r $keyring ]] || die "tried $tried: Debian's archive keyring $keyring is missing (apt install debian-archive-keyring), and without it nothing can be verified"

  mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$debs"
  printf 'deb [signed-by=%s] %s %s main\n' "$keyring" "$mirror" "$suite" >"$apt_dir/sources.list"
  # Everything apt reads or writes is ours: sources, lists, cache, an empty status and no pinning
  # preferences, so the candidate is simply the newest version the signed archive offers.
  local apt_opts=(
    -o "Dir::Etc::SourceList=$apt_dir/sources.list"
    -o Dir::Etc::SourceParts=/dev/null
    -o Dir::Etc::Preferences=/dev/null
    -o Dir::Etc::PreferencesParts=/dev/null
    -o "Dir::State::Lists=$apt_dir/lists"
    -o Dir::State::Status=/dev/null
    -o "Dir::Cache=$apt_dir/cache"
    -o APT::Architecture=amd64
    -o APT::Architectures=amd64
    -o Acquire::Languages=none
    -o Acquire::AllowInsecureRepositories=false
    -o Acquire::AllowDowngradeToInsecureRepositories=false
  )
  # As root, apt drops to the _apt user for downloads, which cannot write to a folder under root's home.
  [[ $(id -u) -eq 0 ]] && apt_opts+=(-o APT::Sandbox::User=root)

  say "reading Debian $suite's package list from $mirror (apt checks its signature against $keyring)"
  if ! apt-get "${apt_opts[@]}" -q update >"$work/apt-update.log" 2>&1 || grep -qE '^(W|E): ' "$work/apt-update.log"; then
    sed 's/^/  apt: /' "$work/apt-update.log" >&2
    die "tried $tried: apt could not read a signed package list (above). Nothing installed; RMount will use the rclone on PATH."
  fi

  local stanza candidate listed_sha
  stanza=$(apt-cache "${apt_opts[@]}" show --no-all-versions "$package" 2>/dev/null || true)
  candidate=$(sed -n 's/^Version: //p' <<<"$stanza" | head -n 1)
  listed_sha=$(sed -n 's/^SHA256: //p' <<<"$stanza" | head -n 1)
  [[ -n $candidate ]] || die "tried $tried: Debian $suite carries no package $package for amd64"

  local pin_applies=true
  if [[ $candidate == "$deb_version" ]]; then
    say "Debian $suite carries the pinned $package $deb_version"
  elif version_ge "$candidate" "$deb_version"; then
    pin_applies=false
    loud "Debian $suite no longer carries the pinned $package $deb_version; it has $candidate." \
      "Taking $candidate (newer than the pin). apt verifies its signature and checksum," \
      "but the pinned sha256 was for $deb_version and CANNOT apply to $candidate." \
      "Update \"debian\" in $pin_file once $candidate has been tested."
  else
    die "tried $tried: Debian $suite carries only $package $candidate, older than the pin $deb_version: not installing"
  fi

  local deb=$debs/${package}_${candidate}_amd64.deb
  if [[ -n $listed_sha && -f $deb && $(sha256 "$deb") == "$listed_sha" ]]; then
    say "using the cached $deb (SHA256 matches Debian's signed package list): nothing downloaded"
  else
    say "downloading $package $candidate with apt-get download"
    mkdir -p "$work/download"
    if ! (cd "$work/download" && apt-get "${apt_opts[@]}" -q download "$package=$candidate") >"$work/apt-download.log" 2>&1; then
      sed 's/^/  apt: /' "$work/apt-download.log" >&2
      die "tried $tried: apt-get download $package=$candidate failed (above)"
    fi
    deb=$(find "$work/download" -maxdepth 1 -name "${package}_*.deb" | head -n 1)
    [[ -n $deb ]] || die "tried $tried: apt-get download left no .deb"
  fi
  local actual
  actual=$(sha256 "$deb")
  # apt already refused anything that differs from the signed Packages list; this is the same fact, said.
  [[ -z $listed_sha || $actual == "$listed_sha" ]] || die "$(basename "$deb") has SHA256 $actual, but Debian's signed package list says $listed_sha: not installing"
  local provenance
  if $pin_applies; then
    [[ $actual == "$deb_sha" ]] || die "$(basename "$deb") has SHA256 $actual, but $pin_file pins $deb_sha: not installing"
    say "SHA256 matches the pin $deb_sha"
    provenance="Debian $suite $package $candidate amd64, sha256 $actual (apt-verified signature, pinned sha256)"
  else
    provenance="Debian $suite $package $candidate amd64, sha256 $actual (apt-verified signature; NEWER than the pin $deb_version, sha256 pin not applied)"
  fi
  [[ $deb == "$debs/${package}_${candidate}_amd64.deb" ]] || mv -f "$deb" "$debs/${package}_${candidate}_amd64.deb"
  extract_deb "$debs/${package}_${candidate}_amd64.deb" "$provenance"
}

# Takes usr/bin/rclone out of a verified .deb without installing the package.
extract_deb() {
  command -v dpkg-deb >/dev/null || die "dpkg-deb is not installed (Debian/Ubuntu: apt install dpkg)"
  mkdir -p "$work/deb"
  dpkg-deb -x "$1" "$work/deb" || die "dpkg-deb could not unpack $1"
  [[ -f $work/deb/usr/bin/rclone ]] || die "$1 holds no usr/bin/rclone"
  install_binary "$work/deb/usr/bin/rclone" "$2"
}

# ---------------------------------------------------------------------------------------------------
# rclone's own release zip.
fetch_upstream() {
  local base=${RMOUNT_RCLONE_BASE:-https://downloads.rclone.org}
  [[ $base == https://* ]] || die "the release server must be an https:// URL, not $base"
  local name=rclone-v$version-$platform
  local pinned
  pinned=$(pin "sha256.$platform")
  fetch() {
    curl --proto '=https' --tlsv1.2 --fail --silent --show-error --location --retry 2 --connect-timeout 15 --output "$2" "$1"
  }
  local zip=$work/$name.zip
  if [[ -n ${RCLONE_ZIP:-} ]]; then
    cp -- "$RCLONE_ZIP" "$zip"
  else
    say "downloading $base/v$version/$name.zip"
    fetch "$base/v$version/$name.zip" "$zip" || die "tried $base/v$version/$name.zip: could not download it. Nothing installed; RMount will use the rclone on PATH."
  fi
  local actual checks=0
  actual=$(sha256 "$zip")

  # 1. The release's SHA256SUMS (a PGP clear-signed list of "<sha256>  <file>" lines).
  if fetch "$base/v$version/SHA256SUMS" "$work/SHA256SUMS" 2>"$work/sums-error"; then
    local listed
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
  local how="SHA256SUMS"
  [[ -n $pinned ]] && how="$how and pinned sha256"
  install_binary "$work/$name/$exe" "rclone release $name.zip, sha256 $actual (checked against $how)"
}

if [[ $source == debian ]]; then
  [[ $platform == linux-amd64 ]] || die "the Debian source is pinned for linux-amd64 only, not $platform: use RMOUNT_RCLONE_SOURCE=upstream"
  fetch_debian
else
  fetch_upstream
fi
