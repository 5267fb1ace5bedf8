#include "nn/conv_layers.h"

#include "nn/init.h"

namespace gs::nn {
namespace {

void check_sizes(const char* layer, int64_t in_channels, int64_t out_channels, F::Pair kernel) {
  check(in_channels > 0 && out_channels > 0 && kernel.h > 0 && kernel.w > 0, layer,
        ": channels and kernel sizes must be positive, got in_channels ", in_channels, ", out_channels ",
        out_channels, ", kernel ", kernel.h, "x", kernel.w);
}

}  // namespace

Conv2d::Conv2d(Conv2dOptions options_, Generator& gen) : options(options_) {
  const F::Pair kernel = options.kernel_size();
  check_sizes("Conv2d", options.in_channels(), options.out_channels(), kernel);
  weight = register_parameter("weight", empty({options.out_channels(), options.in_channels(), kernel.h, kernel.w}));
  init::default_weight_(weight, gen);
  if (options.bias()) {
    bias = register_parameter("bias", empty({options.out_channels()}));
    init::default_bias_(bias, init::compute_fans(weight).fan_in, gen);
  }
}

Tensor Conv2d::forward(const Tensor& input) {
  return F::conv2d(input, weight, bias, options.stride(), options.padding(), options.dilation());
}

ConvTranspose2d::ConvTranspose2d(ConvTranspose2dOptions options_, Generator& gen) : options(options_) {
  const F::Pair kernel = options.kernel_size();
  check_sizes("ConvTranspose2d", options.in_channels(), options.out_channels(), kernel);
  weight = register_parameter("weight", empty({options.in_channels(), options.out_channels(), kernel.h, kernel.w}));
  init::default_weight_(weight, gen);
  if (options.bias()) {
    bias = register_parameter("bias", empty({options.out_channels()}));
    init::default_bias_(bias, init::compute_fans(weight).fan_in, gen);
  }
}

Tensor ConvTranspose2d::forward(const Tensor& input) {
  return F::conv_transpose2d(input, weight, bias, options.stride(), options.padding(), options.output_padding(),
                             options.dilation());
}

}  // namespace gs::nn
