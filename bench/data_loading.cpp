// How long the data pipeline takes: loading MNIST's training set from its .gz
// files (target: under 1 s on 2 cores), and a shuffled epoch of batches of 64
// (it must cost far less than a training step).
//   build/bench/data_loading [--data DIR]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>

#include "data/idx.h"
#include "data/mnist.h"
#include "data/zlib_stream.h"
#include "tensor/file_io.h"
#include "tensor/parallel.h"

using namespace gs;
using namespace gs::data;

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The fastest of `repeats` runs, in seconds.
template <typename Body>
double best_of(int repeats, Body body) {
  double best = 1e30;
  for (int r = 0; r < repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    body();
    best = std::min(best, seconds_since(start));
  }
  return best;
}

double epoch_seconds_per_batch(const Dataset& train, bool prefetch) {
  DataLoader loader(train, {.batch_size = 64, .shuffle = true, .seed = 1, .drop_last = false, .prefetch = prefetch});
  int64_t batches = 0;
  const double seconds = best_of(3, [&] {
    batches = 0;
    for (const Batch& batch : loader) batches += batch.labels.size(0) > 0;
  });
  return seconds / static_cast<double>(batches);
}

}  // namespace

int main(int argc, char** argv) {
  set_num_threads(2);
  const std::string dir = find_mnist_dir(argc > 2 && std::string(argv[1]) == "--data" ? argv[2] : "");
  if (dir.empty()) {
    std::printf("data_loading: MNIST not found (run `make data` or set GRADSCHOOL_DATA_MIRROR); skipped\n");
    return 0;
  }
  const std::string images_path = dir + "/train-images-idx3-ubyte.gz";
  std::printf("data_loading: MNIST from %s, %d threads\n", dir.c_str(), num_threads());

  std::string compressed;
  const double read_seconds = best_of(3, [&] { compressed = read_file(images_path); });
  std::string raw;
  const double inflate_seconds = best_of(3, [&] { raw = gunzip(compressed, images_path); });
  Dataset train;
  const double load_seconds = best_of(3, [&] { train = load_mnist(dir, Split::kTrain); });
  std::printf("  load train set (60,000 images + labels, from .gz, to float32 [-1,1]): %.3f s  (target < 1 s)\n",
              load_seconds);
  std::printf("    of which: read %.1f MB %.3f s, inflate to %.1f MB %.3f s\n", compressed.size() / 1e6, read_seconds,
              raw.size() / 1e6, inflate_seconds);

  std::printf("  shuffled epoch, batch 64: %.1f us per batch (%.1f us with prefetch thread)\n",
              1e6 * epoch_seconds_per_batch(train, false), 1e6 * epoch_seconds_per_batch(train, true));
  return 0;
}
