#!/usr/bin/env bash
# Runs one fuzz target for a while, its corpus seeded from the project's own inputs.
#
#   fuzz/run.sh TARGET [SECONDS] [extra libFuzzer flags...]
#
# TARGET is workflow, config, jwt, log or drift; SECONDS defaults to 600. cargo-fuzz drives libFuzzer,
# which needs nightly compiler flags: RUSTC_BOOTSTRAP=1 lets the stable toolchain accept them.
# New corpus entries go to fuzz/corpus/TARGET (not committed); a crash is written to
# fuzz/artifacts/TARGET/: copy it to fuzz/regressions/TARGET/ once fixed, and
# `cargo test --test fuzz_regressions` replays it for ever.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: fuzz/run.sh workflow|config|jwt|log|drift [SECONDS] [libFuzzer flags]}
seconds=${2:-600}
shift $(($# < 2 ? $# : 2))

corpus=fuzz/corpus/$target
mkdir -p "$corpus"
seed() { # copy files into the corpus under a name derived from their path
  for f in "$@"; do
    [ -f "$f" ] || continue
    cp "$f" "$corpus/seed-$(printf '%s' "$f" | tr '/ ' '__')"
  done
}
shopt -s nullglob globstar
case $target in
  workflow)
    seed tests/golden/check/*/.github/workflows/*.y*ml
    # The real workflows of the shared corpus, when it is beside the project.
    [ -d ../shared/corpus/workflows ] && seed ../shared/corpus/workflows/**/*.y*ml ;;
  config)
    seed expected-publishers.toml tests/golden/*/*/expected-publishers.toml ;;
  jwt)
    seed fixtures/jwt/*.jwt tests/golden/explain/*/token.jwt tests/golden/explain/*/claims.json \
      fixtures/owlclaw/*.json ;;
  log)
    seed fixtures/logs/* tests/golden/explain/*/run.log tests/golden/explain/*/stdin ;;
  drift)
    # Each golden case's recorded answers, one part each, in a fixed order (the harness gives
    # the Nth distinct URL asked the Nth part).
    for case in tests/golden/drift/*/recorded; do
      [ -d "$case" ] || continue
      out="$corpus/seed-$(printf '%s' "$case" | tr '/ ' '__')"
      first=1
      : > "$out"
      for f in "$case"/**/*.json; do
        [ $first = 1 ] || printf '\n---8<---\n' >> "$out"
        first=0
        cat "$f" >> "$out"
      done
    done ;;
  *) echo "unknown target $target" >&2; exit 2 ;;
esac
# Past crashes are seeds too.
seed fuzz/regressions/"$target"/*

dict=()
[ -f "fuzz/dict/$target.dict" ] && dict=(-dict="fuzz/dict/$target.dict")
# -a: debug assertions and overflow checks, so an arithmetic overflow is a finding too.
RUSTC_BOOTSTRAP=1 exec cargo fuzz run -a "$target" "$corpus" -- \
  -max_total_time="$seconds" -rss_limit_mb=4096 -timeout=10 -max_len=262144 \
  -print_final_stats=1 "${dict[@]}" "$@"
