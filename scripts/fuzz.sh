#!/usr/bin/env bash
# Runs every fuzz harness (tests/fuzz/fuzz_*.cpp, built by `make fuzz`) for
# SECONDS each, or until it has run 1,000,000 inputs, from its seed corpus,
# and prints a table: executions, edges covered, corpus size, findings.
# A finding (crash, sanitizer report, leak, timeout, an allocation over
# 512 MB, or a refusal that is not a gs::Error naming the file) is kept as
# build/fuzz/findings/<harness>-crash-* and makes the script exit 1.
#   scripts/fuzz.sh [BUILD_DIR] [SECONDS] [HARNESS ...]   (default: every harness)
set -uo pipefail
cd "$(dirname "$0")/.."
build="${1:-build/fuzz}"
seconds="${2:-60}"
shift $(( $# < 2 ? $# : 2 ))
only=("$@")
findings="$build/findings"
seeds="$build/seeds"
mkdir -p "$findings"
# The seed corpora: a few small valid files of each format, written by the
# project's own writers (tests/fuzz/make_seeds.cpp), never committed.
"$build/fuzz/make_seeds" "$seeds" || exit 1
status=0
printf '%-18s %12s %8s %8s %8s  %s\n' harness executions edges features corpus findings
for binary in "$build"/fuzz/fuzz_*; do
  [ -x "$binary" ] || continue
  name=$(basename "$binary")
  if [ ${#only[@]} -gt 0 ] && [[ ! " ${only[*]} " == *" $name "* ]]; then continue; fi
  corpus="$build/corpus/$name"
  mkdir -p "$corpus"
  [ -d "$seeds/$name" ] && cp -n "$seeds/$name"/* "$corpus"/ 2>/dev/null
  log="$build/$name.log"
  ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    "$binary" -max_total_time="$seconds" -runs=1000000 -rss_limit_mb=2048 -malloc_limit_mb=512 -max_len=65536 \
    -timeout=10 -print_final_stats=1 -artifact_prefix="$findings/$name-" "$corpus" >"$log" 2>&1
  code=$?
  executions=$(grep -oE 'stat::number_of_executed_units: [0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1)
  done_line=$(grep -E '^#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE|INITED)' "$log" | tail -1)
  edges=$(grep -oE 'cov: [0-9]+' <<<"$done_line" | grep -oE '[0-9]+')
  features=$(grep -oE 'ft: [0-9]+' <<<"$done_line" | grep -oE '[0-9]+')
  corpus_size=$(ls "$corpus" | wc -l)
  found=$(ls "$findings" | grep -c "^$name-" || true)
  if [ "$code" -ne 0 ] || [ "$found" -gt 0 ]; then
    status=1
    note="$found kept in $findings (exit $code; see $log)"
  else
    note=none
  fi
  printf '%-18s %12s %8s %8s %8s  %s\n' "$name" "${executions:-?}" "${edges:-?}" "${features:-?}" "$corpus_size" "$note"
done
exit $status
