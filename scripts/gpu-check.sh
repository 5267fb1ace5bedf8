#!/usr/bin/env bash
# What only a real GPU can prove, in one run of a few minutes on a machine
# with an NVIDIA GPU (../shared/device/README.md describes the lent one):
#   1. build with CUDA (sm_80, sm_90);
#   2. the parity suite (tests/parity/) on the GPU, and chapter 10's program
#      against the output its README shows;
#   3. compute-sanitizer memcheck, racecheck and synccheck on the CUDA tests;
#   4. one training iteration of the yardstick's three models on the GPU,
#      next to PyTorch eager on the same GPU in the same run.
# Writes logs, summary.txt and summary.json to --out (default $OUT, else
# build/gpu-check). Without a GPU it says so and stops, having built nothing.
#   scripts/gpu-check.sh [--out DIR] [--yardstick DIR] [--quick]
# --yardstick: the folder with the yardstick's models.py (default
# ../shared/yardstick, else .device-deps/yardstick); --quick: sanitizers on
# a few test cases only.
set -uo pipefail
cd "$(dirname "$0")/.."
out="${OUT:-build/gpu-check}"
yardstick=""
quick=0
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --yardstick) yardstick="$2"; shift 2 ;;
    --quick) quick=1; shift ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "gpu-check: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
mkdir -p "$out"
started=$(date +%s)
summary="$out/summary.txt"
: >"$summary"
say() { echo "$*" | tee -a "$summary"; }
elapsed() { echo $(( $(date +%s) - started )); }

# ---- a GPU? ------------------------------------------------------------------------------
if ! command -v nvidia-smi >/dev/null 2>&1 || ! gpu=$(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>&1 | head -1) || [ -z "$gpu" ]; then
  why=$(command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L 2>&1 | head -1 || echo "nvidia-smi is not installed")
  say "gpu-check: no GPU here ($why); nothing was built or run."
  printf '{"gpu": null, "reason": "%s"}\n' "${why//\"/\'}" >"$out/summary.json"
  exit 0
fi
say "gpu-check on $gpu ($(nproc) cores), $(date -u +%Y-%m-%dT%H:%M:%SZ)"

# ---- 1. build ----------------------------------------------------------------------------
if ! pkg-config --exists openblas 2>/dev/null && [ -f .device-deps/install.sh ]; then
  # shellcheck disable=SC1091
  source .device-deps/install.sh >"$out/deps.log" 2>&1
fi
export PATH=/usr/local/cuda/bin:$PATH
if ! make -j"$(nproc)" CUDA=1 build/tests/gradschool_gpu_tests build/bench/train_step build/tutorials/10-gpu \
    >"$out/build.log" 2>&1; then
  say "build: FAILED (see build.log):"
  tail -20 "$out/build.log" | tee -a "$summary"
  exit 1
fi
say "build: ok after $(elapsed) s (nvcc $(nvcc --version | grep -o 'release [0-9.]*'))"

# ---- 2. parity on the GPU, chapter 10 ------------------------------------------------------
build/tests/gradschool_gpu_tests >"$out/parity.log" 2>&1
parity_status=$?
parity=$(grep -E '^\[doctest\] test cases:' "$out/parity.log" | tail -1)
cases=$(grep -oE '[0-9]+ parity cases' "$out/parity.log" | tail -1)
say "parity on the GPU: ${parity:-no summary (see parity.log)}; ${cases:-0 parity cases}; exit $parity_status"
build/tutorials/10-gpu >"$out/tutorial-10.txt" 2>&1
expected=$(awk '/<!-- expected-output -->/{found=1; next} found && /^```text/{inside=1; next} inside && /^```/{exit} inside' tutorials/10-gpu/README.md)
if [ "$(cat "$out/tutorial-10.txt")" = "$expected" ]; then tutorial=same; else tutorial=DIFFERENT; fi
say "chapter 10 on the GPU prints what its README shows: $tutorial (tutorial-10.txt)"

