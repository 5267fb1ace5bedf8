// logsumexp, log_softmax, softmax: values, stability at large logits, gradients.
#include <cmath>

#include "nn/functional.h"
#include "tests/helpers.h"

using namespace gs;
using gs::testing::expect_close;
using gs::testing::expect_gradients_match;
using gs::testing::random_leaf;

TEST_CASE("logsumexp does not overflow: logsumexp([1000, 1000]) = 1000 + log 2") {
  CHECK(F::logsumexp(tensor(std::vector<double>{1000, 1000}), 0).item() == doctest::Approx(1000 + std::log(2.0)).epsilon(1e-15));
  CHECK(F::logsumexp(tensor(std::vector<float>{1000, 1000}), 0).item() == doctest::Approx(1000 + std::log(2.0)));
  CHECK(F::logsumexp(tensor(std::vector<double>{-1000, -1000}), 0).item() == doctest::Approx(-1000 + std::log(2.0)));
}

TEST_CASE("logsumexp, log_softmax and softmax match the textbook formulas on moderate values") {
  Tensor x = random_leaf({3, 4}, 1).detach();
  std::vector<double> xv = x.to_vector<double>(), lse(3), log_soft(12), soft(12);
  for (int i = 0; i < 3; ++i) {
    double total = 0;
    for (int k = 0; k < 4; ++k) total += std::exp(xv[i * 4 + k]);
    lse[i] = std::log(total);
    for (int k = 0; k < 4; ++k) {
      soft[i * 4 + k] = std::exp(xv[i * 4 + k]) / total;
      log_soft[i * 4 + k] = xv[i * 4 + k] - lse[i];
    }
  }
  expect_close(F::logsumexp(x, 1), tensor(lse), 1e-12, 1e-12);
  expect_close(F::logsumexp(x, -1, true), tensor(lse, {3, 1}), 1e-12, 1e-12);
  expect_close(F::log_softmax(x, 1), tensor(log_soft, {3, 4}), 1e-12, 1e-12);
  expect_close(F::softmax(x, 1), tensor(soft, {3, 4}), 1e-12, 1e-12);
}

TEST_CASE("log_softmax stays finite for logits of magnitude 1000") {
  Tensor x = tensor(std::vector<double>{1000, -1000, 0});
  expect_close(F::log_softmax(x, 0), tensor(std::vector<double>{0, -2000, -1000}), 1e-9, 0);
  expect_close(F::softmax(x, 0), tensor(std::vector<double>{1, 0, 0}), 1e-12, 0);
}

TEST_CASE("softmax family gradients pass gradcheck") {
  Tensor x = random_leaf({3, 4}, 2);
  expect_gradients_match([](const std::vector<Tensor>& in) { return F::logsumexp(in[0], 1); }, {x});
  expect_gradients_match([](const std::vector<Tensor>& in) { return F::logsumexp(in[0], 0, true); }, {x});
  expect_gradients_match([](const std::vector<Tensor>& in) { return F::log_softmax(in[0], 1); }, {x});
  expect_gradients_match([](const std::vector<Tensor>& in) { return F::softmax(in[0], 0); }, {x});
  Tensor large = (random_leaf({2, 3}, 3) + 500.0).detach().requires_grad_();
  expect_gradients_match([](const std::vector<Tensor>& in) { return F::log_softmax(in[0], 1); }, {large});
}
