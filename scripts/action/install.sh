#!/usr/bin/env bash
# Installs trustpub for the composite action (action.yml), without a compiler when it can: the
# release binary for the runner's platform, its SHA-256 checked against the release's SHA256SUMS,
# kept in a cache folder; built from the action's own checkout only when no release binary is
# the pinned code. Prints the binary's path on its last line.
#
# Environment:
#   TRUSTPUB_VERSION         the version to install (`0.2.0`, `v0.2.0`); empty: the action's ref
#                            when it is a version tag, else the version of the checked-out code
#   ACTION_REF               the ref the action was pinned to (a tag or a commit)
#   ACTION_PATH              the action's checkout (its Cargo.toml, the source fallback)
#   RUNNER_OS, RUNNER_ARCH   the runner's platform (Linux/macOS/Windows, X64/ARM64)
#   TRUSTPUB_CACHE_DIR       where binaries are kept (restored by actions/cache)
#   TRUSTPUB_DOWNLOAD_BASE   release downloads (default https://github.com/trustpub/trustpub/releases/download);
#                            plain http only to localhost, for tests
set -euo pipefail

die() { echo "::error title=trustpub install::$*" >&2; exit 1; }

case "${RUNNER_OS:-Linux}/${RUNNER_ARCH:-X64}" in
  Linux/X64) target=x86_64-unknown-linux-gnu ;;
  Linux/ARM64) target=aarch64-unknown-linux-gnu ;;
  macOS/X64) target=x86_64-apple-darwin ;;
  macOS/ARM64) target=aarch64-apple-darwin ;;
  Windows/X64) target=x86_64-pc-windows-msvc ;;
  *) target="" ;;
esac

base=${TRUSTPUB_DOWNLOAD_BASE:-https://github.com/trustpub/trustpub/releases/download}
case "$base" in
  https://*|http://127.0.0.1[:/]*|http://localhost[:/]*) ;;
  *) die "refusing to download over an insecure URL: $base" ;;
esac
cache=${TRUSTPUB_CACHE_DIR:?TRUSTPUB_CACHE_DIR is not set}
ref=${ACTION_REF:-}
semver='^v?[0-9]+\.[0-9]+\.[0-9]+$'

# Which version, and which commit the binary must have been built from (when pinned by commit).
version=${TRUSTPUB_VERSION:-}
want_commit=""
if [ -z "$version" ]; then
  if [[ $ref =~ $semver ]]; then
    version=$ref
  else
    version=$(sed -n 's/^version = "\([^"]*\)"$/\1/p' "${ACTION_PATH:-.}/Cargo.toml" | head -n 1)
    [[ $ref =~ ^[0-9a-f]{7,40}$ ]] && want_commit=${ref:0:12}
  fi
fi
version=${version#v}

from_source() {
  echo "building trustpub from the action's checkout ($1)" >&2
  command -v cargo >/dev/null || die "no release binary fits ($1), and no Rust toolchain to build one"
  local root="$cache/source-${ref:-local}"
  cargo install --locked --quiet --path "${ACTION_PATH:-.}" --root "$root" >&2
  echo "$root/bin/trustpub"
}

[ -n "$target" ] || { from_source "no release binary for ${RUNNER_OS:-?}/${RUNNER_ARCH:-?}"; exit 0; }
[ -n "$version" ] || { from_source "no version to download"; exit 0; }

exe=trustpub; archive="trustpub-$target.tar.gz"
if [ "${RUNNER_OS:-}" = Windows ]; then exe=trustpub.exe; archive="trustpub-$target.zip"; fi
dir="$cache/$version/$target"
bin="$dir/$exe"

sha256() { if command -v sha256sum >/dev/null; then sha256sum "$1"; else shasum -a 256 "$1"; fi | cut -d' ' -f1; }

if [ -x "$bin" ] && [ -f "$dir/archive.sha256" ]; then
  echo "trustpub $version ($target) from the cache" >&2
else
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  url="$base/v$version"
  echo "downloading $url/$archive" >&2
  if ! curl --fail --silent --show-error --location --retry 3 --proto '=https,http' \
      --output "$tmp/$archive" "$url/$archive" \
    || ! curl --fail --silent --show-error --location --retry 3 --proto '=https,http' \
      --output "$tmp/SHA256SUMS" "$url/SHA256SUMS"; then
    from_source "no release $version to download"
    exit 0
  fi
  expected=$(awk -v f="$archive" '$2 == f || $2 == "*" f { print $1 }' "$tmp/SHA256SUMS" | head -n 1)
  [ -n "$expected" ] || die "SHA256SUMS of $version lists no $archive"
  actual=$(sha256 "$tmp/$archive")
  [ "$expected" = "$actual" ] || die "checksum mismatch for $archive: expected $expected, got $actual"
  mkdir -p "$dir"
  if [ "${archive##*.}" = zip ]; then unzip -q -o "$tmp/$archive" -d "$dir"; else tar -xzf "$tmp/$archive" -C "$dir"; fi
  echo "$actual" > "$dir/archive.sha256"
fi

# A binary pinned by commit must be that commit's build.
shown=$("$bin" --version)
echo "$shown" >&2
if [ -n "$want_commit" ] && [[ $shown != *"($want_commit"* ]]; then
  from_source "the release binary $version is not the pinned commit $want_commit"
  exit 0
fi
echo "$bin"