# ---- 3. compute-sanitizer ------------------------------------------------------------------
sanitizer_cases='[cuda] sum*,[cuda] batch_norm*,[cuda] conv2d*,[cuda] every unary*,[cuda] Adam*'
[ "$quick" = 1 ] && sanitizer_cases='[cuda] sum*,[cuda] batch_norm*'
declare -A sanitizer_result
for tool in memcheck racecheck synccheck; do
  cases_for_tool="$sanitizer_cases"
  [ "$tool" = memcheck ] && [ "$quick" = 0 ] && cases_for_tool='[cuda]*'
  timeout 150 compute-sanitizer --tool "$tool" --error-exitcode 9 --print-limit 20 \
    build/tests/gradschool_gpu_tests -tc="$cases_for_tool" >"$out/sanitizer-$tool.log" 2>&1
  code=$?
  errors=$(grep -oE 'ERROR SUMMARY: [0-9]+ error' "$out/sanitizer-$tool.log" | tail -1)
  case $code in
    0) sanitizer_result[$tool]="clean (${errors:-no summary})" ;;
    9) sanitizer_result[$tool]="REPORTED ERRORS (${errors})" ;;
    124) sanitizer_result[$tool]="timed out after 150 s" ;;
    *) sanitizer_result[$tool]="exit $code (${errors:-see log})" ;;
  esac
  say "compute-sanitizer $tool on '$cases_for_tool': ${sanitizer_result[$tool]}"
done

# ---- 4. speed: ours and PyTorch eager on this GPU, same run --------------------------------
if [ -z "$yardstick" ]; then
  for candidate in ../shared/yardstick .device-deps/yardstick; do
    [ -f "$candidate/models.py" ] && yardstick="$candidate" && break
  done
fi
pytorch_json="$out/pytorch-cuda.json"
if [ -n "$yardstick" ] && python3 -c 'import torch' 2>/dev/null; then
  python3 bench/pytorch_ref.py --device cuda --reps 20 --warmup 3 --yardstick "$yardstick" --out "$pytorch_json" \
    >"$out/pytorch.log" 2>&1 || say "PyTorch reference failed (see pytorch.log)"
else
  say "no PyTorch comparison: $( [ -z "$yardstick" ] && echo "no yardstick models.py (--yardstick)" || echo "python3 cannot import torch")"
  pytorch_json=""
fi
build/bench/train_step --device cuda --reps 20 --warmup 3 ${pytorch_json:+--pytorch "$pytorch_json"} \
  >"$out/train_step.log" 2>&1 || say "train_step failed (see train_step.log)"
say ""
say "one training iteration on the GPU (median of 20; ms):"
grep -A4 '^one iteration' "$out/train_step.log" | tee -a "$summary"

# ---- JSON ----------------------------------------------------------------------------------
python3 - "$out" "$gpu" "$parity_status" "$tutorial" <<'PY'
import json, re, sys
out, gpu, parity_status, tutorial = sys.argv[1:5]
def read(name):
    try:
        return open(f"{out}/{name}").read()
    except OSError:
        return ""
parity = read("parity.log")
summary = {"gpu": gpu, "parity_exit": int(parity_status), "tutorial_10_matches": tutorial == "same"}
m = re.findall(r"test cases:\s*(\d+)\s*\|\s*(\d+) passed\s*\|\s*(\d+) failed\s*\|\s*(\d+) skipped", parity)
if m:
    summary["test_cases"] = dict(zip(["run", "passed", "failed", "skipped"], map(int, m[-1])))
c = re.findall(r"(\d+) parity cases", parity)
summary["parity_cases"] = int(c[-1]) if c else 0
summary["sanitizers"] = {}
for tool in ("memcheck", "racecheck", "synccheck"):
    e = re.findall(r"ERROR SUMMARY: (\d+) error", read(f"sanitizer-{tool}.log"))
    summary["sanitizers"][tool] = int(e[-1]) if e else None
rows = {}
for line in read("train_step.log").splitlines():
    parts = line.split()
    if len(parts) == 8 and parts[0] in ("dcgan_mnist", "ssl_svhn", "ssl_mnist"):
        rows[parts[0]] = {"ours_ms": float(parts[3]), "pytorch_eager_ms": None if parts[4] == "-" else float(parts[4]),
                          "ours_over_pytorch": None if parts[7] == "-" else float(parts[7])}
summary["iteration"] = rows
json.dump(summary, open(f"{out}/summary.json", "w"), indent=1)
PY
say ""
say "done in $(elapsed) s; logs and summary.json in $out"
