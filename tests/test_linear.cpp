// linear: y = x W^T + b against a hand loop, and its gradients.
#include "nn/functional.h"
#include "tests/helpers.h"

using namespace gs;
using gs::testing::expect_close;
using gs::testing::expect_gradients_match;
using gs::testing::random_leaf;

TEST_CASE("linear computes x W^T + b") {
  Tensor x = random_leaf({3, 4}, 1), w = random_leaf({2, 4}, 2), b = random_leaf({2}, 3);
  std::vector<double> xv = x.to_vector<double>(), wv = w.to_vector<double>(), bv = b.to_vector<double>();
  std::vector<double> expected(6);
  for (int n = 0; n < 3; ++n)
    for (int o = 0; o < 2; ++o) {
      expected[n * 2 + o] = bv[o];
      for (int i = 0; i < 4; ++i) expected[n * 2 + o] += xv[n * 4 + i] * wv[o * 4 + i];
    }
  expect_close(F::linear(x, w, b), tensor(expected, {3, 2}), 1e-12, 1e-12);
}

TEST_CASE("linear gradients pass gradcheck, with and without bias") {
  Tensor x = random_leaf({3, 5}, 4), w = random_leaf({4, 5}, 5), b = random_leaf({4}, 6);
  expect_gradients_match([](const std::vector<Tensor>& in) { return F::linear(in[0], in[1], in[2]); }, {x, w, b});
  expect_gradients_match([](const std::vector<Tensor>& in) { return F::linear(in[0], in[1]); }, {x, w});
}

TEST_CASE("linear errors explain the mistake") {
  CHECK(gs::testing::error_message([] { F::linear(zeros({2, 3}), zeros({4, 5})); }) ==
        "linear: input has 3 features but the weight expects 5 (weight shape [4,5])");
  CHECK(gs::testing::error_message([] { F::linear(zeros({2, 5}), zeros({4, 5}), zeros({3})); })
            .find("bias must have shape [4]") != std::string::npos);
}
