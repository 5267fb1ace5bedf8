// nn::Conv2d and nn::ConvTranspose2d: modules around F::conv2d and
// F::conv_transpose2d holding the weight and bias (PyTorch's default init).
//   nn::Conv2d(nn::Conv2dOptions(1, 64, 5).stride(2).padding(F::Padding::same()))
//   nn::ConvTranspose2d(nn::ConvTranspose2dOptions(512, 256, 4))   (stride 1, 'valid', with bias)
#pragma once
#include "nn/layer_options.h"
#include "nn/module.h"

namespace gs::nn {

class Conv2d : public Module {
 public:
  explicit Conv2d(Conv2dOptions options, Generator& gen = default_generator());
  Conv2d(int64_t in_channels, int64_t out_channels, F::Pair kernel_size, Generator& gen = default_generator())
      : Conv2d(Conv2dOptions(in_channels, out_channels, kernel_size), gen) {}
  Tensor forward(const Tensor& input) override;
  std::string type_name() const override { return "Conv2d"; }

  Conv2dOptions options;
  Tensor weight;  // [Cout, Cin, kH, kW]
  Tensor bias;    // [Cout], undefined without bias
};

class ConvTranspose2d : public Module {
 public:
  explicit ConvTranspose2d(ConvTranspose2dOptions options, Generator& gen = default_generator());
  ConvTranspose2d(int64_t in_channels, int64_t out_channels, F::Pair kernel_size, Generator& gen = default_generator())
      : ConvTranspose2d(ConvTranspose2dOptions(in_channels, out_channels, kernel_size), gen) {}
  Tensor forward(const Tensor& input) override;
  std::string type_name() const override { return "ConvTranspose2d"; }

  ConvTranspose2dOptions options;
  Tensor weight;  // [Cin, Cout, kH, kW]
  Tensor bias;    // [Cout], undefined without bias
};

}  // namespace gs::nn
