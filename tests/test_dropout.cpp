// dropout, gaussian_noise, global_avg_pool2d, flatten.
#include <cmath>

#include "nn/functional.h"
#include "tests/helpers.h"

using namespace gs;
using gs::testing::expect_close;
using gs::testing::expect_gradients_match;
using gs::testing::random_leaf;

TEST_CASE("dropout zeroes about p of the values and scales the rest by 1 / (1 - p)") {
  Generator gen(7);
  Tensor x = ones({100, 100});
  Tensor y = F::dropout(x, 0.3, true, gen);
  std::vector<float> v = y.to_vector<float>();
  int64_t kept = 0, other = 0;
  for (float value : v) {
    kept += value != 0.0f;
    other += value != 0.0f && std::abs(value - 1.0f / 0.7f) > 1e-6f;
  }
  CHECK(other == 0);
  CHECK(std::abs(kept / 10000.0 - 0.7) < 0.03);
}

TEST_CASE("dropout is deterministic given the generator state and the identity in eval mode") {
  Tensor x = random_leaf({4, 5}, 1).detach();
  Generator a(3), b(3);
  expect_close(F::dropout(x, 0.5, true, a), F::dropout(x, 0.5, true, b), 0, 0);
  CHECK(a.offset() == b.offset());
  Generator c(3);
  CHECK(F::dropout(x, 0.5, false, c).impl_ptr() == x.impl_ptr());
  CHECK(c.offset() == 0);  // eval mode draws nothing
  CHECK(gs::testing::error_message([&] { F::dropout(x, 1.5, true, c); }).find("must be in [0, 1]") !=
        std::string::npos);
}

TEST_CASE("dropout gradient passes gradcheck (mask fixed by the generator seed)") {
  Tensor x = random_leaf({3, 4}, 2);
  expect_gradients_match(
      [](const std::vector<Tensor>& in) {
        Generator gen(11);
        return F::dropout(in[0], 0.4, true, gen);
      },
      {x});
}

TEST_CASE("gaussian_noise adds N(0, stddev^2) in training mode only") {
  Generator gen(5);
  Tensor x = zeros({200, 100}, kFloat64);
  Tensor noise = F::gaussian_noise(x, 0.5, true, gen);
  CHECK(std::abs(noise.mean().item()) < 0.01);
  CHECK(std::abs(std::sqrt(square(noise).mean().item()) - 0.5) < 0.01);
  CHECK(F::gaussian_noise(x, 0.5, false, gen).impl_ptr() == x.impl_ptr());
  Tensor leaf = random_leaf({2, 3}, 3);
  expect_gradients_match(
      [](const std::vector<Tensor>& in) {
        Generator g(1);
        return F::gaussian_noise(in[0], 0.3, true, g);
      },
      {leaf});
}

TEST_CASE("global_avg_pool2d averages each feature map; flatten keeps the batch dim") {
  Tensor x = arange(24, kFloat64).reshape({2, 3, 2, 2});
  // map (n, c) holds 4k .. 4k + 3 with k = 3n + c: mean 4k + 1.5
  expect_close(F::global_avg_pool2d(x), tensor(std::vector<double>{1.5, 5.5, 9.5, 13.5, 17.5, 21.5}, {2, 3}), 0, 0);
  CHECK(F::flatten(x).shape() == Shape{2, 12});
  Tensor leaf = random_leaf({2, 3, 3, 2}, 4);
  expect_gradients_match([](const std::vector<Tensor>& in) { return F::global_avg_pool2d(in[0]); }, {leaf});
  expect_gradients_match([](const std::vector<Tensor>& in) { return F::flatten(in[0]); }, {leaf});
}
