#include "nn/batch_norm_layer.h"

namespace gs::nn {

BatchNorm::BatchNorm(BatchNormOptions options_, int64_t input_dims) : options(options_), input_dims_(input_dims) {
  const int64_t num_features = options.num_features();
  check(num_features > 0, "BatchNorm: num_features must be positive, got ", num_features);
  if (options.affine()) {
    weight = register_parameter("weight", ones({num_features}));
    bias = register_parameter("bias", zeros({num_features}));
  }
  running_mean = register_buffer("running_mean", zeros({num_features}));
  running_var = register_buffer("running_var", ones({num_features}));
}

Tensor BatchNorm::forward(const Tensor& input) {
  check(input.dim() == input_dims_, type_name(), ": expects a ", input_dims_ == 2 ? "[N, C]" : "[N, C, H, W]",
        " input, got shape ", shape_str(input.shape()));
  return F::batch_norm(input, weight, bias, running_mean, running_var, is_training(), options.momentum(),
                       options.eps());
}

}  // namespace gs::nn
