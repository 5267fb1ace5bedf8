#include "nn/linear_layer.h"

#include "nn/init.h"

namespace gs::nn {

Linear::Linear(int64_t in_features, int64_t out_features, bool with_bias, Generator& gen) {
  check(in_features > 0 && out_features > 0, "Linear: sizes must be positive, got in_features ", in_features,
        ", out_features ", out_features);
  weight = register_parameter("weight", empty({out_features, in_features}));
  init::default_weight_(weight, gen);
  if (with_bias) {
    bias = register_parameter("bias", empty({out_features}));
    init::default_bias_(bias, in_features, gen);
  }
}

Tensor Linear::forward(const Tensor& input) { return F::linear(input, weight, bias); }

}  // namespace gs::nn
