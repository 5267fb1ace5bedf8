#!/usr/bin/env bash
# Runs every benchmark program in build/bench with 2 threads (the target
# machine has 2 cores). OMP_WAIT_POLICY=PASSIVE keeps idle OpenMP workers
# from spinning against OpenBLAS (shared/yardstick/README.md).
# train_step is compared with PyTorch on the same iterations when Debian's
# python3 can import torch (bench/pytorch_ref.py, run first, in this sitting).
set -euo pipefail
build="${1:-build}"
export OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=2
python=/usr/bin/python3
pytorch_json="$build/pytorch_ref.json"
for program in "$build"/bench/*; do
  [ -x "$program" ] || continue
  name=$(basename "$program")
  echo "== $name"
  if [ "$name" = train_step ]; then
    if [ -x "$python" ] && "$python" -c 'import torch' 2>/dev/null; then
      "$python" bench/pytorch_ref.py --models dcgan_mnist,ssl_svhn,ssl_mnist --out "$pytorch_json"
      "$program" --pytorch "$pytorch_json"
    else
      echo "(no PyTorch comparison: $python cannot import torch; apt-get install python3-torch to add it)"
      "$program"
    fi
  elif [ "$name" = allreduce ] && command -v mpirun > /dev/null; then
    OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl_vader_single_copy_mechanism=none \
      OMP_NUM_THREADS=1 mpirun -np 2 --oversubscribe "$program"
  else
    "$program"
  fi
  echo
done
