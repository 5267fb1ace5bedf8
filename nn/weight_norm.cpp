#include "nn/weight_norm.h"

#include "nn/init.h"

namespace gs::nn {
namespace {

// The dims of a weight other than the output unit's: 1, 2, ...
Shape unit_dims(const Tensor& v) {
  Shape dims;
  for (int64_t d = 1; d < v.dim(); ++d) dims.push_back(d);
  return dims;
}

// g broadcast against v: [out] -> [out, 1, ...].
Tensor per_unit(const Tensor& g, const Tensor& v) {
  Shape shape(v.dim(), 1);
  shape[0] = g.size(0);
  return g.reshape(shape);
}

// pre_activation has the unit in dim 1 ([N, out] or [N, out, H, W]); its
// statistics per unit are over all other dims.
void set_from_statistics(const Tensor& pre_activation, Tensor& g, Tensor& bias, double init_scale) {
  Shape dims{0};
  for (int64_t d = 2; d < pre_activation.dim(); ++d) dims.push_back(d);
  Tensor batch_mean = mean(pre_activation, dims);
  Tensor batch_var = var(pre_activation, dims, /*unbiased=*/false);
  // The 1e-10 keeps a dead unit (zero variance) finite, as in the original code.
  Tensor scale = init_scale / sqrt(batch_var + 1e-10);
  g.copy_(scale);
  bias.copy_(-batch_mean * scale);
}

}  // namespace

Tensor weight_norm(const Tensor& v, const Tensor& g) {
  check(v.dim() >= 2 && g.dim() == 1 && g.size(0) == v.size(0), "weight_norm: expects v [out, ...] and g [out], got ",
        shape_str(v.shape()), " and ", shape_str(g.shape()));
  Tensor norm = sqrt(sum(square(v), unit_dims(v), /*keepdim=*/true));
  return v * (per_unit(g, v) / norm);
}

WeightNormLinear::WeightNormLinear(LinearOptions options, Generator& gen) {
  const int64_t in_features = options.in_features(), out_features = options.out_features();
  check(in_features > 0 && out_features > 0, "WeightNormLinear: sizes must be positive, got in_features ",
        in_features, ", out_features ", out_features);
  weight_v = register_parameter("weight_v", empty({out_features, in_features}));
  init::normal_(weight_v, 0.0, 0.05, gen);
  weight_g = register_parameter("weight_g", ones({out_features}));
  if (options.bias()) bias = register_parameter("bias", zeros({out_features}));
}

Tensor WeightNormLinear::forward(const Tensor& input) { return F::linear(input, weight(), bias); }

Tensor WeightNormLinear::initialize_from_batch(const Tensor& input, double init_scale) {
  check(bias.defined(), "WeightNormLinear: data-dependent initialisation needs a bias");
  {
    NoGradGuard no_grad;
    weight_g.fill_(1.0);
    set_from_statistics(F::linear(input, weight()), weight_g, bias, init_scale);
  }
  return forward(input);
}

WeightNormConv2d::WeightNormConv2d(Conv2dOptions options_, Generator& gen) : options(options_) {
  const int64_t in_channels = options.in_channels(), out_channels = options.out_channels();
  const F::Pair kernel = options.kernel_size();
  check(in_channels > 0 && out_channels > 0 && kernel.h > 0 && kernel.w > 0,
        "WeightNormConv2d: channels and kernel sizes must be positive");
  weight_v = register_parameter("weight_v", empty({out_channels, in_channels, kernel.h, kernel.w}));
  init::normal_(weight_v, 0.0, 0.05, gen);
  weight_g = register_parameter("weight_g", ones({out_channels}));
  if (options.bias()) bias = register_parameter("bias", zeros({out_channels}));
}

Tensor WeightNormConv2d::forward(const Tensor& input) {
  return F::conv2d(input, weight(), bias, options.stride(), options.padding(), options.dilation());
}

Tensor WeightNormConv2d::initialize_from_batch(const Tensor& input, double init_scale) {
  check(bias.defined(), "WeightNormConv2d: data-dependent initialisation needs a bias");
  {
    NoGradGuard no_grad;
    weight_g.fill_(1.0);
    set_from_statistics(F::conv2d(input, weight(), Tensor(), options.stride(), options.padding(), options.dilation()),
                        weight_g, bias, init_scale);
  }
  return forward(input);
}

}  // namespace gs::nn
