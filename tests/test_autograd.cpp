// The reverse-mode engine: accumulation, frozen parameters, no-grad, graph
// freeing, and gradcheck's ability to catch a wrong backward rule.
#include <cmath>

#include "autograd/node.h"
#include "tests/helpers.h"

using namespace gs;
using testing::expect_close;

TEST_CASE("backward computes the chain rule through a small graph") {
  // f = sum((a * b + a)^2); df/da = 2 (ab + a)(b + 1), df/db = 2 (ab + a) a
  Tensor a = tensor(std::vector<double>{1, 2}).requires_grad_();
  Tensor b = tensor(std::vector<double>{3, -1}).requires_grad_();
  Tensor f = sum(square(a * b + a));
  CHECK(f.item() == 16 + 0);
  f.backward();
  expect_close(a.grad(), tensor(std::vector<double>{2 * 4 * 4, 2 * 0 * 0}));
  expect_close(b.grad(), tensor(std::vector<double>{2 * 4 * 1, 2 * 0 * 2}));
}

TEST_CASE("gradients accumulate into leaves until zero_grad") {
  Tensor w = tensor(std::vector<double>{1, 2, 3}).requires_grad_();
  sum(w * 2.0).backward();
  sum(w * 3.0).backward();
  expect_close(w.grad(), full({3}, 5.0, kFloat64));
  w.zero_grad();
  CHECK(!w.grad().defined());
}

TEST_CASE("backward with an explicit gradient for a non-scalar output") {
  Tensor x = tensor(std::vector<double>{1, 2, 3}).requires_grad_();
  Tensor y = x * x;
  y.backward(tensor(std::vector<double>{1, 0, -1}));
  expect_close(x.grad(), tensor(std::vector<double>{2, 0, -6}));
  CHECK(testing::error_message([&] { (x * 2.0).backward(); }).find("backward(): called on a tensor of shape [3]") == 0);
}

TEST_CASE("a frozen parameter passes gradient through but receives none (the GAN generator step)") {
  // generator weight g feeds a frozen discriminator weight d
  Tensor g = tensor(std::vector<double>{0.5, -1}).requires_grad_();
  Tensor d = tensor(std::vector<double>{2, 3}).requires_grad_(false);
  Tensor loss = sum(tanh(g) * d);
  loss.backward();
  CHECK(!d.grad().defined());
  REQUIRE(g.grad().defined());
  std::vector<double> dg = g.grad().to_vector<double>();
  CHECK(dg[0] == doctest::Approx(2 * (1 - std::tanh(0.5) * std::tanh(0.5))));
}

TEST_CASE("NoGradGuard records nothing, detach cuts the graph") {
  Tensor w = ones({2}, kFloat64).requires_grad_();
  {
    NoGradGuard no_grad;
    Tensor y = w * 2.0;
    CHECK(!y.requires_grad());
    CHECK(y.is_leaf());
  }
  Tensor y = w * 2.0;
  CHECK(y.requires_grad());
  CHECK(!y.is_leaf());
  Tensor cut = y.detach();
  CHECK(!cut.requires_grad());
  CHECK(cut.storage() == y.storage());
}

TEST_CASE("the graph is freed by backward; a second backward is a clear error") {
  Tensor w = ones({2}, kFloat64).requires_grad_();
  Tensor loss = sum(exp(w));
  loss.backward();
  CHECK(testing::error_message([&] { loss.backward(); }) ==
        "backward: the graph through 'sum' was already freed by an earlier backward (recompute the forward pass)");
}

TEST_CASE("a deep graph does not overflow the stack") {
  Tensor w = ones({1}, kFloat64).requires_grad_();
  Tensor x = w;
  for (int i = 0; i < 20000; ++i) x = x * 1.0001;
  x.sum().backward();
  CHECK(w.grad().item() == doctest::Approx(std::pow(1.0001, 20000)));
}

TEST_CASE("requires_grad is only for floating leaves") {
  CHECK(testing::error_message([] { zeros({2}, kInt64).requires_grad_(); }) ==
        "requires_grad_: only floating tensors can require gradients, this one is int64");
  Tensor w = ones({2}).requires_grad_();
  Tensor y = w * 2.0;
  CHECK(testing::error_message([&] { y.requires_grad_(false); }).find("only leaf tensors") != std::string::npos);
}

namespace {
// exp with a deliberately wrong backward rule (forgets the factor y).
Tensor broken_exp(const Tensor& x) {
  Tensor out = exp(x.detach());
  record(out, "broken_exp", {x}, [](const Tensor& g) { return std::vector<Tensor>{g * 1.0}; });
  return out;
}
}  // namespace

TEST_CASE("gradcheck catches a wrong backward and names the worst element") {
  Tensor x = testing::random_leaf({2, 3}, 51);
  GradcheckResult bad = gradcheck([](const std::vector<Tensor>& in) { return broken_exp(in[0]); }, {x});
  CHECK(!bad.ok);
  CHECK(bad.message.find("gradcheck failed: input 0 (shape [2,3]) at element [") == 0);
  CHECK(bad.message.find("analytic") != std::string::npos);
  GradcheckResult good = gradcheck([](const std::vector<Tensor>& in) { return exp(in[0]); }, {x});
  CHECK(good.ok);
  CHECK(good.max_abs_error < 1e-7);
}

TEST_CASE("gradcheck insists on float64") {
  Tensor x = ones({2}).requires_grad_();
  CHECK(testing::error_message([&] { gradcheck([](const std::vector<Tensor>& in) { return in[0] * 2.0; }, {x}); })
            .find("gradcheck: inputs must be float64") == 0);
}
