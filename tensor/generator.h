// A seeded random stream: (seed, offset). Each draw of n numbers uses the
// Philox blocks offset .. offset + ceil(n/4) - 1 and then advances the offset,
// so saving (seed, offset) in a checkpoint resumes the exact same stream.
#pragma once
#include <cstdint>
#include <vector>

#include "tensor/tensor.h"

namespace gs {

class Generator {
 public:
  explicit Generator(uint64_t seed = 0) : seed_(seed) {}
  uint64_t seed() const { return seed_; }
  uint64_t offset() const { return offset_; }
  void set_state(uint64_t seed, uint64_t offset) { seed_ = seed; offset_ = offset; }
  // Reserves the blocks for n numbers; returns the offset to draw them at.
  uint64_t advance(int64_t count);

 private:
  uint64_t seed_ = 0;
  uint64_t offset_ = 0;
};

Generator& default_generator();
void manual_seed(uint64_t seed);

// Random tensors (tensor/random.cpp). Not differentiable.
Tensor rand(const Shape& shape, Generator& gen = default_generator(), TensorOptions options = {});
Tensor randn(const Shape& shape, Generator& gen = default_generator(), TensorOptions options = {});
Tensor uniform(const Shape& shape, double low, double high, Generator& gen = default_generator(),
               TensorOptions options = {});
Tensor normal(const Shape& shape, double mean, double stddev, Generator& gen = default_generator(),
              TensorOptions options = {});
Tensor bernoulli(const Shape& shape, double p, Generator& gen = default_generator(), TensorOptions options = {});
// A random permutation of 0..n-1 (int64), for shuffling datasets. Never sharded.
Tensor randperm(int64_t n, Generator& gen = default_generator());

// Data parallelism (nn/data_parallel.h): while a ShardedDraws is alive, a
// random tensor whose first dim holds this rank's rows of a global batch is
// drawn as those rows of the global batch's draw. Rank r of R asking for
// rows n gets rows [r n, (r + 1) n) of a draw of R n rows, and the generator
// advances as for all R n, so every rank's numbers (z, dropout masks, noise)
// are exactly the single-process ones. `segments` splits the rows when a
// batch is several batches stacked (cat of labeled, unlabeled and generated
// images: {n_labeled, n, n}), each one sharded on its own; empty means one.
class ShardedDraws {
 public:
  ShardedDraws(int rank, int ranks, std::vector<int64_t> segments = {});
  ~ShardedDraws();
  ShardedDraws(const ShardedDraws&) = delete;
  ShardedDraws& operator=(const ShardedDraws&) = delete;

  int rank, ranks;
  std::vector<int64_t> segments;

 private:
  const ShardedDraws* outer_;
};

}  // namespace gs
