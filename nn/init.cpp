#include "nn/init.h"

#include <cmath>

namespace gs::nn::init {

Fans compute_fans(const Tensor& weight) {
  check(weight.dim() >= 2, "init: fan in/out need a weight of at least 2 dims, got shape ",
        shape_str(weight.shape()));
  int64_t receptive_field = 1;
  for (int64_t d = 2; d < weight.dim(); ++d) receptive_field *= weight.size(d);
  return {weight.size(1) * receptive_field, weight.size(0) * receptive_field};
}

double gain(Nonlinearity nonlinearity, double negative_slope) {
  switch (nonlinearity) {
    case Nonlinearity::ReLU: return std::sqrt(2.0);
    case Nonlinearity::LeakyReLU: return std::sqrt(2.0 / (1.0 + negative_slope * negative_slope));
    case Nonlinearity::Tanh: return 5.0 / 3.0;
    case Nonlinearity::Linear:
    case Nonlinearity::Sigmoid: return 1.0;
  }
  return 1.0;
}

Tensor& uniform_(Tensor& t, double low, double high, Generator& gen) {
  check(is_floating(t.dtype()), "init: needs a floating tensor, got ", dtype_name(t.dtype()));
  return t.copy_(uniform(t.shape(), low, high, gen, {t.dtype()}).to(t.device()));
}

Tensor& normal_(Tensor& t, double mean, double stddev, Generator& gen) {
  check(is_floating(t.dtype()), "init: needs a floating tensor, got ", dtype_name(t.dtype()));
  return t.copy_(normal(t.shape(), mean, stddev, gen, {t.dtype()}).to(t.device()));
}

Tensor& constant_(Tensor& t, double value) { return t.fill_(value); }

Tensor& dcgan_normal_(Tensor& t, Generator& gen) { return normal_(t, 0.0, 0.02, gen); }

Tensor& xavier_uniform_(Tensor& t, double gain, Generator& gen) {
  Fans fans = compute_fans(t);
  // U(-b, b) has variance b^2 / 3.
  double bound = gain * std::sqrt(6.0 / double(fans.fan_in + fans.fan_out));
  return uniform_(t, -bound, bound, gen);
}

Tensor& xavier_normal_(Tensor& t, double gain, Generator& gen) {
  Fans fans = compute_fans(t);
  return normal_(t, 0.0, gain * std::sqrt(2.0 / double(fans.fan_in + fans.fan_out)), gen);
}

namespace {
double kaiming_std(const Tensor& t, double a, FanMode mode, Nonlinearity nonlinearity) {
  Fans fans = compute_fans(t);
  int64_t fan = mode == FanMode::FanIn ? fans.fan_in : fans.fan_out;
  return gain(nonlinearity, a) / std::sqrt(double(fan));
}
}  // namespace

Tensor& kaiming_uniform_(Tensor& t, double a, FanMode mode, Nonlinearity nonlinearity, Generator& gen) {
  double bound = std::sqrt(3.0) * kaiming_std(t, a, mode, nonlinearity);
  return uniform_(t, -bound, bound, gen);
}

Tensor& kaiming_normal_(Tensor& t, double a, FanMode mode, Nonlinearity nonlinearity, Generator& gen) {
  return normal_(t, 0.0, kaiming_std(t, a, mode, nonlinearity), gen);
}

Tensor& default_weight_(Tensor& weight, Generator& gen) {
  return kaiming_uniform_(weight, std::sqrt(5.0), FanMode::FanIn, Nonlinearity::LeakyReLU, gen);
}

Tensor& default_bias_(Tensor& bias, int64_t fan_in, Generator& gen) {
  double bound = fan_in > 0 ? 1.0 / std::sqrt(double(fan_in)) : 0.0;
  return uniform_(bias, -bound, bound, gen);
}

}  // namespace gs::nn::init
