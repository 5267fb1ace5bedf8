#!/usr/bin/env bash
# Checks that the CUDA parity suite can fail: each mutation below breaks one
# CUDA kernel on purpose (in a scratch copy of the tree, never here), rebuilds
# the test binary there and runs the [cuda] test cases on the emulated device.
# Every mutation must make at least one of them fail.
#   scripts/mutation-check.sh            (after `make tests`: reuses build/'s objects)
set -euo pipefail
cd "$(dirname "$0")/.."
exec python3 - "$@" <<'PY'
import os, shutil, subprocess, sys, tempfile

# (name, file, text to find, what to put instead)
MUTATIONS = [
    ("a wrong index in im2col", "tensor/cuda/im2col.cu",
     "const int64_t iw = kernels::conv_input_index(ow, kw,",
     "const int64_t iw = kernels::conv_input_index(ow + 1, kw,"),
    ("no __syncthreads between the levels of the reduction tree", "tensor/cuda/block_reduce.h",
     "    if (t < half) shared[t] = combine(shared[t], shared[t + half]);\n    __syncthreads();\n",
     "    if (t < half) shared[t] = combine(shared[t], shared[t + half]);\n"),
]

scratch = tempfile.mkdtemp(prefix="gs-mutation.")
failed = False
try:
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], capture_output=True, check=True).stdout.decode().split("\0")
    for name, path, find, replace in MUTATIONS:
        tree = os.path.join(scratch, "tree")
        shutil.rmtree(tree, ignore_errors=True)
        for f in filter(None, files):
            os.makedirs(os.path.dirname(os.path.join(tree, f)) or tree, exist_ok=True)
            shutil.copy2(f, os.path.join(tree, f))
        if os.path.isdir("build"):
            shutil.copytree("build", os.path.join(tree, "build"), symlinks=True)
        target = os.path.join(tree, path)
        text = open(target).read()
        if find not in text:
            sys.exit(f"mutation-check: the text to mutate is no longer in {path}")
        open(target, "w").write(text.replace(find, replace, 1))
        print(f"== {name} ({path})", flush=True)
        build = subprocess.run(["make", "-C", tree, "--no-print-directory", f"-j{os.cpu_count()}", "CUDA=0",
                                "build/tests/gradschool_tests"], capture_output=True, text=True)
        if build.returncode != 0:
            print("   the mutated tree does not build:\n" + build.stderr[-2000:])
            failed = True
            continue
        run = subprocess.run(["./build/tests/gradschool_tests", "-tc=[cuda]*"], cwd=tree, capture_output=True, text=True)
        summary = [l for l in run.stdout.splitlines() if l.startswith("[doctest] test cases:")]
        if run.returncode == 0:
            print("   NOT DETECTED: every [cuda] test case still passes")
            failed = True
        else:
            print("   detected: " + (summary[-1] if summary else "the test binary failed"))
            cases = [l for l in run.stdout.splitlines() if l.startswith("TEST CASE:")]
            for case in sorted(set(cases))[:4]:
                print("     " + case)
finally:
    shutil.rmtree(scratch, ignore_errors=True)
sys.exit(1 if failed else 0)
PY
