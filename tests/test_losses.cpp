// Losses: values against the textbook formulas, stability for huge logits,
// masks, and gradients (including smoothed targets).
#include <cmath>

#include "nn/functional.h"
#include "tests/helpers.h"

using namespace gs;
using gs::testing::expect_close;
using gs::testing::expect_gradients_match;
using gs::testing::random_leaf;

TEST_CASE("binary_cross_entropy_with_logits matches -t log s - (1-t) log(1-s) on moderate logits") {
  Tensor z = random_leaf({2, 3}, 1).detach();
  Tensor t = tensor(std::vector<double>{1, 0, 0.9, 0.1, 1, 0}, {2, 3});
  std::vector<double> zv = z.to_vector<double>(), tv = t.to_vector<double>();
  double expected = 0;
  for (int i = 0; i < 6; ++i) {
    const double s = 1 / (1 + std::exp(-zv[i]));
    expected += (-tv[i] * std::log(s) - (1 - tv[i]) * std::log(1 - s)) / 6;
  }
  CHECK(F::binary_cross_entropy_with_logits(z, t).item() == doctest::Approx(expected).epsilon(1e-12));
}

TEST_CASE("binary_cross_entropy_with_logits is finite and exact for logits of +-1000") {
  Tensor z = tensor(std::vector<double>{1000, 1000, -1000, -1000, 1000}).requires_grad_();
  Tensor t = tensor(std::vector<double>{1, 0, 0, 1, 0.9});
  Tensor loss = F::binary_cross_entropy_with_logits(z, t);
  // per element: 0, 1000, 0, 1000, 0.1 * 1000
  CHECK(loss.item() == doctest::Approx((0 + 1000 + 0 + 1000 + 100) / 5.0).epsilon(1e-15));
  loss.backward();
  // dL/dz = (sigmoid(z) - t) / 5
  expect_close(z.grad(), tensor(std::vector<double>{0, 0.2, 0, -0.2, 0.1 / 5}), 1e-15, 1e-12);
  Tensor z32 = tensor(std::vector<float>{1000, -1000});
  CHECK(F::binary_cross_entropy_with_logits(z32, tensor(std::vector<float>{0, 0})).item() == doctest::Approx(500));
}

TEST_CASE("binary_cross_entropy_with_logits gradients pass gradcheck with smoothed targets") {
  Tensor z = random_leaf({3, 2}, 2, 3.0);
  Tensor t = tensor(std::vector<double>{0.9, 0.1, 0.0, 1.0, 0.9, 0.5}, {3, 2}).requires_grad_();
  expect_gradients_match(
      [](const std::vector<Tensor>& in) { return F::binary_cross_entropy_with_logits(in[0], in[1]); }, {z, t});
}

TEST_CASE("cross_entropy is the mean of -log softmax at the label") {
  Tensor logits = random_leaf({3, 4}, 3).detach();
  Tensor labels = tensor(std::vector<int64_t>{2, 0, 3});
  std::vector<double> v = logits.to_vector<double>();
  std::vector<double> per_example(3);
  for (int i = 0; i < 3; ++i) {
    double total = 0;
    for (int k = 0; k < 4; ++k) total += std::exp(v[i * 4 + k]);
    per_example[i] = std::log(total) - v[i * 4 + std::vector<int>{2, 0, 3}[i]];
  }
  CHECK(F::cross_entropy(logits, labels).item() ==
        doctest::Approx((per_example[0] + per_example[1] + per_example[2]) / 3).epsilon(1e-12));
  // With a mask, the mean runs over the masked examples only.
  Tensor mask = tensor(std::vector<double>{1, 0, 1});
  CHECK(F::cross_entropy(logits, labels, mask).item() ==
        doctest::Approx((per_example[0] + per_example[2]) / 2).epsilon(1e-12));
  // Integer masks are accepted too.
  CHECK(F::cross_entropy(logits, labels, tensor(std::vector<int64_t>{0, 1, 0})).item() ==
        doctest::Approx(per_example[1]).epsilon(1e-12));
}

TEST_CASE("cross_entropy with an all-zero mask is 0 with a zero gradient, not NaN") {
  Tensor logits = random_leaf({2, 3}, 4);
  Tensor loss = F::cross_entropy(logits, tensor(std::vector<int64_t>{1, 2}), zeros({2}, kFloat64));
  CHECK(loss.item() == 0.0);
  loss.backward();
  expect_close(logits.grad(), zeros({2, 3}, kFloat64), 0, 0);
}

