#!/usr/bin/env bash
# `make demo`: the main job. Until the MNIST GAN app exists it runs the first
# tutorial program, which shows tensors, broadcasting and a gradient computed
# by reverse mode and checked against finite differences.
set -euo pipefail
build="${1:-build}"
echo "gradschool demo: tensors and autograd (tutorials/01-tensors-and-autograd)"
echo
"$build/tutorials/01-tensors-and-autograd"
echo
echo "Read tutorials/01-tensors-and-autograd/README.md for the walk-through of this output."
