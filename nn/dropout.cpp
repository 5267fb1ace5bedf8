// Regularisers that only act in training mode.
#include "autograd/ops.h"
#include "autograd/ops/op_helpers.h"
#include "nn/functional.h"

namespace gs::F {

// Inverted dropout (Srivastava et al. 2014): keep each value with probability
// 1 - p and scale the kept ones by 1 / (1 - p), so the expected activation is
// unchanged and eval mode is the identity.  y = x m / (1 - p);  dX = dY m / (1 - p).
// The mask comes from `gen`, so the same generator state gives the same mask.
Tensor dropout(const Tensor& x, double p, bool training, Generator& gen) {
  check_floating("dropout", x);
  check(p >= 0.0 && p <= 1.0, "dropout: the drop probability p must be in [0, 1], got ", p);
  if (!training || p == 0.0) return x;
  if (p == 1.0) return x * 0.0;
  const Tensor keep = bernoulli(x.shape(), 1.0 - p, gen, x.options());
  return x * (keep * (1.0 / (1.0 - p)));
}

// y = x + noise, noise ~ N(0, stddev^2) in training mode (Rasmus et al. 2015,
// as the semi-supervised MNIST discriminator uses it);  dX = dY.
Tensor gaussian_noise(const Tensor& x, double stddev, bool training, Generator& gen) {
  check_floating("gaussian_noise", x);
  check(stddev >= 0.0, "gaussian_noise: stddev must not be negative, got ", stddev);
  if (!training || stddev == 0.0) return x;
  return x + normal(x.shape(), 0.0, stddev, gen, x.options());
}

}  // namespace gs::F
