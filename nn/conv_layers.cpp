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

Conv2d::Conv2d(int64_t in_channels, int64_t out_channels, F::Pair kernel_size, F::Pair stride_,
               F::Padding padding_, F::Pair dilation_, bool with_bias, Generator& gen)
    : stride(stride_), dilation(dilation_), padding(padding_) {
  check_sizes("Conv2d", in_channels, out_channels, kernel_size);
  weight = register_parameter("weight", empty({out_channels, in_channels, kernel_size.h, kernel_size.w}));
  init::default_weight_(weight, gen);
  if (with_bias) {
    bias = register_parameter("bias", empty({out_channels}));
    init::default_bias_(bias, init::compute_fans(weight).fan_in, gen);
  }
}

Tensor Conv2d::forward(const Tensor& input) {
  return F::conv2d(input, weight, bias, stride, padding, dilation);
}

ConvTranspose2d::ConvTranspose2d(int64_t in_channels, int64_t out_channels, F::Pair kernel_size, F::Pair stride_,
                                 F::Padding padding_, F::Pair output_padding_, F::Pair dilation_, bool with_bias,
                                 Generator& gen)
    : stride(stride_), output_padding(output_padding_), dilation(dilation_), padding(padding_) {
  check_sizes("ConvTranspose2d", in_channels, out_channels, kernel_size);
  weight = register_parameter("weight", empty({in_channels, out_channels, kernel_size.h, kernel_size.w}));
  init::default_weight_(weight, gen);
  if (with_bias) {
    bias = register_parameter("bias", empty({out_channels}));
    init::default_bias_(bias, init::compute_fans(weight).fan_in, gen);
  }
}

Tensor ConvTranspose2d::forward(const Tensor& input) {
  return F::conv_transpose2d(input, weight, bias, stride, padding, output_padding, dilation);
}

}  // namespace gs::nn
