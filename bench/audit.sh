#!/usr/bin/env bash
# Benchmark: `trustpub audit --org` over N repositories (default 1000), each declaring 3
# publishers (PyPI, npm, crates.io), against a local server that answers every request after
# DELAY_MS (default 50) and honours If-None-Match. Runs twice with the same --cache folder:
# the first run fills it, the second is answered 304. Prints, per run, the wall time, the
# requests the server served (and how many were 304), the requests per repository, and the
# exit code. Traffic stays on 127.0.0.1; the server stops by itself after 10 minutes at most.
#
#   bench/audit.sh              # N=1000 DELAY_MS=50, the default --jobs
#   N=200 JOBS=64 bench/audit.sh
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-1000}
DELAY_MS=${DELAY_MS:-50}
JOBS=${JOBS:-}

[ -n "${SKIP_BUILD:-}" ] || cargo build --quiet --release --locked --bin trustpub --example bench-audit-server
work=$(mktemp -d)
./target/release/examples/bench-audit-server --repos "$N" --delay-ms "$DELAY_MS" --seconds 600 >"$work/port" &
server=$!
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.05; done
port=$(head -n1 "$work/port")
base="http://127.0.0.1:$port"

stats() {
  exec 3<>"/dev/tcp/127.0.0.1/$port"
  printf 'GET /__stats HTTP/1.1\r\nhost: bench\r\n\r\n' >&3
  timeout 5 cat <&3 | tail -n1 || true
  exec 3>&-
}

args=(--format json audit --org bench-org --no-progress --cache "$work/cache"
  --github-api-url "$base/github" --pypi-url "$base/pypi" --npm-url "$base/npm"
  --crates-io-url "$base/crates-io" --testpypi-url "$base/testpypi" --rubygems-url "$base/rubygems")
[ -n "$JOBS" ] && args+=(--jobs "$JOBS")

echo "repositories: $N (3 publishers each), server delay: ${DELAY_MS} ms, jobs: ${JOBS:-default}"
for run in first cached; do
  before=$(stats)
  start=$(date +%s%N)
  code=0
  ./target/release/trustpub "${args[@]}" --output "$work/$run.json" 2>"$work/stderr" || code=$?
  end=$(date +%s%N)
  after=$(stats)
  python3 - "$run" "$before" "$after" "$N" "$((end - start))" "$code" "$work/$run.json" <<'PY'
import json, sys
run, before, after, n, ns, code, report = sys.argv[1:]
b, a = json.loads(before), json.loads(after)
served = a["requests"] - b["requests"]
nm = a["not_modified"] - b["not_modified"]
r = json.load(open(report))
github = r["requests"]
print(f"{run:>6}: wall {int(ns) / 1e9:.2f} s, {served} requests ({served / int(n):.2f} per repository), "
      f"{nm} answered 304 ({100 * nm / max(served, 1):.1f} %), exit {code}; "
      f"report: {github['total']} requests, {github['cached']} from the cache, "
      f"statuses {r['summary']['publishers']}")
PY
done
