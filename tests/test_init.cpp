// Initialisers: the statistics of large tensors match the formulas.
#include <cmath>

#include "nn/nn.h"
#include "tests/helpers.h"

using namespace gs;

namespace {
struct Stats {
  double mean, stddev, low, high;
};
Stats stats(const Tensor& t) {
  std::vector<double> v = t.to_vector<double>();
  double sum = 0, sum_sq = 0, low = v[0], high = v[0];
  for (double x : v) {
    sum += x;
    low = std::min(low, x);
    high = std::max(high, x);
  }
  double mean = sum / v.size();
  for (double x : v) sum_sq += (x - mean) * (x - mean);
  return {mean, std::sqrt(sum_sq / v.size()), low, high};
}
}  // namespace

TEST_CASE("fans of linear and convolution weights") {
  nn::init::Fans fans = nn::init::compute_fans(empty({64, 32, 5, 3}));
  CHECK(fans.fan_in == 32 * 15);
  CHECK(fans.fan_out == 64 * 15);
  CHECK(testing::error_message([] { nn::init::compute_fans(empty({7})); }).find("at least 2 dims") !=
        std::string::npos);
}

TEST_CASE("normal, Xavier and Kaiming initialisers have the documented mean, std and bounds") {
  Generator gen(9);
  Tensor w = empty({400, 250});  // fan_in 250, fan_out 400
  const double tolerance = 0.02;  // relative, for 100k samples

  Stats s = stats(nn::init::dcgan_normal_(w, gen));
  CHECK(std::abs(s.mean) < 0.001);
  CHECK(std::abs(s.stddev / 0.02 - 1) < tolerance);

  double xavier_std = std::sqrt(2.0 / 650);
  s = stats(nn::init::xavier_uniform_(w, 1.0, gen));
  CHECK(std::abs(s.stddev / xavier_std - 1) < tolerance);
  CHECK(s.high <= std::sqrt(3.0) * xavier_std);
  CHECK(s.low >= -std::sqrt(3.0) * xavier_std);
  s = stats(nn::init::xavier_normal_(w, 2.0, gen));
  CHECK(std::abs(s.stddev / (2 * xavier_std) - 1) < tolerance);

  double relu_std = std::sqrt(2.0 / 250);
  s = stats(nn::init::kaiming_normal_(w, 0.0, nn::init::FanMode::FanIn, nn::init::Nonlinearity::ReLU, gen));
  CHECK(std::abs(s.stddev / relu_std - 1) < tolerance);
  CHECK(std::abs(s.mean) < 0.01 * relu_std * 10);
  s = stats(nn::init::kaiming_uniform_(w, 0.0, nn::init::FanMode::FanOut, nn::init::Nonlinearity::ReLU, gen));
  CHECK(std::abs(s.stddev / std::sqrt(2.0 / 400) - 1) < tolerance);
  CHECK(s.high <= std::sqrt(3.0 * 2.0 / 400));
}

TEST_CASE("PyTorch's default Linear and Conv2d init: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weight and bias") {
  Generator gen(10);
  nn::Linear linear(300, 500, gen);
  double bound = 1 / std::sqrt(300.0);
  Stats w = stats(linear.weight);
  CHECK(w.high <= bound);
  CHECK(w.low >= -bound);
  CHECK(w.high > 0.99 * bound);
  CHECK(std::abs(w.stddev / (bound / std::sqrt(3.0)) - 1) < 0.02);
  Stats b = stats(linear.bias);
  CHECK(b.high <= bound);
  CHECK(b.low >= -bound);

  nn::Conv2d conv(16, 8, 5, gen);  // fan_in 16 * 25 = 400
  CHECK(stats(conv.weight).high <= 1 / 20.0);
  CHECK(stats(conv.weight).high > 0.95 / 20.0);
  CHECK(stats(conv.bias).high <= 1 / 20.0);
}

TEST_CASE("initialisers fill float64 tensors and reject integer ones") {
  Generator gen(12);
  Tensor w = empty({100, 100}, kFloat64);
  Stats s = stats(nn::init::normal_(w, 3.0, 0.5, gen));
  CHECK(std::abs(s.mean - 3.0) < 0.02);
  Tensor labels = empty({4}, kInt64);
  CHECK(testing::error_message([&] { nn::init::uniform_(labels, 0, 1, gen); }).find("needs a floating tensor") !=
        std::string::npos);
}
