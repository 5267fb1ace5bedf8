#!/usr/bin/env bash
# Runs the doctest binary, keeps its output, and ends with one plain line
# "tests: N passed, N failed, N skipped" that CI systems read.
set -uo pipefail
binary="$1"; shift
log="$(dirname "$binary")/last-run.log"
"$binary" "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
summary=$(grep -E '^\[doctest\] test cases:' "$log" | tail -n 1)
if [ -n "$summary" ]; then
  passed=$(sed -E 's/.*\| *([0-9]+) passed.*/\1/' <<<"$summary")
  failed=$(sed -E 's/.*\| *([0-9]+) failed.*/\1/' <<<"$summary")
  skipped=$(sed -E 's/.*\| *([0-9]+) skipped.*/\1/' <<<"$summary")
  echo "tests: $passed passed, $failed failed, $skipped skipped"
fi
exit "$status"
