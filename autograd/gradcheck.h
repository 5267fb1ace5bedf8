// Gradient checking: compares the gradients backward() computes with central
// differences (f(x + eps) - f(x - eps)) / 2 eps for every input element.
//
// Why float64: the difference quotient loses about half the significant
// digits (error ~ eps^2 from truncation plus ~ machine_eps / eps from
// rounding). With eps = 1e-6 float64 keeps ~10 good digits; float32 would
// keep ~1, too few to tell a right gradient from a wrong one.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace gs {

struct GradcheckResult {
  bool ok = true;
  std::string message;  // on failure: the worst element, analytic vs numeric
  double max_abs_error = 0;
};

// `fn` maps the inputs to a tensor of any shape; it must be deterministic
// (draw dropout masks from a generator seeded inside fn). Checked inputs are
// float64 leaves with requires_grad; others are held constant. A non-scalar
// output y is reduced to sum(y * v) for a fixed random v, so every output
// element is checked at once.
GradcheckResult gradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& fn,
                          const std::vector<Tensor>& inputs, double eps = 1e-6, double atol = 1e-5,
                          double rtol = 1e-3);

}  // namespace gs
