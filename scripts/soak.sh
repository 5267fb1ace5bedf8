#!/usr/bin/env bash
# The long form of the crash test that `make test` runs short: mnist_gan
# killed with SIGKILL 20 times (ssl 10) at moments drawn from a fixed seed
# (random times, half-way through a file write, half-way through a log row),
# resumed each time, and compared bit for bit with an uninterrupted run
# (tests/test_soak.cpp). After `make tests`:
#   scripts/soak.sh [KILLS]
set -euo pipefail
cd "$(dirname "$0")/.."
build="${GS_BUILD_DIR:-build}"
GS_SOAK_KILLS="${1:-20}" GS_BUILD_DIR="$build" "$build/tests/gradschool_tests" -tc='*killed again and again*' -s |
  grep -E 'kills:|test cases:|ERROR|FAILED' || true
