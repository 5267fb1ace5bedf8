#!/usr/bin/env bash
# Installs every Debian package gradschool needs to build, test and run its
# demos. Does nothing (quickly) when all are present; otherwise installs the
# missing ones with apt-get, as root or through sudo.
#   scripts/install-deps.sh                 what `make test` needs
#   scripts/install-deps.sh EXTRA ...       ... plus optional extras
set -euo pipefail

packages=(
  g++ make pkg-config         # toolchain
  libopenblas-openmp-dev      # GEMM (and LAPACK for the FID metric), OpenMP build
  zlib1g-dev                  # .gz datasets
  doctest-dev                 # the test framework
  libstb-dev                  # PNG writing/reading (stb_image, stb_image_write)
  libgif-dev                  # animated GIFs for the convolution demos
  libcli11-dev                # command lines of the apps
  nlohmann-json3-dev          # safetensors checkpoint headers
  curl ca-certificates        # make data: downloads when no mirror holds the files
  gnuplot-nox                 # the loss and accuracy plots every training app draws
  libopenmpi-dev openmpi-bin  # data-parallel training across processes (mpirun)
  "$@"                        # optional extras named on the command line
)
# Optional, not installed here: dataset-fashion-mnist (Fashion-MNIST; the data loaders
# and tutorial 03 find it in /usr/share/datasets/fashion-mnist when it is installed).

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  echo "install-deps: missing packages: ${missing[*]}" >&2
  echo "install-deps: run as root, or install them with: apt-get install ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
