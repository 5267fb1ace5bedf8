// Weight normalisation: w = g v / ||v|| per output unit, gradients, and the
// data-dependent initialisation.
#include <cmath>

#include "nn/nn.h"
#include "tests/helpers.h"

using namespace gs;
using gs::testing::expect_close;

TEST_CASE("weight_norm scales each output unit's weight vector to length g") {
  Tensor v = tensor(std::vector<double>{3, 4, 0, 2}, {2, 2});
  Tensor g = tensor(std::vector<double>{10, 0.5});
  // Rows: [3, 4] has length 5, [0, 2] length 2.
  expect_close(nn::weight_norm(v, g), tensor(std::vector<double>{6, 8, 0, 0.5}, {2, 2}), 1e-12, 0);
  CHECK(testing::error_message([&] { nn::weight_norm(v, ones({3}, kFloat64)); }).find("expects v [out, ...] and g [out]") !=
        std::string::npos);
}

TEST_CASE("WeightNormLinear and WeightNormConv2d pass gradcheck in float64") {
  Generator gen(31);
  nn::WeightNormLinear linear(3, 2, gen);
  linear.to(kFloat64);
  Tensor x = testing::random_leaf({4, 3}, 32);
  std::vector<Tensor> inputs = linear.parameters();
  inputs.push_back(x);
  testing::expect_gradients_match([&](const std::vector<Tensor>&) { return linear(x); }, inputs);

  nn::WeightNormConv2d conv(nn::Conv2dOptions(2, 3, 3).stride(2).padding(F::Padding::same()), gen);
  conv.to(kFloat64);
  Tensor image = testing::random_leaf({2, 2, 5, 4}, 33);
  inputs = conv.parameters();
  inputs.push_back(image);
  testing::expect_gradients_match([&](const std::vector<Tensor>&) { return conv(image); }, inputs);
}

TEST_CASE("data-dependent init gives zero-mean, unit-variance pre-activations on the init batch") {
  Generator gen(34);
  nn::WeightNormLinear linear(20, 6, gen);
  Tensor x = randn({64, 20}, gen) * 5.0 + 2.0;
  Tensor y = linear.initialize_from_batch(x);
  expect_close(mean(y, {0}), zeros({6}), 1e-4, 0);
  expect_close(var(y, {0}, /*unbiased=*/false), ones({6}), 1e-4, 1e-4);
  expect_close(y, linear(x), 0, 0);  // the returned output is the initialised layer's
  CHECK(linear.parameters()[0].requires_grad());

  nn::WeightNormConv2d conv(nn::Conv2dOptions(3, 4, 3), gen);
  Tensor images = randn({8, 3, 6, 6}, gen) * 0.1 - 1.0;
  Tensor maps = conv.initialize_from_batch(images, 2.0);  // init_scale 2: standard deviation 2
  expect_close(mean(maps, {0, 2, 3}), zeros({4}), 1e-4, 0);
  expect_close(var(maps, {0, 2, 3}, false), full({4}, 4.0), 1e-3, 1e-4);
}

TEST_CASE("weight-normalised parameters are named weight_v, weight_g, bias") {
  nn::Sequential net(nn::WeightNormLinear(4, 3), nn::ReLU());
  StateDict dict = net.state_dict();
  CHECK(dict.count("0.weight_v") == 1);
  CHECK(dict.at("0.weight_g").shape() == Shape{3});
  CHECK(dict.at("0.bias").shape() == Shape{3});
}
