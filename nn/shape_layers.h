// Modules that only change the layout of their input.
#pragma once
#include "nn/functional.h"
#include "nn/module.h"

namespace gs::nn {

// [N, C, H, W] -> [N, C]: the mean of each feature map.
class GlobalAvgPool2d : public Module {
 public:
  Tensor forward(const Tensor& input) override { return F::global_avg_pool2d(input); }
  std::string type_name() const override { return "GlobalAvgPool2d"; }
};

// [N, ...] -> [N, rest]
class Flatten : public Module {
 public:
  Tensor forward(const Tensor& input) override { return F::flatten(input); }
  std::string type_name() const override { return "Flatten"; }
};

// [N, ...] -> [N, shape...], keeping the batch dim: Reshape({256, 7, 7}) after
// a dense layer of 256*7*7 units starts the DCGAN generator's convolutions.
class Reshape : public Module {
 public:
  explicit Reshape(Shape shape) : shape(std::move(shape)) {}
  Tensor forward(const Tensor& input) override;
  std::string type_name() const override { return "Reshape"; }
  Shape shape;
};

}  // namespace gs::nn
