// Chapter 1: tensors, strides, broadcasting, and gradients by reverse mode.
// The chapter's README walks through this program and shows its output.
#include <iostream>

#include "autograd/autograd.h"

using namespace gs;

int main() {
  std::cout << std::boolalpha;
  // 1. A tensor is storage plus a shape and strides.
  Tensor x = arange(6).reshape({2, 3});
  std::cout << "x = " << x << "\n";
  std::cout << "strides of x: " << shape_str(x.strides()) << "\n";

  // 2. A transpose is a view: same storage, swapped strides, nothing copied.
  Tensor xt = x.t();
  std::cout << "strides of x.t(): " << shape_str(xt.strides()) << ", contiguous: " << xt.is_contiguous()
            << ", shares storage: " << (xt.storage() == x.storage()) << "\n";

  // 3. Broadcasting: a [2,1] column and a [3] row make a [2,3] grid.
  Tensor column = tensor(std::vector<float>{10, 20}, {2, 1});
  Tensor row = tensor(std::vector<float>{1, 2, 3});
  std::cout << "column + row = " << column + row << "\n";

  // 4. The computational graph: f(w) = sum(tanh(w * a + b)).
  Tensor w = tensor(std::vector<double>{0.5, -1.0, 2.0}).requires_grad_();
  Tensor a = tensor(std::vector<double>{1.0, 2.0, 3.0});
  Tensor b = full({3}, 0.1, kFloat64);
  Tensor f = sum(tanh(w * a + b));
  std::cout << "f = " << f.item() << "\n";

  // 5. Reverse mode: one backward pass gives df/dw for every element of w.
  f.backward();
  std::cout << "df/dw (autograd)  = " << w.grad() << "\n";
  // By hand: df/dw_i = a_i * (1 - tanh(w_i a_i + b_i)^2)
  Tensor by_hand = a * (1.0 - square(tanh(w.detach() * a + b)));
  std::cout << "df/dw (by hand)   = " << by_hand << "\n";

  // 6. gradcheck compares against central differences in float64.
  GradcheckResult check = gradcheck(
      [&](const std::vector<Tensor>& in) { return sum(tanh(in[0] * a + b)); }, {w.detach().requires_grad_()});
  std::cout << "gradcheck: " << (check.ok ? "passed" : "FAILED") << " (largest error below 1e-8: "
            << (check.max_abs_error < 1e-8) << ")\n";
  return check.ok ? 0 : 1;
}
