// Shape-changing helpers between the convolutional and dense parts of a network.
#include "autograd/ops.h"
#include "autograd/ops/op_helpers.h"
#include "nn/functional.h"

namespace gs::F {

// y[n, c] = mean_{h,w} x[n, c, h, w];  dX[n, c, h, w] = dY[n, c] / (H W)
Tensor global_avg_pool2d(const Tensor& x) {
  check_floating("global_avg_pool2d", x);
  check(x.dim() == 4, "global_avg_pool2d: expects [N, C, H, W], got ", shape_str(x.shape()));
  return x.mean({2, 3});
}

// [N, d1, d2, ...] -> [N, d1 d2 ...]: a view when x is contiguous.
Tensor flatten(const Tensor& x) {
  check(x.defined() && x.dim() >= 1, "flatten: expects a tensor with a batch dim");
  return x.flatten(1);
}

}  // namespace gs::F
