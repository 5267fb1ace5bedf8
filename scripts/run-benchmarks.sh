#!/usr/bin/env bash
# Runs every benchmark program in build/bench with 2 threads (the target
# machine has 2 cores). OMP_WAIT_POLICY=PASSIVE keeps idle OpenMP workers
# from spinning against OpenBLAS (shared/yardstick/README.md).
set -euo pipefail
build="${1:-build}"
export OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=2
for program in "$build"/bench/*; do
  [ -x "$program" ] || continue
  echo "== $(basename "$program")"
  "$program"
  echo
done
