#include "nn/shape_layers.h"

namespace gs::nn {

Tensor Reshape::forward(const Tensor& input) {
  check(input.dim() >= 1, "Reshape: expects a batch [N, ...], got a scalar");
  check(input.numel() == input.size(0) * gs::numel(shape), "Reshape: cannot reshape ", shape_str(input.shape()),
        " to [N] + ", shape_str(shape), ": each example has ", input.numel() / std::max<int64_t>(input.size(0), 1),
        " elements, the target ", gs::numel(shape));
  Shape target{input.size(0)};
  target.insert(target.end(), shape.begin(), shape.end());
  return input.reshape(target);
}

}  // namespace gs::nn
