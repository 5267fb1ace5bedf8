// Weight normalisation: w = g v / ||v|| per output unit, gradients, and the
// data-dependent initialisation.
#include <cmath>

#include "nn/nn.h"
#include "optim/optim.h"
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

TEST_CASE("a weight-normalised layer computes W once per value of v and g, and every graph using it differentiates") {
  Generator gen(35);
  nn::WeightNormLinear layer(5, 3, gen);
  layer.to(kFloat64);
  const Tensor x1 = randn({4, 5}, gen, kFloat64), x2 = randn({6, 5}, gen, kFloat64);
  // Two passes, then the backward of each graph on its own: the gradients
  // add up to those of one backward of the summed loss, and of a layer
  // whose W is built afresh in each pass.
  auto loss = [&](const Tensor& x) { return sum(square(layer(x))); };
  const Tensor first = loss(x1), second = loss(x2);
  first.backward();
  second.backward();
  const Tensor v_grad = layer.weight_v.grad().clone(), g_grad = layer.weight_g.grad().clone();
  layer.zero_grad();
  (loss(x1) + loss(x2)).backward();
  expect_close(layer.weight_v.grad(), v_grad, 1e-12, 1e-12);
  expect_close(layer.weight_g.grad(), g_grad, 1e-12, 1e-12);
  layer.zero_grad();
  auto fresh = [&](const Tensor& x) { return sum(square(F::linear(x, layer.weight(), layer.bias))); };
  (fresh(x1) + fresh(x2)).backward();
  expect_close(layer.weight_v.grad(), v_grad, 1e-12, 1e-12);
  expect_close(layer.weight_g.grad(), g_grad, 1e-12, 1e-12);

  // After an in-place change of v (an optimizer step, copy_) or of g, the
  // layer uses the new W.
  optim::SGDOptions options;
  options.lr = 0.5;
  optim::SGD sgd(layer.parameters(), options);
  sgd.step();
  expect_close(layer(x1), F::linear(x1, layer.weight(), layer.bias), 1e-14, 0);
  layer.weight_g.detach().mul_(3.0);
  expect_close(layer(x1), F::linear(x1, layer.weight(), layer.bias), 1e-14, 0);
  {
    NoGradGuard no_grad;
    layer.weight_v.copy_(randn({3, 5}, gen, kFloat64));
    expect_close(layer(x2), F::linear(x2, layer.weight(), layer.bias), 1e-14, 0);
  }
  // Under NoGradGuard the output records nothing; with grad on again it does.
  {
    NoGradGuard no_grad;
    CHECK_FALSE(layer(x1).requires_grad());
  }
  CHECK(layer(x1).requires_grad());
}