TEST_CASE("cross_entropy is stable for logits of magnitude 1000") {
  Tensor logits = tensor(std::vector<double>{1000, -1000, 0, 0, 1000, -1000}, {2, 3});
  CHECK(F::cross_entropy(logits, tensor(std::vector<int64_t>{0, 2})).item() == doctest::Approx(1000.0));
}

TEST_CASE("cross_entropy gradients pass gradcheck, with and without a mask") {
  Tensor logits = random_leaf({4, 3}, 5);
  Tensor labels = tensor(std::vector<int64_t>{0, 2, 1, 2});
  Tensor mask = tensor(std::vector<double>{1, 0, 1, 1});
  expect_gradients_match([&](const std::vector<Tensor>& in) { return F::cross_entropy(in[0], labels); }, {logits});
  expect_gradients_match([&](const std::vector<Tensor>& in) { return F::cross_entropy(in[0], labels, mask); },
                         {logits});
}

TEST_CASE("cross_entropy rejects labels outside the classes") {
  CHECK(gs::testing::error_message([] {
          F::cross_entropy(zeros({2, 3}), tensor(std::vector<int64_t>{0, 3}));
        }) == "cross_entropy: label 3 of example 1 is outside [0, 3)");
  CHECK(gs::testing::error_message([] {
          F::cross_entropy(zeros({2, 3}), tensor(std::vector<int64_t>{0, 1, 2}));
        }).find("labels must be [2]") != std::string::npos);
}

TEST_CASE("mse_loss and l1_loss: values and gradients") {
  Tensor p = tensor(std::vector<double>{1, 2, 3, 4}, {2, 2}), t = tensor(std::vector<double>{0, 2, 5, 3}, {2, 2});
  CHECK(F::mse_loss(p, t).item() == doctest::Approx((1 + 0 + 4 + 1) / 4.0));
  CHECK(F::l1_loss(p, t).item() == doctest::Approx((1 + 0 + 2 + 1) / 4.0));
  Tensor a = random_leaf({2, 3}, 6), b = random_leaf({2, 3}, 7);
  expect_gradients_match([](const std::vector<Tensor>& in) { return F::mse_loss(in[0], in[1]); }, {a, b});
  expect_gradients_match([](const std::vector<Tensor>& in) { return F::l1_loss(in[0], in[1]); }, {a, b});
  CHECK(gs::testing::error_message([] { F::mse_loss(zeros({2, 3}), zeros({3, 2})); })
            .find("must have the same shape") != std::string::npos);
}

TEST_CASE("feature_matching_loss compares the batch means of the features") {
  Tensor real = tensor(std::vector<double>{1, 2, 3, 6}, {2, 2});  // means 2, 4
  Tensor fake = tensor(std::vector<double>{0, 0, 1, 1, 2, 2}, {3, 2});  // means 1, 1
  CHECK(F::feature_matching_loss(real, fake).item() == doctest::Approx((1 + 3) / 2.0));
  CHECK(F::feature_matching_loss(real, fake, true).item() == doctest::Approx((1 + 9) / 2.0));
  Tensor r = random_leaf({3, 4}, 8), f = random_leaf({2, 4}, 9);
  expect_gradients_match([](const std::vector<Tensor>& in) { return F::feature_matching_loss(in[0], in[1]); }, {r, f});
  expect_gradients_match([](const std::vector<Tensor>& in) { return F::feature_matching_loss(in[0], in[1], true); },
                         {r, f});
}

TEST_CASE("hinge_loss is mean max(0, 1 - label z): zero past the margin, gradchecked") {
  Tensor z = tensor(std::vector<double>{-2.0, 0.5, 3.0});
  CHECK(F::hinge_loss(z, 1.0).item() == doctest::Approx((3.0 + 0.5 + 0.0) / 3).epsilon(1e-12));
  CHECK(F::hinge_loss(z, -1.0).item() == doctest::Approx((0.0 + 1.5 + 4.0) / 3).epsilon(1e-12));
  Tensor logits = testing::random_leaf({4, 1}, 41, 2.0);
  testing::expect_gradients_match([&](const std::vector<Tensor>&) { return F::hinge_loss(logits, 1.0); }, {logits});
  testing::expect_gradients_match([&](const std::vector<Tensor>&) { return F::hinge_loss(logits, -1.0); }, {logits});
  CHECK(testing::error_message([&] { F::hinge_loss(z, 0.5); }).find("must be +1 (real) or -1 (fake), got 0.5") !=
        std::string::npos);
}
