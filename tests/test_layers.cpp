// Layer modules: each equals its functional op, has the documented shapes,
// passes gradcheck in float64 and switches behaviour with train()/eval().
#include "nn/nn.h"
#include "tests/helpers.h"

using namespace gs;
using gs::testing::error_message;
using gs::testing::expect_close;

TEST_CASE("Conv2d and ConvTranspose2d equal their functional ops and pass gradcheck as modules") {
  Generator gen(5);
  nn::Conv2d conv(nn::Conv2dOptions(2, 3, {3, 2}).stride(2).padding(F::Padding::same()), gen);
  CHECK(conv.weight.shape() == Shape{3, 2, 3, 2});
  Tensor x = randn({2, 2, 5, 4}, gen);
  expect_close(conv(x), F::conv2d(x, conv.weight, conv.bias, 2, F::Padding::same()), 0, 0);
  CHECK(conv(x).shape() == Shape{2, 3, 3, 2});

  nn::ConvTranspose2d deconv(nn::ConvTranspose2dOptions(3, 2, 4).stride(2).padding(F::Padding::symmetric(1)), gen);
  CHECK(deconv.weight.shape() == Shape{3, 2, 4, 4});
  Tensor y = randn({1, 3, 3, 3}, gen);
  expect_close(deconv(y), F::conv_transpose2d(y, deconv.weight, deconv.bias, 2, F::Padding::symmetric(1)), 0, 0);
  CHECK(deconv(y).shape() == Shape{1, 2, 6, 6});

  conv.to(kFloat64);
  deconv.to(kFloat64);
  Tensor x64 = testing::random_leaf({1, 2, 5, 4}, 21);
  std::vector<Tensor> inputs = conv.parameters();
  inputs.push_back(x64);
  testing::expect_gradients_match([&](const std::vector<Tensor>&) { return conv(x64); }, inputs);
  Tensor y64 = testing::random_leaf({1, 3, 3, 3}, 22);
  inputs = deconv.parameters();
  inputs.push_back(y64);
  testing::expect_gradients_match([&](const std::vector<Tensor>&) { return deconv(y64); }, inputs);
}

TEST_CASE("the DCGAN generator as modules maps 4x4 to 7x7 to 14x14 to 28x28") {
  Generator gen(6);
  nn::Sequential generator(nn::Linear(10, 16 * 4 * 4, gen), nn::Reshape({16, 4, 4}), nn::BatchNorm2d(16),
                           nn::LeakyReLU(0.2),
                           nn::ConvTranspose2d(16, 8, 4, gen),  // 4 -> 7
                           nn::ConvTranspose2d(nn::ConvTranspose2dOptions(8, 4, 5).stride(2).padding(F::Padding::same()), gen),  // 7 -> 14
                           nn::ConvTranspose2d(nn::ConvTranspose2dOptions(4, 1, 5).stride(2).padding(F::Padding::same()), gen),  // 14 -> 28
                           nn::Tanh());
  CHECK(generator(randn({3, 10}, gen)).shape() == Shape{3, 1, 28, 28});
}

TEST_CASE("BatchNorm modules use batch statistics in training and running estimates in eval") {
  Generator gen(7);
  nn::BatchNorm2d norm(nn::BatchNormOptions(3).eps(1e-5).momentum(0.1));
  Tensor x = randn({4, 3, 2, 2}, gen) * 3.0 + 1.0;
  Tensor trained = norm(x);
  expect_close(mean(trained, {0, 2, 3}), zeros({3}), 1e-5, 0);
  // running_mean moved 10% of the way from 0 to the batch mean.
  expect_close(norm.running_mean, mean(x, {0, 2, 3}) * 0.1, 1e-6, 1e-5);

  norm.eval();
  Tensor running_mean_before = norm.running_mean.clone();
  Tensor evaluated = norm(x);
  Tensor expected = (x - norm.running_mean.reshape({1, 3, 1, 1})) / sqrt(norm.running_var.reshape({1, 3, 1, 1}) + 1e-5);
  expect_close(evaluated, expected, 1e-5, 1e-5);
  expect_close(norm.running_mean, running_mean_before, 0, 0);

  nn::BatchNorm1d norm1d(3);
  CHECK(error_message([&] { norm1d(x); }).find("BatchNorm1d: expects a [N, C] input, got shape [4,3,2,2]") !=
        std::string::npos);

  nn::BatchNorm1d norm64(3);
  norm64.to(kFloat64);
  Tensor x64 = testing::random_leaf({5, 3}, 23);
  std::vector<Tensor> inputs = norm64.parameters();
  inputs.push_back(x64);
  // Each evaluation updates the running buffers, which training-mode outputs never read.
  testing::expect_gradients_match([&](const std::vector<Tensor>&) { return norm64(x64); }, inputs);
}

