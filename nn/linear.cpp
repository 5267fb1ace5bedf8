// A fully connected layer.
//   y = x W^T + b;   dX = dY W,   dW = dY^T X,   db = sum_n dY
// W^T is a transposed view, which matmul hands to BLAS as a flag (no copy);
// matmul's backward rule is exactly the three products above.
#include "autograd/ops.h"
#include "autograd/ops/op_helpers.h"
#include "nn/functional.h"

namespace gs::F {

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  check_same_kind("linear", x, weight);
  check(x.dim() == 2, "linear: expects an input [N, in_features], got shape ", shape_str(x.shape()));
  check(weight.dim() == 2, "linear: expects a weight [out_features, in_features], got shape ",
        shape_str(weight.shape()));
  check(x.size(1) == weight.size(1), "linear: input has ", x.size(1), " features but the weight expects ",
        weight.size(1), " (weight shape ", shape_str(weight.shape()), ")");
  Tensor y = matmul(x, weight.t());
  if (!bias.defined()) return y;
  check_same_kind("linear", x, bias);
  check(bias.dim() == 1 && bias.size(0) == weight.size(0), "linear: bias must have shape [", weight.size(0),
        "] (one per output feature), got ", shape_str(bias.shape()));
  return y + bias;
}

}  // namespace gs::F
