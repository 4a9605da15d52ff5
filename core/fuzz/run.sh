#!/usr/bin/env bash
# Runs the fuzz targets on this machine (not in CI), then keeps what they found as regression files.
#
#   core/fuzz/run.sh [SECONDS] [TARGET...]     default: 1800 s each, every target, two at a time
#
# Seeds come from the real samples (seed.py, read at run time). Each target writes its own finds
# to corpus/<target>/; after the run they are merged (libFuzzer -merge=1: only inputs that add
# coverage) into regressions/<target>/, pruned to small inputs (prune.py) and reduced to a covering
# subset (-set_cover_merge=1). That folder is committed and replayed in CI by
# core/tests/fuzz_regressions.rs. Crashes land in artifacts/<target>/ and are copied to
# regressions/<target>/ as well, so a fixed crash stays fixed. Logs: logs/<target>.log.
set -euo pipefail
cd "$(dirname "$0")"
SECONDS_EACH=${1:-1800}
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(analyze p7m invoice_xml daticert rem_evidence imap_responses contacts dav_answers)
PARALLEL=${FUZZ_PARALLEL:-2}

python3 seed.py
cargo +nightly fuzz build -O
mkdir -p logs

run_one() {
  local t=$1
  mkdir -p "corpus/$t" "artifacts/$t" "regressions/$t"
  nice -n 19 cargo +nightly fuzz run -O "$t" "corpus/$t" "seeds/$t" "regressions/$t" -- \
    -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -timeout=10 -max_len=262144 \
    -print_final_stats=1 >"logs/$t.log" 2>&1 || echo "$t: the fuzzer stopped on a finding, see logs/$t.log"
}

running=0
for t in "${TARGETS[@]}"; do
  run_one "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$PARALLEL" ]; then wait -n; running=$((running - 1)); fi
done
wait

for t in "${TARGETS[@]}"; do
  bin=target/x86_64-unknown-linux-gnu/release/$t
  "$bin" -merge=1 "regressions/$t" "corpus/$t" >"logs/$t.merge.log" 2>&1
  ./prune.py "regressions/$t"
  # A smallest covering subset of what is left, so the committed folder stays a few hundred files.
  rm -rf "regressions/$t.min" && mkdir "regressions/$t.min"
  "$bin" -set_cover_merge=1 "regressions/$t.min" "regressions/$t" >"logs/$t.min.log" 2>&1
  rm -rf "regressions/$t" && mv "regressions/$t.min" "regressions/$t"
  cp -n artifacts/"$t"/* "regressions/$t/" 2>/dev/null || true
  echo "== $t: $(ls "regressions/$t" | wc -l) regression files"
  grep -E "^#[0-9]+ +DONE|^stat::" "logs/$t.log" || tail -3 "logs/$t.log"
done
