// Element-wise ops: forward values against closed forms, gradients against
// central differences (float64), with broadcasting and non-contiguous inputs.
#include <chrono>
#include <cmath>

#include "tests/helpers.h"

using namespace gs;
using testing::expect_close;
using testing::expect_gradients_match;
using testing::random_leaf;
using Inputs = std::vector<Tensor>;

TEST_CASE("arithmetic forward values match hand-computed results") {
  Tensor a = tensor(std::vector<double>{1, 2, 3, 4}, {2, 2});
  Tensor b = tensor(std::vector<double>{10, 20}, {2});  // broadcast over rows
  expect_close(a + b, tensor(std::vector<double>{11, 22, 13, 24}, {2, 2}));
  expect_close(a - b, tensor(std::vector<double>{-9, -18, -7, -16}, {2, 2}));
  expect_close(a * b, tensor(std::vector<double>{10, 40, 30, 80}, {2, 2}));
  expect_close(a / b, tensor(std::vector<double>{0.1, 0.1, 0.3, 0.2}, {2, 2}));
  expect_close(2.0 - a, tensor(std::vector<double>{1, 0, -1, -2}, {2, 2}));
  expect_close(12.0 / a, tensor(std::vector<double>{12, 6, 4, 3}, {2, 2}));
  expect_close(maximum(a, full({}, 2.5, kFloat64)), tensor(std::vector<double>{2.5, 2.5, 3, 4}, {2, 2}));
  expect_close(minimum(a, full({}, 2.5, kFloat64)), tensor(std::vector<double>{1, 2, 2.5, 2.5}, {2, 2}));
}

TEST_CASE("broadcasting follows NumPy: align right, stretch size-1 dims") {
  Tensor column = arange(3, kFloat64).reshape({3, 1});
  Tensor row = arange(4, kFloat64).reshape({1, 4});
  Tensor grid = column * 10.0 + row;
  CHECK(grid.shape() == Shape{3, 4});
  expect_close(grid, tensor(std::vector<double>{0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23}, {3, 4}));
  Tensor bias = tensor(std::vector<float>{1, 2}, {1, 2, 1, 1});
  CHECK((zeros({3, 2, 4, 5}) + bias).shape() == Shape{3, 2, 4, 5});
  std::string message = testing::error_message([] { zeros({2, 3}) + zeros({4}); });
  CHECK(message == "add: shapes [2,3] and [4] cannot be broadcast together");
}

TEST_CASE("unary forward values match the closed forms") {
  std::vector<double> xs{-3.0, -0.5, 0.25, 2.0};
  Tensor x = tensor(xs);
  auto each = [&](double (*f)(double)) {
    std::vector<double> out;
    for (double v : xs) out.push_back(f(v));
    return tensor(out);
  };
  expect_close(exp(x), each([](double v) { return std::exp(v); }), 1e-12, 1e-12);
  expect_close(tanh(x), each([](double v) { return std::tanh(v); }), 1e-12, 1e-12);
  expect_close(sigmoid(x), each([](double v) { return 1 / (1 + std::exp(-v)); }), 1e-12, 1e-12);
  expect_close(softplus(x), each([](double v) { return std::log(1 + std::exp(v)); }), 1e-12, 1e-12);
  expect_close(relu(x), tensor(std::vector<double>{0, 0, 0.25, 2}));
  expect_close(leaky_relu(x, 0.2), tensor(std::vector<double>{-0.6, -0.1, 0.25, 2}), 1e-12);
  expect_close(abs(x), tensor(std::vector<double>{3, 0.5, 0.25, 2}));
  expect_close(clamp(x, -1, 1), tensor(std::vector<double>{-1, -0.5, 0.25, 1}));
  expect_close(sign(x), tensor(std::vector<double>{-1, -1, 1, 1}));
  expect_close(pow(abs(x), 1.5), each([](double v) { return std::pow(std::abs(v), 1.5); }), 1e-12, 1e-12);
}

TEST_CASE("sigmoid and softplus stay finite and exact for huge inputs") {
  Tensor x = tensor(std::vector<float>{-1000, -100, 100, 1000});
  std::vector<float> s = sigmoid(x).to_vector<float>();
  CHECK(s[0] == 0.0f);
  CHECK(s[3] == 1.0f);
  std::vector<float> sp = softplus(x).to_vector<float>();
  CHECK(sp[0] == doctest::Approx(0.0));
  CHECK(sp[3] == doctest::Approx(1000.0));
  for (float v : sp) CHECK(std::isfinite(v));
}

TEST_CASE("comparisons and where") {
  Tensor a = tensor(std::vector<double>{1, 2, 3});
  Tensor b = tensor(std::vector<double>{3, 2, 1});
  expect_close(lt(a, b), tensor(std::vector<double>{1, 0, 0}));
  expect_close(le(a, b), tensor(std::vector<double>{1, 1, 0}));
  expect_close(gt(a, b), tensor(std::vector<double>{0, 0, 1}));
  expect_close(ge(a, b), tensor(std::vector<double>{0, 1, 1}));
  expect_close(eq(a, b), tensor(std::vector<double>{0, 1, 0}));
  expect_close(ne(a, b), tensor(std::vector<double>{1, 0, 1}));
  expect_close(where(gt(a, b), a, b * 10.0), tensor(std::vector<double>{30, 20, 3}));
}

