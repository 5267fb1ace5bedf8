// nn::Conv2d and nn::ConvTranspose2d: modules around F::conv2d and
// F::conv_transpose2d holding the weight and bias (PyTorch's default init).
#pragma once
#include "nn/functional.h"
#include "nn/module.h"

namespace gs::nn {

class Conv2d : public Module {
 public:
  Conv2d(int64_t in_channels, int64_t out_channels, F::Pair kernel_size, F::Pair stride = 1,
         F::Padding padding = F::Padding::valid(), F::Pair dilation = 1, bool bias = true,
         Generator& gen = default_generator());
  Tensor forward(const Tensor& input) override;
  std::string type_name() const override { return "Conv2d"; }

  Tensor weight;  // [Cout, Cin, kH, kW]
  Tensor bias;    // [Cout], undefined without bias
  F::Pair stride, dilation;
  F::Padding padding;
};

class ConvTranspose2d : public Module {
 public:
  ConvTranspose2d(int64_t in_channels, int64_t out_channels, F::Pair kernel_size, F::Pair stride = 1,
                  F::Padding padding = F::Padding::valid(), F::Pair output_padding = 0, F::Pair dilation = 1,
                  bool bias = true, Generator& gen = default_generator());
  Tensor forward(const Tensor& input) override;
  std::string type_name() const override { return "ConvTranspose2d"; }

  Tensor weight;  // [Cin, Cout, kH, kW]
  Tensor bias;    // [Cout], undefined without bias
  F::Pair stride, output_padding, dilation;
  F::Padding padding;
};

}  // namespace gs::nn
