// Views share storage and only change shape/strides/offset; their gradients
// route back to the right elements.
#include "tests/helpers.h"

using namespace gs;
using testing::expect_close;
using testing::expect_gradients_match;
using testing::random_leaf;
using Inputs = std::vector<Tensor>;

TEST_CASE("views share storage and compute strides") {
  Tensor x = arange(6).reshape({2, 3});
  CHECK(x.strides() == Shape{3, 1});
  Tensor t = x.t();
  CHECK(t.shape() == Shape{3, 2});
  CHECK(t.strides() == Shape{1, 3});
  CHECK(!t.is_contiguous());
  CHECK(t.storage() == x.storage());
  Tensor column = x.select(1, 2);
  CHECK(column.to_vector<float>() == std::vector<float>{2, 5});
  CHECK(column.offset() == 2);
  x.data<float>()[5] = 50;  // writes through the shared storage
  CHECK(column.to_vector<float>() == std::vector<float>{2, 50});
  CHECK(x.unsqueeze(0).shape() == Shape{1, 2, 3});
  CHECK(x.unsqueeze(-1).shape() == Shape{2, 3, 1});
  CHECK(x.unsqueeze(0).squeeze(0).shape() == Shape{2, 3});
  CHECK(x.expand({4, 2, 3}).strides() == Shape{0, 3, 1});
  CHECK(x.reshape({-1}).shape() == Shape{6});
  CHECK(x.flatten().shape() == Shape{6});
  CHECK(x.slice(1, 0, 3, 2).to_vector<float>() == std::vector<float>{0, 2, 3, 50});
  CHECK(x.permute({1, 0}).contiguous().to_vector<float>() == std::vector<float>{0, 3, 1, 4, 2, 50});
}

TEST_CASE("view refuses non-contiguous tensors, reshape copies instead") {
  Tensor x = arange(6).reshape({2, 3}).t();
  CHECK(testing::error_message([&] { x.view({6}); }) ==
        "view: the tensor of shape [3,2] is not contiguous (strides [1,3]); use reshape(), which copies when it must");
  CHECK(x.reshape({6}).to_vector<float>() == std::vector<float>{0, 3, 1, 4, 2, 5});
  CHECK(testing::error_message([&] { x.reshape({4, 2}); }) == "view: shape [4,2] has 8 elements but the tensor has 6");
}

TEST_CASE("gradcheck: views") {
  Tensor x = random_leaf({2, 3, 4}, 41);
  SUBCASE("reshape") { expect_gradients_match([](const Inputs& in) { return in[0].reshape({6, 4}) * 1.0; }, {x}); }
  SUBCASE("permute") { expect_gradients_match([](const Inputs& in) { return in[0].permute({2, 0, 1}) * 1.0; }, {x}); }
  SUBCASE("transpose + contiguous") {
    expect_gradients_match([](const Inputs& in) { return in[0].transpose(0, 2).contiguous(); }, {x});
  }
  SUBCASE("narrow") { expect_gradients_match([](const Inputs& in) { return in[0].narrow(2, 1, 2) * 1.0; }, {x}); }
  SUBCASE("strided slice") {
    expect_gradients_match([](const Inputs& in) { return in[0].slice(2, 0, 4, 3) * 1.0; }, {x});
  }
  SUBCASE("select") { expect_gradients_match([](const Inputs& in) { return in[0].select(1, -1) * 1.0; }, {x}); }
  SUBCASE("squeeze/unsqueeze") {
    expect_gradients_match([](const Inputs& in) { return in[0].unsqueeze(1).squeeze(1) * 1.0; }, {x});
  }
  SUBCASE("expand") {
    Tensor row = random_leaf({1, 4}, 42);
    expect_gradients_match([](const Inputs& in) { return in[0].expand({3, 4}) * 1.0; }, {row});
  }
  SUBCASE("flatten") { expect_gradients_match([](const Inputs& in) { return in[0].flatten(1) * 1.0; }, {x}); }
  SUBCASE("clone") { expect_gradients_match([](const Inputs& in) { return in[0].clone(); }, {x}); }
}

TEST_CASE("cat and stack, with gradients") {
  Tensor a = tensor(std::vector<float>{1, 2}, {1, 2}), b = tensor(std::vector<float>{3, 4, 5, 6}, {2, 2});
  CHECK(cat({a, b}, 0).to_vector<float>() == std::vector<float>{1, 2, 3, 4, 5, 6});
  CHECK(stack({a, a}, 0).shape() == Shape{2, 1, 2});
  Tensor x = random_leaf({2, 3}, 43), y = random_leaf({2, 1}, 44);
  expect_gradients_match([](const Inputs& in) { return cat({in[0], in[1]}, 1); }, {x, y});
  expect_gradients_match([](const Inputs& in) { return stack({in[0], in[0] * 2.0}, 1); }, {x});
  CHECK(testing::error_message([&] { cat({x, y}, 0); }) == "cat: shape [2,1] does not match [2,3] outside dim 0");
}

TEST_CASE("dtype conversion and in-place ops") {
  Tensor x = tensor(std::vector<double>{1.5, -2.25});
  CHECK(x.to(kFloat32).dtype() == kFloat32);
  CHECK(x.to(kInt64).to_vector<int64_t>() == std::vector<int64_t>{1, -2});
  Tensor leaf = x.detach().requires_grad_();
  sum(leaf.to(kFloat32) * 3.0).backward();  // the gradient comes back as float64
  CHECK(leaf.grad().dtype() == kFloat64);
  expect_close(leaf.grad(), full({2}, 3.0, kFloat64));
  Tensor y = zeros({2, 2});
  y.add_(ones({2}), 3.0);  // broadcasts
  CHECK(y.to_vector<float>() == std::vector<float>{3, 3, 3, 3});
  y.mul_(0.5).narrow(0, 1, 1).fill_(-1);
  CHECK(y.to_vector<float>() == std::vector<float>{1.5, 1.5, -1, -1});
  y.t().copy_(tensor(std::vector<float>{1, 2, 3, 4}, {2, 2}));
  CHECK(y.to_vector<float>() == std::vector<float>{1, 3, 2, 4});
}
