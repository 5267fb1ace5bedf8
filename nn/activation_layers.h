// Activation modules: parameter-free wrappers of the gs:: activation ops, so
// they can sit in a Sequential.
#pragma once
#include "nn/module.h"

namespace gs::nn {

class ReLU : public Module {
 public:
  Tensor forward(const Tensor& input) override { return relu(input); }
  std::string type_name() const override { return "ReLU"; }
};

// max(x, slope * x); DCGAN uses slope 0.2 (PyTorch's default is 0.01).
class LeakyReLU : public Module {
 public:
  explicit LeakyReLU(double negative_slope = 0.01) : negative_slope(negative_slope) {}
  Tensor forward(const Tensor& input) override { return leaky_relu(input, negative_slope); }
  std::string type_name() const override { return "LeakyReLU"; }
  double negative_slope;
};

class Tanh : public Module {
 public:
  Tensor forward(const Tensor& input) override { return tanh(input); }
  std::string type_name() const override { return "Tanh"; }
};

class Sigmoid : public Module {
 public:
  Tensor forward(const Tensor& input) override { return sigmoid(input); }
  std::string type_name() const override { return "Sigmoid"; }
};

class Softplus : public Module {
 public:
  Tensor forward(const Tensor& input) override { return softplus(input); }
  std::string type_name() const override { return "Softplus"; }
};

}  // namespace gs::nn
