#!/usr/bin/env bash
# The packaging and release side of trustpub, as a fresh machine sees it (nothing installed by
# hand). Tools (maturin, zig, auditwheel, zizmor, pre-commit) come from PyPI into a virtual
# environment under target/ci.
#
# 1. the portable wheel: `maturin build --release --zig --compatibility manylinux2014`; its tag
#    is manylinux_2_17, auditwheel confirms the glibc floor, it carries both licences and the
#    project URLs; installed into a fresh virtual environment, it runs `--version` and the
#    bundled example;
# 2. trustpub's own release pipeline: `trustpub check` on .github/workflows against
#    .github/expected-publishers.toml, and zizmor (pedantic) on the workflows and action.yml,
#    both without a finding;
# 3. the action's install path (scripts/action/install.sh) against a loopback file server
#    playing the release: download, SHA-256 check, cache hit, a tampered archive refused; and
#    input errors turned into annotations on their file and line;
# 4. the pre-commit hooks of .pre-commit-hooks.yaml on a sample repository: `trustpub` (built
#    by pre-commit with cargo) and `trustpub-system` (the installed wheel), each passing on a
#    good workflow and failing, naming the rule, on a bad one.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=$root/target/ci
rm -rf "$build/tools" "$build/venv" "$build/wheels" "$build/sample" "$build/pre-commit" "$build/release" "$build/cache"
mkdir -p "$build"
export CARGO_TARGET_DIR=$build/target
export PIP_DISABLE_PIP_VERSION_CHECK=1
passed=0

step() { printf '\n== %s (%ss)\n' "$1" "$SECONDS"; }
ok() { passed=$((passed + 1)); echo "ok: $1"; }
fail() { echo "FAILED: $1" >&2; exit 1; }

step "tools: maturin, zig, auditwheel, zizmor and pre-commit from PyPI"
python3 -m venv "$build/tools"
"$build/tools/bin/pip" install --quiet "maturin>=1.9,<2" "ziglang>=0.14" "auditwheel>=6" \
  "zizmor==1.32.0" "pre-commit>=3,<5"
export PATH="$build/tools/bin:$PATH"   # maturin finds zig as `python -m ziglang`

step "wheel: maturin build --release --zig --compatibility manylinux2014"
start=$SECONDS
maturin build --release --zig --compatibility manylinux2014 --out "$build/wheels"
wheel=$(ls "$build"/wheels/trustpub-*.whl)
echo "built $(basename "$wheel") in $((SECONDS - start)) s, $(du -k "$wheel" | cut -f1) KiB"
[[ $(basename "$wheel") == *manylinux_2_17_x86_64* ]] || fail "the wheel is not tagged manylinux_2_17"
auditwheel show "$wheel" > "$build/auditwheel.txt" 2>&1 || { cat "$build/auditwheel.txt"; fail "auditwheel show"; }
tr -s ' \n' ' ' < "$build/auditwheel.txt" | grep -q 'consistent with the following platform tag: "manylinux_2_17_x86_64"' \
  || { cat "$build/auditwheel.txt"; fail "auditwheel does not confirm the glibc 2.17 floor"; }
python3 - "$wheel" <<'PY' || fail "the wheel lacks a licence file or the project URLs"
import sys, zipfile
names = zipfile.ZipFile(sys.argv[1]).namelist()
meta = zipfile.ZipFile(sys.argv[1]).read([n for n in names if n.endswith("METADATA")][0]).decode()
assert any(n.endswith("licenses/LICENSE-MIT") for n in names), names
assert any(n.endswith("licenses/LICENSE-APACHE") for n in names), names
assert "Project-URL: Repository, https://github.com/trustpub/trustpub" in meta
PY
ok "portable wheel: manylinux_2_17 (auditwheel), licences and project URLs"

python3 -m venv "$build/venv"
"$build/venv/bin/pip" install --quiet --no-index "$wheel"
version=$("$build/venv/bin/trustpub" --version)
echo "$version"
[[ $version =~ ^trustpub\ ([0-9]+\.[0-9]+\.[0-9]+)\ \(([0-9a-f]{7,}|unknown)\)$ ]] || fail "unexpected --version: $version"
semver=${BASH_REMATCH[1]}
# The bundled example, from the project root (it reads ./expected-publishers.toml).
# TestPyPI refused that run: exit 1, TestPyPI's own answer as the verdict.
code=0
"$build/venv/bin/trustpub" explain --log fixtures/logs/owlclaw-invalid-publisher.gh.log > "$build/example.txt" || code=$?
[ "$code" = 1 ] && grep -q "testpypi · owlclaw: mismatch (invalid-publisher)" "$build/example.txt" \
  || { cat "$build/example.txt"; fail "the bundled example (exit $code)"; }
ok "the wheel installs and runs the bundled example: $(grep -m1 "owlclaw: mismatch" "$build/example.txt")"

step "dogfood: trustpub and zizmor on trustpub's own release pipeline"
"$build/venv/bin/trustpub" --config .github/expected-publishers.toml check --repository trustpub/trustpub \
  > "$build/own-check.txt" 2>&1 || { cat "$build/own-check.txt"; fail "trustpub check on .github/workflows"; }
