// Seeded random tensors (see tensor/kernels/philox.h for the numbering convention).
#include "tensor/backend.h"
#include "tensor/generator.h"

namespace gs {

uint64_t Generator::advance(int64_t count) {
  uint64_t start = offset_;
  offset_ += static_cast<uint64_t>((count + 3) / 4);
  return start;
}

Generator& default_generator() {
  static Generator generator(0);
  return generator;
}

void manual_seed(uint64_t seed) { default_generator().set_state(seed, 0); }

namespace {

const ShardedDraws* active_sharding = nullptr;

// Fills `out` (contiguous) with elements [first, first + out.numel()) of the
// draw at `offset`: element first sits in block first / 4, at word first % 4.
void fill_part(RandomKind kind, const Tensor& out, int64_t first, double a, double b, uint64_t offset,
               Generator& gen) {
  const int64_t skip = first % 4;
  const uint64_t part_offset = offset + static_cast<uint64_t>(first / 4);
  Backend& device = backend(out.device());
  if (skip == 0) return device.random(kind, out, gen.seed(), part_offset, a, b);
  const Tensor padded = empty({out.numel() + skip}, out.options());
  device.random(kind, padded, gen.seed(), part_offset, a, b);
  device.copy(padded.narrow(0, skip, out.numel()).view(out.shape()), out);
}

Tensor draw(RandomKind kind, const Shape& shape, double a, double b, Generator& gen, TensorOptions options) {
  check(is_floating(options.dtype), "random tensors must be float32 or float64, not ", dtype_name(options.dtype));
  const ShardedDraws* sharding = active_sharding;
  if (!sharding || sharding->ranks == 1 || shape.empty()) {
    Tensor t = empty(shape, options);
    backend(options.device).random(kind, t, gen.seed(), gen.advance(t.numel()), a, b);
    return t;
  }
  // This rank's rows of each segment of the global draw, stacked.
  const int64_t rows = shape[0], per_row = rows == 0 ? 0 : numel(shape) / rows;
  std::vector<int64_t> segments = sharding->segments.empty() ? std::vector<int64_t>{rows} : sharding->segments;
  int64_t declared = 0;
  for (int64_t s : segments) declared += s;
  check(declared == rows, "a random draw of shape ", shape_str(shape), " in a data-parallel step does not have the ",
        declared, " rows the step declared (ShardedDraws)");
  const uint64_t offset = gen.advance(rows * per_row * sharding->ranks);
  Tensor t = empty(shape, options);
  int64_t local_row = 0, global_row = 0;
  for (int64_t segment : segments) {
    fill_part(kind, t.narrow(0, local_row, segment), (global_row + sharding->rank * segment) * per_row, a, b,
              offset, gen);
    local_row += segment;
    global_row += segment * sharding->ranks;
  }
  return t;
}

}  // namespace

ShardedDraws::ShardedDraws(int rank, int ranks, std::vector<int64_t> segments)
    : rank(rank), ranks(ranks), segments(std::move(segments)), outer_(active_sharding) {
  check(ranks >= 1 && rank >= 0 && rank < ranks, "ShardedDraws: rank ", rank, " of ", ranks);
  active_sharding = this;
}
ShardedDraws::~ShardedDraws() { active_sharding = outer_; }

Tensor rand(const Shape& shape, Generator& gen, TensorOptions options) {
  return draw(RandomKind::Uniform, shape, 0.0, 1.0, gen, options);
}
Tensor randn(const Shape& shape, Generator& gen, TensorOptions options) {
  return draw(RandomKind::Normal, shape, 0.0, 1.0, gen, options);
}
Tensor uniform(const Shape& shape, double low, double high, Generator& gen, TensorOptions options) {
  check(low <= high, "uniform: low (", low, ") must not exceed high (", high, ")");
  return draw(RandomKind::Uniform, shape, low, high, gen, options);
}
Tensor normal(const Shape& shape, double mean, double stddev, Generator& gen, TensorOptions options) {
  check(stddev >= 0, "normal: stddev must be >= 0, got ", stddev);
  return draw(RandomKind::Normal, shape, mean, stddev, gen, options);
}
Tensor bernoulli(const Shape& shape, double p, Generator& gen, TensorOptions options) {
  check(p >= 0 && p <= 1, "bernoulli: p must be in [0, 1], got ", p);
  return draw(RandomKind::Bernoulli, shape, p, 0.0, gen, options);
}

// Fisher-Yates driven by one uniform draw per position.
Tensor randperm(int64_t n, Generator& gen) {
  struct Unsharded {  // a permutation of the whole set on every rank
    const ShardedDraws* saved = active_sharding;
    Unsharded() { active_sharding = nullptr; }
    ~Unsharded() { active_sharding = saved; }
  } unsharded;
  std::vector<double> u = rand({n}, gen, kFloat64).to_vector<double>();
  std::vector<int64_t> perm(n);
  for (int64_t i = 0; i < n; ++i) perm[i] = i;
  for (int64_t i = n - 1; i > 0; --i) {
    int64_t j = std::min<int64_t>(i, static_cast<int64_t>(u[i] * static_cast<double>(i + 1)));
    std::swap(perm[i], perm[j]);
  }
  return tensor(perm, {n});
}

}  // namespace gs
