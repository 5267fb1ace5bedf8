// The settings of the layers, given by name as in PyTorch's C++ frontend:
//   nn::Conv2d(nn::Conv2dOptions(1, 64, 5).stride(2).padding(F::Padding::same()))
//   nn::ConvTranspose2d(nn::ConvTranspose2dOptions(512, 256, 4).bias(false))
//   nn::Linear(nn::LinearOptions(100, 500).bias(false))
//   nn::BatchNorm1d(nn::BatchNormOptions(500).eps(1e-6))
// The constructor takes what every layer needs (sizes); each other setting
// has a default and a setter of its own name that returns the options, so
// settings chain; the same name without an argument reads it back.
#pragma once
#include <cstdint>

#include "nn/functional.h"

// One setting: `name(value)` sets it (and returns the options), `name()`
// reads it, `name##_` holds it (with its default after the macro).
#define GS_OPTION(type, name)             \
  auto& name(const type& value) {         \
    name##_ = value;                      \
    return *this;                         \
  }                                       \
  const type& name() const { return name##_; } \
  type name##_

namespace gs::nn {

struct Conv2dOptions {
  Conv2dOptions(int64_t in_channels, int64_t out_channels, F::Pair kernel_size)
      : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(kernel_size) {}
  GS_OPTION(int64_t, in_channels);
  GS_OPTION(int64_t, out_channels);
  GS_OPTION(F::Pair, kernel_size);
  GS_OPTION(F::Pair, stride) = 1;
  GS_OPTION(F::Padding, padding) = F::Padding::valid();
  GS_OPTION(F::Pair, dilation) = 1;
  GS_OPTION(bool, bias) = true;
};

struct ConvTranspose2dOptions {
  ConvTranspose2dOptions(int64_t in_channels, int64_t out_channels, F::Pair kernel_size)
      : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(kernel_size) {}
  GS_OPTION(int64_t, in_channels);
  GS_OPTION(int64_t, out_channels);
  GS_OPTION(F::Pair, kernel_size);
  GS_OPTION(F::Pair, stride) = 1;
  GS_OPTION(F::Padding, padding) = F::Padding::valid();
  GS_OPTION(F::Pair, output_padding) = 0;  // extra rows/columns at the bottom/right (explicit padding)
  GS_OPTION(F::Pair, dilation) = 1;
  GS_OPTION(bool, bias) = true;
};

struct LinearOptions {
  LinearOptions(int64_t in_features, int64_t out_features) : in_features_(in_features), out_features_(out_features) {}
  GS_OPTION(int64_t, in_features);
  GS_OPTION(int64_t, out_features);
  GS_OPTION(bool, bias) = true;
};

struct BatchNormOptions {
  explicit BatchNormOptions(int64_t num_features) : num_features_(num_features) {}
  GS_OPTION(int64_t, num_features);
  GS_OPTION(double, eps) = 1e-5;
  GS_OPTION(double, momentum) = 0.1;  // running = (1 - momentum) running + momentum batch statistic
  GS_OPTION(bool, affine) = true;     // learn gamma and beta
};

}  // namespace gs::nn
