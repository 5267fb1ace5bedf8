#!/usr/bin/env bash
# make data: puts the datasets into data/<name>/ (or $GRADSCHOOL_DATA_DIR/<name>/).
#
#   scripts/fetch-data.sh                MNIST, which the default programs need
#   scripts/fetch-data.sh svhn cifar10   exactly the named ones (mnist, svhn, cifar10)
#   make data DATASETS="mnist svhn"      the same through make
#
# For each official file: keep it if the folder already holds a good copy, else
# copy it from $GRADSCHOOL_DATA_MIRROR (the file itself, or in its mnist/,
# svhn/ or cifar10/ folder), else download it (curl, with retries and resume;
# GRADSCHOOL_NO_DOWNLOAD=1 forbids that). Every file must match its published
# MD5 before it is moved into place; CIFAR-10's archive is then unpacked. Each
# named dataset is required: when one of its files cannot be had, the script
# names the file and how to provide it, and exits 1 once it has fetched what
# it could. (Fashion-MNIST needs no fetching: Debian's dataset-fashion-mnist
# package is found by the loader in /usr/share/datasets/fashion-mnist.)
set -uo pipefail
cd "$(dirname "$0")/.."

mirror="${GRADSCHOOL_DATA_MIRROR:-}"
destination="${GRADSCHOOL_DATA_DIR:-data}"
declare -A urls=(
  [mnist]="https://ossci-datasets.s3.amazonaws.com/mnist http://yann.lecun.com/exdb/mnist"
  [svhn]="http://ufldl.stanford.edu/housenumbers"
  [cifar10]="https://www.cs.toronto.edu/~kriz"
)

# dataset  file  md5
files=(
  "mnist   train-images-idx3-ubyte.gz f68b3c2dcbeaaa9fbdd348bbdeb94873"
  "mnist   train-labels-idx1-ubyte.gz d53e105ee54ea40749a09fcbcd1e9432"
  "mnist   t10k-images-idx3-ubyte.gz  9fb629c4189551a2d022fa330f9573f3"
  "mnist   t10k-labels-idx1-ubyte.gz  ec29112dd5afa0611ce80d1b7f02629c"
  "svhn    train_32x32.mat            e26dedcc434d2e4c54c9b2d4a06d8373"
  "svhn    test_32x32.mat             eb5a983be6a315427106f1b164d9cef3"
  "cifar10 cifar-10-binary.tar.gz     c32a1d4ab5d03f1284b67883e8d87530"
)

wanted=("$@")
if [ ${#wanted[@]} -eq 0 ]; then
  wanted=(mnist)
  echo "fetch-data: MNIST (SVHN and CIFAR-10 on request: make data DATASETS=\"svhn cifar10\")"
fi
for w in "${wanted[@]}"; do
  case "$w" in mnist|svhn|cifar10) ;; *) echo "fetch-data: unknown dataset '$w' (choose mnist, svhn or cifar10)" >&2; exit 2 ;; esac
done

md5_of() { md5sum "$1" | cut -d' ' -f1; }

# Moves $1 to $2 if its md5 is $3; otherwise deletes it and says so.
verify_and_place() {
  local candidate="$1" target="$2" md5="$3" actual
  actual=$(md5_of "$candidate")
  if [ "$actual" = "$md5" ]; then
    mv -f "$candidate" "$target"
    return 0
  fi
  echo "fetch-data: $(basename "$target"): md5 $actual does not match the published $md5; discarded" >&2
  rm -f "$candidate"
  return 1
}

# CIFAR-10's batches, unpacked from its archive (data/cifar10/cifar-10-batches-bin/).
cifar_unpacked() { [ -f "$destination/cifar10/cifar-10-batches-bin/test_batch.bin" ]; }

missing=()
for entry in "${files[@]}"; do
  read -r dataset file md5 <<<"$entry"
  [[ " ${wanted[*]} " == *" $dataset "* ]] || continue
  dir="$destination/$dataset"
  target="$dir/$file"
  mkdir -p "$dir"

  if [ "$dataset" = cifar10 ] && cifar_unpacked; then
    echo "fetch-data: $dir/cifar-10-batches-bin ok"
    continue
  fi
  placed=false
  if [ -f "$target" ] && [ "$(md5_of "$target")" = "$md5" ]; then
    echo "fetch-data: $target ok"
    placed=true
  fi

  if ! $placed && [ -n "$mirror" ]; then
    for source in "$mirror/$file" "$mirror/$dataset/$file"; do
      [ -f "$source" ] || continue
      cp "$source" "$target.part" && verify_and_place "$target.part" "$target" "$md5" &&
        { echo "fetch-data: $target copied from $source"; placed=true; break; }
    done
  fi

  if ! $placed && [ "${GRADSCHOOL_NO_DOWNLOAD:-0}" != 1 ]; then
    for base in ${urls[$dataset]}; do
      echo "fetch-data: downloading $base/$file"
      # --continue-at - resumes a .part left by an interrupted run.
      if curl --fail --location --silent --show-error --retry 3 --retry-delay 2 --connect-timeout 20 \
              --continue-at - --output "$target.part" "$base/$file" &&
         verify_and_place "$target.part" "$target" "$md5"; then
        echo "fetch-data: $target downloaded"
        placed=true
        break
      fi
    done
  fi
  if $placed && [ "$dataset" = cifar10 ]; then
    if tar -xzf "$target" -C "$dir" && cifar_unpacked; then
      rm -f "$target"
      echo "fetch-data: unpacked into $dir/cifar-10-batches-bin"
    else
      echo "fetch-data: $target: the archive did not unpack to cifar-10-batches-bin/" >&2
      placed=false
    fi
  fi
  if ! $placed; then
    [ -s "$target.part" ] || rm -f "$target.part"  # keep only a partial download worth resuming
    missing+=("$dataset/$file (md5 $md5)")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "" >&2
  echo "fetch-data: could not obtain ${#missing[@]} file(s):" >&2
  for m in "${missing[@]}"; do echo "  $m" >&2; done
  echo "" >&2
  echo "Provide them in one of these ways, then run 'make data' again:" >&2
  echo "  - put the files in a folder and set GRADSCHOOL_DATA_MIRROR to it (files directly in it, or in" >&2
  echo "    its mnist/, svhn/ and cifar10/ subfolders);" >&2
  echo "  - or copy them into $destination/<dataset>/ yourself;" >&2
  echo "  - or connect to the internet (MNIST: ${urls[mnist]}; SVHN: ${urls[svhn]}; CIFAR-10: ${urls[cifar10]})." >&2
  echo "Each file must match the md5 shown." >&2
  exit 1
fi
echo "fetch-data: ${wanted[*]}: all files present and verified"
