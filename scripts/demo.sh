#!/usr/bin/env bash
# `make demo`: the main job. Trains the lecture's DCGAN on MNIST on the CPU
# for a few minutes (DEMO_MINUTES, default 5) and says where its pictures are.
# MNIST comes from `make data` (the mirror in $GRADSCHOOL_DATA_MIRROR, or a
# download); when it cannot be had, Debian's Fashion-MNIST package stands in.
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
minutes="${DEMO_MINUTES:-5}"
out="${DEMO_OUT:-out/mnist_gan}"

dataset=mnist
if ! bash scripts/fetch-data.sh mnist; then
  echo
  echo "demo: MNIST could not be fetched (offline and no GRADSCHOOL_DATA_MIRROR?)."
  echo "demo: training on Fashion-MNIST from Debian's dataset-fashion-mnist package instead."
  bash scripts/install-deps.sh dataset-fashion-mnist
  dataset=fashion
fi

echo
echo "demo: training the DCGAN on $dataset for $minutes minutes on the CPU (Ctrl-C stops early and still saves)."
echo "demo: while it runs, open $out/samples_epoch_*.png as they appear."
echo
export OMP_WAIT_POLICY=PASSIVE
"$build/apps/mnist_gan" --dataset "$dataset" --minutes "$minutes" --out "$out"
echo
echo "demo: look at $out/samples.png (generated digits) and $out/losses.png (the two losses)."
echo "demo: train longer with: $build/apps/mnist_gan --resume --epochs 20 --out $out"
