// Weight initialisers. Each fills an existing tensor in place (any float
// dtype, any device) from a seeded generator and returns it.
//
// Fans of a weight [out, in, k...]: fan_in = in * prod(k), fan_out = out * prod(k).
// (For a transposed convolution's [Cin, Cout, k...] weight this reads Cout as
// "in", as PyTorch does, so the defaults match PyTorch's.)
#pragma once
#include "tensor/generator.h"
#include "tensor/tensor.h"

namespace gs::nn::init {

struct Fans {
  int64_t fan_in = 0, fan_out = 0;
};
Fans compute_fans(const Tensor& weight);  // needs at least 2 dims

enum class FanMode { FanIn, FanOut };
enum class Nonlinearity { Linear, ReLU, LeakyReLU, Tanh, Sigmoid };

// The factor by which a nonlinearity shrinks the variance, undone by the init:
// ReLU sqrt(2), LeakyReLU(a) sqrt(2 / (1 + a^2)), Tanh 5/3, Linear/Sigmoid 1.
double gain(Nonlinearity nonlinearity, double negative_slope = 0.01);

Tensor& uniform_(Tensor& t, double low, double high, Generator& gen = default_generator());
Tensor& normal_(Tensor& t, double mean, double stddev, Generator& gen = default_generator());
Tensor& constant_(Tensor& t, double value);

// N(0, 0.02), the DCGAN paper's init (Radford et al. 2016).
Tensor& dcgan_normal_(Tensor& t, Generator& gen = default_generator());

// Glorot & Bengio 2010: keeps the variance of activations and gradients equal
// across layers, Var = gain^2 * 2 / (fan_in + fan_out).
Tensor& xavier_uniform_(Tensor& t, double gain = 1.0, Generator& gen = default_generator());
Tensor& xavier_normal_(Tensor& t, double gain = 1.0, Generator& gen = default_generator());

// He et al. 2015: Var = gain^2 / fan, gain for a leaky ReLU of slope a.
Tensor& kaiming_uniform_(Tensor& t, double a = 0.0, FanMode mode = FanMode::FanIn,
                         Nonlinearity nonlinearity = Nonlinearity::LeakyReLU, Generator& gen = default_generator());
Tensor& kaiming_normal_(Tensor& t, double a = 0.0, FanMode mode = FanMode::FanIn,
                        Nonlinearity nonlinearity = Nonlinearity::LeakyReLU, Generator& gen = default_generator());

// PyTorch's defaults for Linear and convolutions: weight kaiming_uniform_(a =
// sqrt(5)), i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in)); bias U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
Tensor& default_weight_(Tensor& weight, Generator& gen = default_generator());
Tensor& default_bias_(Tensor& bias, int64_t fan_in, Generator& gen = default_generator());

}  // namespace gs::nn::init
