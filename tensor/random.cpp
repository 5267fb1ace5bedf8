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

Tensor draw(RandomKind kind, const Shape& shape, double a, double b, Generator& gen, TensorOptions options) {
  check(is_floating(options.dtype), "random tensors must be float32 or float64, not ", dtype_name(options.dtype));
  Tensor t = empty(shape, options);
  uint64_t offset = gen.advance(t.numel());
  backend(options.device).random(kind, t, gen.seed(), offset, a, b);
  return t;
}

}  // namespace

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
