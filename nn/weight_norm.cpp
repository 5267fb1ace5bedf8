#include "nn/weight_norm.h"

#include "autograd/node.h"
#include "autograd/ops/op_helpers.h"
#include "nn/init.h"

namespace gs::nn {
namespace {

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

// w = (g / ||v||) v per unit;  dg = dot / ||v||,  dv = (g / ||v||) (dW - (dot / ||v||^2) v),
// dot = sum dW v over the unit. One node and two fused kernels (tensor/cpu/weight_norm.cpp)
// where the chain square, sum, sqrt, divide, multiply records five and walks v ten times.
Tensor weight_norm(const Tensor& v, const Tensor& g) {
  check(v.dim() >= 2 && g.dim() == 1 && g.size(0) == v.size(0), "weight_norm: expects v [out, ...] and g [out], got ",
        shape_str(v.shape()), " and ", shape_str(g.shape()));
  check_same_kind("weight_norm", v, g);
  check_floating("weight_norm", v);
  const Tensor direction = v.detach().contiguous(), length = g.detach().contiguous();
  const Shape rows{v.size(0), v.numel() / v.size(0)};
  Tensor w = empty(v.shape(), v.options()), norm = empty({v.size(0)}, v.options());
  backend_of(v).weight_norm_forward(direction.view(rows), length, w.view(rows), norm);
  record(w, "weight_norm", {v, g},
         [direction, length, norm, rows, need_v = v.requires_grad(), need_g = g.requires_grad()](const Tensor& grad) {
           Tensor dv = need_v ? empty(direction.shape(), direction.options()) : Tensor();
           Tensor dg = need_g ? empty(length.shape(), length.options()) : Tensor();
           backend_of(direction).weight_norm_backward(grad.contiguous().view(rows), direction.view(rows), length,
                                                      norm, need_v ? dv.view(rows) : Tensor(), dg);
           return std::vector<Tensor>{dv, dg};
         });
  return w;
}

Tensor CachedWeightNorm::operator()(const Tensor& v, const Tensor& g) {
  const bool v_gradient = grad_enabled() && v.requires_grad(), g_gradient = grad_enabled() && g.requires_grad();
  if (!weight_.defined() || v_gradient != v_gradient_ || g_gradient != g_gradient_ || v.storage() != v_storage_ ||
      g.storage() != g_storage_ || v.storage()->version() != v_version_ || g.storage()->version() != g_version_) {
    weight_ = weight_norm(v, g);
    v_gradient_ = v_gradient;
    g_gradient_ = g_gradient;
    if (const std::shared_ptr<Node>& node = weight_.impl_ptr()->grad_fn) node->keep_after_backward = true;
    v_storage_ = v.storage();
    g_storage_ = g.storage();
    v_version_ = v_storage_->version();
    g_version_ = g_storage_->version();
  }
  return weight_;
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

Tensor WeightNormLinear::forward(const Tensor& input) {
  return F::linear(input, cached_weight_(weight_v, weight_g), bias);
}

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
  return F::conv2d(input, cached_weight_(weight_v, weight_g), bias, options.stride(), options.padding(),
                   options.dilation());
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
