// Shared helpers for the test suite.
#pragma once
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "autograd/autograd.h"

namespace gs::testing {

// A float64 leaf with requires_grad, filled from a seeded normal stream.
inline Tensor random_leaf(const Shape& shape, uint64_t seed, double scale = 1.0) {
  Generator gen(seed);
  Tensor t = randn(shape, gen, kFloat64) * scale;
  return t.detach().requires_grad_();
}

// Asserts gradcheck passes, printing the worst element otherwise.
inline void expect_gradients_match(const std::function<Tensor(const std::vector<Tensor>&)>& fn,
                                   const std::vector<Tensor>& inputs, double atol = 1e-6, double rtol = 1e-4) {
  GradcheckResult result = gradcheck(fn, inputs, 1e-6, atol, rtol);
  INFO(result.message);
  CHECK(result.ok);
}

// Element-wise closeness of two tensors (any dtypes), with a message naming the worst element.
inline void expect_close(const Tensor& actual, const Tensor& expected, double atol = 1e-6, double rtol = 1e-5) {
  REQUIRE(actual.shape() == expected.shape());
  std::vector<double> a = actual.to_vector<double>(), e = expected.to_vector<double>();
  for (size_t i = 0; i < a.size(); ++i) {
    INFO("element " << i << ": actual " << a[i] << ", expected " << e[i]);
    CHECK(std::abs(a[i] - e[i]) <= atol + rtol * std::abs(e[i]));
    if (std::abs(a[i] - e[i]) > atol + rtol * std::abs(e[i])) return;
  }
}

// Runs `body`, requires it to throw gs::Error, and returns the message.
template <typename Body>
std::string error_message(Body body) {
  try {
    body();
  } catch (const Error& e) {
    return e.what();
  }
  FAIL("expected a gs::Error");
  return "";
}

}  // namespace gs::testing
