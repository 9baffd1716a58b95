#!/usr/bin/env bash
# Benchmark: `trustpub drift` over N declared publishers (default 500, each its own repository
# and project) against a local server that answers every request after DELAY_MS (default 50).
# Prints the wall time, the requests served and the exit code. Traffic stays on 127.0.0.1;
# the server stops by itself after 5 minutes at the latest.
#
#   bench/run.sh            # N=500 DELAY_MS=50, the default --jobs
#   N=100 JOBS=32 bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-500}
DELAY_MS=${DELAY_MS:-50}
JOBS=${JOBS:-}

cargo build --quiet --release --locked --bin trustpub --example bench-server
work=$(mktemp -d)
./target/release/examples/bench-server --delay-ms "$DELAY_MS" --seconds 300 >"$work/port" &
server=$!
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.05; done
port=$(head -n1 "$work/port")
base="http://127.0.0.1:$port"

for i in $(seq 0 $((N - 1))); do
  printf '[[publisher]]\nregistry = "pypi"\nproject = "pkg-%d"\nowner = "bench-org"\nrepository = "repo-%d"\nworkflow = "release.yml"\nenvironment = "release"\nowner-id = 1000\n\n' "$i" "$i"
done >"$work/expected-publishers.toml"

args=(--config "$work/expected-publishers.toml" --format json drift
  --github-api-url "$base/github" --pypi-url "$base/pypi" --testpypi-url "$base/testpypi"
  --output "$work/drift.json")
[ -n "$JOBS" ] && args+=(--jobs "$JOBS")

start=$(date +%s%N)
code=0
./target/release/trustpub "${args[@]}" 2>"$work/stderr" || code=$?
end=$(date +%s%N)

exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'GET /__stats HTTP/1.1\r\nhost: bench\r\n\r\n' >&3
stats=$(timeout 5 cat <&3 | tail -n1 || true)
exec 3>&-

echo "publishers: $N, server delay: ${DELAY_MS} ms, jobs: ${JOBS:-default}"
echo "requests:   $stats"
echo "exit code:  $code ($(cat "$work/stderr"))"
awk -v ns=$((end - start)) 'BEGIN { printf "wall time:  %.2f s\n", ns / 1e9 }'