TEST_CASE("gradcheck: binary ops with broadcasting") {
  Tensor a = random_leaf({3, 4}, 1);
  Tensor b = random_leaf({4}, 2);
  Tensor c = random_leaf({3, 1}, 3);
  Tensor positive = (random_leaf({3, 4}, 4).detach().abs() + 0.5).detach().requires_grad_();
  SUBCASE("add") { expect_gradients_match([](const Inputs& x) { return x[0] + x[1]; }, {a, b}); }
  SUBCASE("sub") { expect_gradients_match([](const Inputs& x) { return x[0] - x[1]; }, {a, c}); }
  SUBCASE("mul") { expect_gradients_match([](const Inputs& x) { return x[0] * x[1]; }, {a, b}); }
  SUBCASE("div") { expect_gradients_match([](const Inputs& x) { return x[0] / x[1]; }, {c, positive}); }
  SUBCASE("maximum") { expect_gradients_match([](const Inputs& x) { return maximum(x[0], x[1]); }, {a, b}); }
  SUBCASE("minimum") { expect_gradients_match([](const Inputs& x) { return minimum(x[0], x[1]); }, {a, c}); }
  SUBCASE("scalar add, sub, mul, div") {
    expect_gradients_match([](const Inputs& x) { return (x[0] + 2.0) * 3.0 - 1.0 / (x[1] + 0.0) + x[0] / 4.0; },
                           {a, positive});
  }
  SUBCASE("scalar minus tensor") { expect_gradients_match([](const Inputs& x) { return 1.5 - x[0]; }, {a}); }
  SUBCASE("where") {
    Tensor mask = gt(random_leaf({3, 4}, 9).detach(), zeros({}, kFloat64));
    expect_gradients_match([mask](const Inputs& x) { return where(mask, x[0], x[1]); }, {a, b});
  }
  SUBCASE("a tensor used twice sums both paths") {
    expect_gradients_match([](const Inputs& x) { return x[0] * x[0] + x[0]; }, {a});
  }
}

TEST_CASE("gradcheck: unary ops") {
  Tensor x = random_leaf({2, 5}, 7);
  Tensor positive = (x.detach().abs() + 0.3).detach().requires_grad_();
  Tensor away_from_kinks = (x.detach() + sign(x.detach()) * 0.1).detach().requires_grad_();
  SUBCASE("neg") { expect_gradients_match([](const Inputs& in) { return -in[0]; }, {x}); }
  SUBCASE("exp") { expect_gradients_match([](const Inputs& in) { return exp(in[0]); }, {x}); }
  SUBCASE("log") { expect_gradients_match([](const Inputs& in) { return log(in[0]); }, {positive}); }
  SUBCASE("sqrt") { expect_gradients_match([](const Inputs& in) { return sqrt(in[0]); }, {positive}); }
  SUBCASE("abs") { expect_gradients_match([](const Inputs& in) { return abs(in[0]); }, {away_from_kinks}); }
  SUBCASE("square") { expect_gradients_match([](const Inputs& in) { return square(in[0]); }, {x}); }
  SUBCASE("reciprocal") { expect_gradients_match([](const Inputs& in) { return reciprocal(in[0]); }, {positive}); }
  SUBCASE("pow") { expect_gradients_match([](const Inputs& in) { return pow(in[0], 2.5); }, {positive}); }
  SUBCASE("tanh") { expect_gradients_match([](const Inputs& in) { return tanh(in[0]); }, {x}); }
  SUBCASE("sigmoid") { expect_gradients_match([](const Inputs& in) { return sigmoid(in[0]); }, {x}); }
  SUBCASE("relu") { expect_gradients_match([](const Inputs& in) { return relu(in[0]); }, {away_from_kinks}); }
  SUBCASE("leaky_relu") {
    expect_gradients_match([](const Inputs& in) { return leaky_relu(in[0], 0.2); }, {away_from_kinks});
  }
  SUBCASE("softplus") { expect_gradients_match([](const Inputs& in) { return softplus(in[0]); }, {x}); }
  SUBCASE("clamp") {
    expect_gradients_match([](const Inputs& in) { return clamp(in[0], -0.55, 0.45); }, {away_from_kinks});
  }
}

TEST_CASE("gradcheck: ops on non-contiguous inputs (transposed, sliced, expanded)") {
  Tensor x = random_leaf({4, 3}, 11);
  Tensor y = random_leaf({3, 4}, 12);
  expect_gradients_match([](const Inputs& in) { return tanh(in[0].t()) * in[1]; }, {x, y});
  expect_gradients_match([](const Inputs& in) { return exp(in[0].slice(0, 0, 4, 2)) + in[1].narrow(1, 1, 2).t(); },
                         {x, y});
  // A leaf that is itself a non-contiguous view of its storage.
  Tensor transposed_leaf = random_leaf({3, 4}, 13).detach().t().detach().requires_grad_();
  CHECK(!transposed_leaf.is_contiguous());
  expect_gradients_match([](const Inputs& in) { return sigmoid(in[0]) * in[0]; }, {transposed_leaf});
}

TEST_CASE("element-wise ops refuse mixed dtypes and integer tensors with a clear message") {
  CHECK(testing::error_message([] { zeros({2}) + zeros({2}, kFloat64); }) ==
        "add: dtypes differ (float32 and float64); convert one with .to(dtype)");
  CHECK(testing::error_message([] { exp(zeros({2}, kInt64)); }) ==
        "exp: needs a float32 or float64 tensor, got int64");
}

TEST_CASE("a tensor with a zero-size dim costs nothing, however large its other dims (found by fuzzing)") {
  // tests/fuzz/fuzz_npy: a .npy of shape (3, 320, 333, 333, 0, 9) holds no
  // element, yet converting it walked 106 million empty rows.
  const Tensor empty_but_wide = empty({3, 320, 333, 333, 0, 9});
  const auto start = std::chrono::steady_clock::now();
  CHECK(empty_but_wide.to(kFloat64).numel() == 0);
  CHECK((empty_but_wide + empty_but_wide).numel() == 0);
  CHECK(exp(empty_but_wide).numel() == 0);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(50));
}
