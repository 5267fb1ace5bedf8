#include "nn/latent_paths.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "autograd/ops.h"

namespace gs::latent {
namespace {

void check_vectors(const char* what, const Tensor& a, const Tensor& b) {
  check(a.dim() == 1 && a.shape() == b.shape(), what, ": expects two vectors of the same length, got ",
        shape_str(a.shape()), " and ", shape_str(b.shape()));
}

}  // namespace

Tensor lerp(const Tensor& a, const Tensor& b, double t) {
  check_vectors("lerp", a, b);
  return a * (1.0 - t) + b * t;
}

Tensor slerp(const Tensor& a, const Tensor& b, double t) {
  check_vectors("slerp", a, b);
  const double norms = std::sqrt(sum(a * a).item() * sum(b * b).item());
  check(norms > 0, "slerp: a zero vector has no direction to rotate from or to");
  const double omega = std::acos(std::clamp(sum(a * b).item() / norms, -1.0, 1.0));
  const double sin_omega = std::sin(omega);
  if (sin_omega < 1e-6) return lerp(a, b, t);
  return a * (std::sin((1.0 - t) * omega) / sin_omega) + b * (std::sin(t * omega) / sin_omega);
}

Tensor interpolation_path(const Tensor& a, const Tensor& b, int64_t steps, PathKind kind) {
  check(steps >= 2, "interpolation_path: needs at least 2 steps (the two ends), got ", steps);
  std::vector<Tensor> points;
  for (int64_t i = 0; i < steps; ++i) {
    const double t = static_cast<double>(i) / static_cast<double>(steps - 1);
    points.push_back(kind == PathKind::kLinear ? lerp(a, b, t) : slerp(a, b, t));
  }
  return stack(points, 0);
}

}  // namespace gs::latent
