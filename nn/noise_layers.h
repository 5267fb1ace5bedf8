// Regularisers that act only in training mode and are the identity in eval mode.
#pragma once
#include "nn/functional.h"
#include "nn/module.h"

namespace gs::nn {

// Inverted dropout (Srivastava et al. 2014): zeroes each element with
// probability p and scales the rest by 1 / (1 - p).
class Dropout : public Module {
 public:
  explicit Dropout(double p = 0.5, Generator& gen = default_generator()) : p(p), generator_(&gen) {
    check(p >= 0.0 && p < 1.0, "Dropout: p must be in [0, 1), got ", p);
  }
  Tensor forward(const Tensor& input) override { return F::dropout(input, p, is_training(), *generator_); }
  std::string type_name() const override { return "Dropout"; }
  double p;

 private:
  Generator* generator_;
};

// Adds N(0, stddev^2) noise (the semi-supervised GAN's discriminator input and
// hidden layers, Salimans et al. 2016).
class GaussianNoise : public Module {
 public:
  explicit GaussianNoise(double stddev, Generator& gen = default_generator()) : stddev(stddev), generator_(&gen) {
    check(stddev >= 0.0, "GaussianNoise: stddev must be >= 0, got ", stddev);
  }
  Tensor forward(const Tensor& input) override {
    return F::gaussian_noise(input, stddev, is_training(), *generator_);
  }
  std::string type_name() const override { return "GaussianNoise"; }
  double stddev;

 private:
  Generator* generator_;
};

}  // namespace gs::nn
