#include "nn/linear_layer.h"

#include "nn/init.h"

namespace gs::nn {

Linear::Linear(LinearOptions options_, Generator& gen) : options(options_) {
  const int64_t in = options.in_features(), out = options.out_features();
  check(in > 0 && out > 0, "Linear: sizes must be positive, got in_features ", in, ", out_features ", out);
  weight = register_parameter("weight", empty({out, in}));
  init::default_weight_(weight, gen);
  if (options.bias()) {
    bias = register_parameter("bias", empty({out}));
    init::default_bias_(bias, in, gen);
  }
}

Tensor Linear::forward(const Tensor& input) { return F::linear(input, weight, bias); }

}  // namespace gs::nn
