#include "autograd/gradcheck.h"

#include <cmath>
#include <sstream>

#include "autograd/node.h"
#include "autograd/ops.h"
#include "tensor/generator.h"

namespace gs {
namespace {

// Row-major index -> position in the tensor's storage (views are allowed).
int64_t storage_index(const Tensor& t, int64_t flat) {
  int64_t position = t.offset();
  for (int64_t d = t.dim() - 1; d >= 0; --d) {
    position += (flat % t.size(d)) * t.stride(d);
    flat /= t.size(d);
  }
  return position;
}

std::string element_str(const Tensor& t, int64_t flat) {
  Shape index(t.dim());
  for (int64_t d = t.dim() - 1; d >= 0; --d) {
    index[d] = flat % t.size(d);
    flat /= t.size(d);
  }
  return shape_str(index);
}

}  // namespace

GradcheckResult gradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& fn,
                          const std::vector<Tensor>& inputs, double eps, double atol, double rtol) {
  for (const Tensor& x : inputs) {
    check(!x.requires_grad() || x.dtype() == kFloat64, "gradcheck: inputs must be float64 (got ",
          dtype_name(x.dtype()), "); float32 differences are too coarse to check gradients");
    check(x.is_leaf() && x.device().is_cpu(), "gradcheck: inputs must be CPU leaf tensors");
  }
  Tensor first = fn(inputs);
  check(first.requires_grad(), "gradcheck: the output does not depend on any input that requires grad");
  Generator gen(20240501);
  const Tensor projection = randn(first.shape(), gen, kFloat64);
  auto objective = [&](const std::vector<Tensor>& xs) { return sum(fn(xs) * projection); };

  for (const Tensor& x : inputs) const_cast<Tensor&>(x).zero_grad();
  objective(inputs).backward();

  GradcheckResult result;
  double worst_excess = 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& x = inputs[i];
    if (!x.requires_grad()) continue;
    std::vector<double> analytic =
        x.grad().defined() ? x.grad().to_vector<double>() : std::vector<double>(x.numel(), 0.0);
    double* storage = static_cast<double*>(x.storage()->data());
    NoGradGuard no_grad;
    for (int64_t e = 0; e < x.numel(); ++e) {
      double& value = storage[storage_index(x, e)];
      const double original = value;
      // Raw writes: each bumps the version, so nothing cached from x survives it.
      value = original + eps;
      x.storage()->bump_version();
      const double plus = objective(inputs).item();
      value = original - eps;
      x.storage()->bump_version();
      const double minus = objective(inputs).item();
      value = original;
      x.storage()->bump_version();
      const double numeric = (plus - minus) / (2 * eps);
      const double error = std::abs(analytic[e] - numeric);
      const double tolerance = atol + rtol * std::abs(numeric);
      result.max_abs_error = std::max(result.max_abs_error, error);
      if (error > tolerance && error / tolerance > worst_excess) {
        worst_excess = error / tolerance;
        std::ostringstream message;
        message.precision(10);
        message << "gradcheck failed: input " << i << " (shape " << shape_str(x.shape()) << ") at element "
                << element_str(x, e) << ": analytic " << analytic[e] << ", numeric " << numeric
                << " (|difference| " << error << " > tolerance " << tolerance << ")";
        result.ok = false;
        result.message = message.str();
      }
    }
  }
  return result;
}

}  // namespace gs