TEST_CASE("Dropout and GaussianNoise act in training mode and are the identity in eval mode") {
  Generator gen(8);
  Tensor x = ones({1000});
  nn::Dropout dropout(0.25, gen);
  Tensor dropped = dropout(x);
  double kept = sum(gt(dropped, zeros({1}))).item();
  CHECK(kept > 650);
  CHECK(kept < 850);
  expect_close(max(dropped), scalar_tensor(1 / 0.75), 1e-6, 1e-6);
  dropout.eval();
  expect_close(dropout(x), x, 0, 0);

  nn::GaussianNoise noise(0.5, gen);
  Tensor noisy = noise(x);
  CHECK(std::abs(var(noisy, {0}).item() - 0.25) < 0.05);
  noise.eval();
  expect_close(noise(x), x, 0, 0);
  CHECK(error_message([&] { nn::Dropout(1.0); }).find("p must be in [0, 1)") != std::string::npos);
}

TEST_CASE("shape layers: GlobalAvgPool2d, Flatten and Reshape") {
  Tensor x = arange(24.0).reshape({2, 3, 2, 2});
  nn::GlobalAvgPool2d pool;
  expect_close(pool(x), tensor(std::vector<float>{1.5, 5.5, 9.5, 13.5, 17.5, 21.5}, {2, 3}), 1e-6, 0);
  nn::Flatten flatten;
  CHECK(flatten(x).shape() == Shape{2, 12});
  nn::Reshape reshape({4, 3});
  CHECK(reshape(x).shape() == Shape{2, 4, 3});
  nn::Reshape wrong({5});
  CHECK(error_message([&] { wrong(x); }).find("cannot reshape [2,3,2,2] to [N] + [5]") != std::string::npos);
}

TEST_CASE("activation modules equal the gs:: ops") {
  Tensor x = tensor(std::vector<float>{-2, -0.5, 0, 0.5, 3});
  expect_close(nn::ReLU()(x), relu(x), 0, 0);
  expect_close(nn::LeakyReLU(0.2)(x), tensor(std::vector<float>{-0.4f, -0.1f, 0, 0.5, 3}), 1e-7, 0);
  expect_close(nn::Tanh()(x), tanh(x), 0, 0);
  expect_close(nn::Sigmoid()(x), sigmoid(x), 0, 0);
  expect_close(nn::Softplus()(x), softplus(x), 0, 0);
}

TEST_CASE("layers take named options: defaults, chained setters, and getters of the same names") {
  const nn::Conv2dOptions defaults(3, 8, 5);
  CHECK(defaults.stride().h == 1);
  CHECK(defaults.padding().kind == F::Padding::Kind::Valid);
  CHECK(defaults.bias());
  Generator gen(2);
  nn::Conv2d conv(nn::Conv2dOptions(3, 8, 5).stride(2).padding(F::Padding::same()).bias(false), gen);
  CHECK(conv.options.stride().w == 2);
  CHECK(!conv.bias.defined());
  CHECK(conv(randn({1, 3, 9, 9}, gen)).shape() == Shape{1, 8, 5, 5});  // 'same', stride 2: ceil(9 / 2)
  nn::ConvTranspose2d up(nn::ConvTranspose2dOptions(8, 3, 3).stride(2).padding(F::Padding::symmetric(1))
                             .output_padding(1), gen);
  CHECK(up(randn({1, 8, 5, 5}, gen)).shape() == Shape{1, 3, 10, 10});  // (5 - 1) 2 - 2 + 3 + 1
  nn::Linear linear(nn::LinearOptions(4, 2).bias(false), gen);
  CHECK(linear.named_parameters().size() == 1);
  nn::BatchNorm1d norm(nn::BatchNormOptions(4).affine(false).momentum(0.5));
  CHECK(norm.named_parameters().empty());
  norm(ones({3, 4}) * 2.0 + randn({3, 4}, gen));
  CHECK(norm.running_mean.to_vector<float>()[0] != 0.0f);  // moved halfway at momentum 0.5
}