grep -qx "no findings" "$build/own-check.txt" || { cat "$build/own-check.txt"; fail "findings on the own workflows"; }
ok "trustpub check: no findings on .github/workflows"
zizmor --offline --persona pedantic --no-progress .github/workflows action.yml > "$build/zizmor.txt" 2>&1 \
  || { cat "$build/zizmor.txt"; fail "zizmor on the workflows and action.yml"; }
grep -q "No findings to report" "$build/zizmor.txt" || { cat "$build/zizmor.txt"; fail "zizmor findings"; }
ok "zizmor (pedantic): no findings on .github/workflows and action.yml"

step "action: install the release binary from a loopback file server"
release=$build/release/v$semver
mkdir -p "$release" "$build/cache"
cp "$build/venv/bin/trustpub" "$build/release/trustpub"
tar -czf "$release/trustpub-x86_64-unknown-linux-gnu.tar.gz" -C "$build/release" trustpub
(cd "$release" && sha256sum trustpub-x86_64-unknown-linux-gnu.tar.gz > SHA256SUMS)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$build/release" > "$build/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.1; done
install() {
  env RUNNER_OS=Linux RUNNER_ARCH=X64 ACTION_REF="v$semver" ACTION_PATH="$root" \
    TRUSTPUB_CACHE_DIR="$build/cache" TRUSTPUB_DOWNLOAD_BASE="${base:-http://127.0.0.1:$port}" \
    scripts/action/install.sh "$@"
}
start=$(date +%s%N)
bin=$(install 2> "$build/install.log" | tail -n 1) || { cat "$build/install.log"; fail "install.sh"; }
cold=$((($(date +%s%N) - start) / 1000000))
"$bin" --version > /dev/null || fail "the installed binary does not run"
grep -q "downloading http://127.0.0.1:$port/v$semver/trustpub-x86_64-unknown-linux-gnu.tar.gz" "$build/install.log" \
  || { cat "$build/install.log"; fail "install.sh did not download the release archive"; }
ok "download, checksum and install: ${cold} ms to a runnable binary"
kill $server; wait $server 2>/dev/null || true
bin2=$(install 2> "$build/install2.log" | tail -n 1) || { cat "$build/install2.log"; fail "install.sh from the cache"; }
[ "$bin2" = "$bin" ] && grep -q "from the cache" "$build/install2.log" || { cat "$build/install2.log"; fail "the cache was not used"; }
ok "a second run takes the cached binary, with the server gone"
rm -rf "$build/cache"; mkdir -p "$build/cache"
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$build/release" > "$build/server.log" 2>&1 &
server=$!
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.1; done
echo "tampered" >> "$release/trustpub-x86_64-unknown-linux-gnu.tar.gz"
if install > /dev/null 2> "$build/install3.log"; then cat "$build/install3.log"; fail "a tampered archive was installed"; fi
grep -q "checksum mismatch" "$build/install3.log" || { cat "$build/install3.log"; fail "no checksum error"; }
ok "a tampered archive is refused: $(grep -o 'checksum mismatch[^:]*' "$build/install3.log")"
if (base=http://example.com install > /dev/null 2> "$build/install4.log"); then fail "plain http accepted"; fi
grep -q "insecure URL" "$build/install4.log" || { cat "$build/install4.log"; fail "no insecure-URL error"; }
ok "plain http to another host is refused"
printf 'error: expected-publishers.toml:4:12: invalid TOML: expected `=`\n' \
  | scripts/action/annotate.sh > "$build/annotations.txt"
grep -qx '::error file=expected-publishers.toml,line=4,col=12,title=trustpub::invalid TOML: expected `=`' "$build/annotations.txt" \
  || { cat "$build/annotations.txt"; fail "annotate.sh"; }
ok "an input error becomes an annotation on its file and line"

step "pre-commit: the hooks on a sample repository"
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
hook() { (cd "$sample" && PATH="$build/venv/bin:$PATH" pre-commit try-repo "$root" "$1" --all-files --color never); }
for id in trustpub trustpub-system; do
  start=$SECONDS
  hook "$id" > "$build/hook-$id-pass.txt" 2>&1 || { cat "$build/hook-$id-pass.txt"; fail "$id failed on a good repository"; }
  grep -q "trustpub check.*Passed" "$build/hook-$id-pass.txt" || { cat "$build/hook-$id-pass.txt"; fail "$id"; }
  ok "$id passes on a good workflow ($((SECONDS - start)) s, first run)"
done
sed -i 's/name: pypi$/name: release/' "$sample/.github/workflows/release.yml"
git_sample commit -q -am "break the environment"
for id in trustpub trustpub-system; do
  if hook "$id" > "$build/hook-$id-fail.txt" 2>&1; then cat "$build/hook-$id-fail.txt"; fail "$id passed on a bad workflow"; fi
  grep -q "trustpub check.*Failed" "$build/hook-$id-fail.txt" && grep -q "environment-mismatch" "$build/hook-$id-fail.txt" \
    || { cat "$build/hook-$id-fail.txt"; fail "$id"; }
  ok "$id fails on a bad workflow with environment-mismatch"
done

echo
echo "packaging: $passed passed, 0 failed"
