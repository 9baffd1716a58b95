#!/usr/bin/env bash
# The Python side of trustpub, as a fresh machine sees it (nothing installed by hand):
#
# 1. builds the wheel with maturin (one release build), installs it into a fresh virtual
#    environment, and runs `trustpub --version` and the bundled example from there;
# 2. runs the pre-commit hook of .pre-commit-hooks.yaml (`pre-commit try-repo`) on a sample
#    repository: it passes on a good workflow and fails, naming the rule, on a bad one.
#
# Tools (maturin, pre-commit) come from PyPI into a virtual environment under target/ci.
# pre-commit builds the hook with cargo; CARGO_TARGET_DIR is shared with the wheel's build so
# that the dependencies are compiled once.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=$root/target/ci
rm -rf "$build/tools" "$build/venv" "$build/wheels" "$build/sample" "$build/pre-commit"
mkdir -p "$build"
export CARGO_TARGET_DIR=$build/target
export PIP_DISABLE_PIP_VERSION_CHECK=1

step() { printf '\n== %s (%ss)\n' "$1" "$SECONDS"; }

step "tools: maturin and pre-commit from PyPI"
python3 -m venv "$build/tools"
"$build/tools/bin/pip" install --quiet "maturin>=1.9,<2" "pre-commit>=3,<5"

step "wheel: maturin build --release"
"$build/tools/bin/maturin" build --release --out "$build/wheels"
wheel=$(ls "$build"/wheels/trustpub-*.whl)
echo "built $(basename "$wheel")"

step "install the wheel into a fresh virtual environment, and run it from there"
python3 -m venv "$build/venv"
"$build/venv/bin/pip" install --quiet --no-index "$wheel"
version=$("$build/venv/bin/trustpub" --version)
echo "$version"
[[ $version =~ ^trustpub\ [0-9]+\.[0-9]+\.[0-9]+\ \(([0-9a-f]{7,}|unknown)\)$ ]] || {
  echo "unexpected --version: $version" >&2; exit 1; }
# The bundled example, from the project root (it reads ./expected-publishers.toml).
"$build/venv/bin/trustpub" explain --log fixtures/logs/owlclaw-invalid-publisher.gh.log \
  > "$build/example.txt"
grep -q "testpypi · owlclaw: match" "$build/example.txt" || { cat "$build/example.txt"; exit 1; }
echo "the bundled example: $(grep -m1 "owlclaw: match" "$build/example.txt")"

step "pre-commit: the trustpub hook on a sample repository"
sample=$build/sample
mkdir -p "$sample/.github/workflows"
cp tests/golden/check/clean/.github/workflows/release.yml "$sample/.github/workflows/"
cp tests/golden/check/clean/expected-publishers.toml "$sample/"
git_sample() { git -C "$sample" -c user.name=ci -c user.email=ci@localhost "$@"; }
git_sample init -q
git_sample remote add origin https://github.com/octo-org/widget.git
git_sample add -A
git_sample commit -q -m sample
export PRE_COMMIT_HOME=$build/pre-commit
hook() { (cd "$sample" && "$build/tools/bin/pre-commit" try-repo "$root" trustpub --all-files --color never); }
hook > "$build/hook-pass.txt" 2>&1 || { cat "$build/hook-pass.txt"; echo "the hook failed on a good repository" >&2; exit 1; }
grep -q "trustpub check.*Passed" "$build/hook-pass.txt" || { cat "$build/hook-pass.txt"; exit 1; }
echo "good workflow: passed"
sed -i 's/name: pypi$/name: release/' "$sample/.github/workflows/release.yml"
git_sample commit -q -am "break the environment"
if hook > "$build/hook-fail.txt" 2>&1; then
  cat "$build/hook-fail.txt"; echo "the hook passed on a bad workflow" >&2; exit 1
fi
grep -q "trustpub check.*Failed" "$build/hook-fail.txt" && grep -q "environment-mismatch" "$build/hook-fail.txt" \
  || { cat "$build/hook-fail.txt"; exit 1; }
echo "bad workflow: failed with environment-mismatch"

echo
echo "packaging: 3 passed, 0 failed"
