// batch_norm: statistics per feature ([N, C]) and per feature map ([N, C, H, W]),
// running estimates, eval mode, and the closed-form backward.
#include <cmath>

#include "nn/functional.h"
#include "tests/helpers.h"

using namespace gs;
using gs::testing::expect_close;
using gs::testing::expect_gradients_match;
using gs::testing::random_leaf;

namespace {

// Per-channel mean and biased variance with plain loops over a contiguous [N, C, S].
void channel_statistics(const std::vector<double>& x, int64_t n, int64_t c, int64_t s, std::vector<double>& mean,
                        std::vector<double>& var) {
  mean.assign(c, 0.0);
  var.assign(c, 0.0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t k = 0; k < c; ++k)
      for (int64_t p = 0; p < s; ++p) mean[k] += x[(i * c + k) * s + p] / double(n * s);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t k = 0; k < c; ++k)
      for (int64_t p = 0; p < s; ++p) var[k] += std::pow(x[(i * c + k) * s + p] - mean[k], 2) / double(n * s);
}

// Training-mode batch_norm as a composition of differentiable primitive ops:
// the simple version that the dedicated kernels (tensor/cpu/batch_norm.cpp)
// must agree with, forward and backward (autograd differentiates it).
Tensor batch_norm_reference(const Tensor& x, const Tensor& gamma, const Tensor& beta, double eps) {
  const int64_t channels = x.size(1);
  const Shape dims = x.dim() == 2 ? Shape{0} : Shape{0, 2, 3};
  const Shape channel_shape = x.dim() == 2 ? Shape{1, channels} : Shape{1, channels, 1, 1};
  const Tensor mean = x.mean(dims, true);
  const Tensor centered = x - mean;
  const Tensor variance = square(centered).mean(dims, true);  // biased
  const Tensor normalized = centered * reciprocal(sqrt(variance + eps));
  return normalized * gamma.view(channel_shape) + beta.view(channel_shape);
}

}  // namespace

TEST_CASE("batch_norm kernels match the composition of primitive ops, forward and backward") {
  for (const Shape& shape : {Shape{5, 3, 4, 6}, Shape{7, 4}, Shape{64, 8, 7, 7}}) {
    CAPTURE(shape_str(shape));
    const int64_t channels = shape[1];
    for (DType dtype : {kFloat64, kFloat32}) {
      const double tolerance = dtype == kFloat64 ? 1e-10 : 2e-4;
      Tensor x = (random_leaf(shape, 3, 2.0) + 3.0).detach().to(dtype).requires_grad_();
      Tensor gamma = random_leaf({channels}, 4).detach().to(dtype).requires_grad_();
      Tensor beta = random_leaf({channels}, 5).detach().to(dtype).requires_grad_();
      Tensor x_ref = x.detach().requires_grad_(), gamma_ref = gamma.detach().requires_grad_();
      Tensor beta_ref = beta.detach().requires_grad_();
      const Tensor grad = random_leaf(shape, 6).detach().to(dtype);

      Tensor y = F::batch_norm(x, gamma, beta, Tensor(), Tensor(), true, 0.1, 1e-5);
      Tensor y_ref = batch_norm_reference(x_ref, gamma_ref, beta_ref, 1e-5);
      expect_close(y, y_ref, tolerance, tolerance);
      (y * grad).sum().backward();
      (y_ref * grad).sum().backward();
      expect_close(x.grad(), x_ref.grad(), tolerance, tolerance);
      expect_close(gamma.grad(), gamma_ref.grad(), tolerance, tolerance);
      expect_close(beta.grad(), beta_ref.grad(), tolerance, tolerance);
    }
  }
}

TEST_CASE("batch_norm training normalises each feature map and updates the running estimates") {
  const int64_t n = 3, c = 2, h = 2, w = 3, s = h * w;
  Tensor x = (random_leaf({n, c, h, w}, 1, 2.0) + 5.0).detach();
  Tensor gamma = tensor(std::vector<double>{1.5, -0.5}), beta = tensor(std::vector<double>{0.25, 2.0});
  Tensor running_mean = tensor(std::vector<double>{1.0, -1.0}), running_var = tensor(std::vector<double>{2.0, 0.5});
  Tensor y = F::batch_norm(x, gamma, beta, running_mean, running_var, true, 0.1, 1e-5);

  std::vector<double> xv = x.to_vector<double>(), mean, var;
  channel_statistics(xv, n, c, s, mean, var);
  const std::vector<double> g = {1.5, -0.5}, b = {0.25, 2.0};
  std::vector<double> expected(xv.size());
  for (int64_t i = 0; i < n; ++i)
    for (int64_t k = 0; k < c; ++k)
      for (int64_t p = 0; p < s; ++p) {
        const int64_t at = (i * c + k) * s + p;
        expected[at] = g[k] * (xv[at] - mean[k]) / std::sqrt(var[k] + 1e-5) + b[k];
      }
  expect_close(y, tensor(expected, {n, c, h, w}), 1e-12, 1e-10);

  // running = 0.9 running + 0.1 batch, with the unbiased variance (M / (M - 1)).
  const double m = n * s;
  expect_close(running_mean, tensor(std::vector<double>{0.9 * 1.0 + 0.1 * mean[0], 0.9 * -1.0 + 0.1 * mean[1]}),
               1e-12, 1e-12);
  const double bessel = m / (m - 1);
  const std::vector<double> expected_var = {0.9 * 2.0 + 0.1 * var[0] * bessel, 0.9 * 0.5 + 0.1 * var[1] * bessel};
  expect_close(running_var, tensor(expected_var), 1e-12, 1e-12);
}

TEST_CASE("batch_norm on [N, C] normalises each feature over the batch") {
  Tensor x = random_leaf({5, 3}, 2, 3.0).detach();
  Tensor y = F::batch_norm(x, Tensor(), Tensor(), Tensor(), Tensor(), true);
  expect_close(y.mean({0}), zeros({3}, kFloat64), 1e-12, 0);
  expect_close(square(y).mean({0}), ones({3}, kFloat64), 1e-4, 0);  // 1 up to eps / var
}

TEST_CASE("batch_norm eval mode uses the running estimates and leaves them alone") {
  Tensor x = random_leaf({4, 2}, 3).detach();
  Tensor running_mean = tensor(std::vector<double>{0.5, -2.0}), running_var = tensor(std::vector<double>{4.0, 0.25});
  Tensor gamma = tensor(std::vector<double>{2.0, 1.0}), beta = tensor(std::vector<double>{0.0, 1.0});
  Tensor y = F::batch_norm(x, gamma, beta, running_mean, running_var, false, 0.1, 0.0);
  std::vector<double> xv = x.to_vector<double>(), expected(8);
  for (int i = 0; i < 4; ++i) {
    expected[i * 2] = 2.0 * (xv[i * 2] - 0.5) / 2.0;
    expected[i * 2 + 1] = (xv[i * 2 + 1] + 2.0) / 0.5 + 1.0;
  }
  expect_close(y, tensor(expected, {4, 2}), 1e-12, 1e-12);
  expect_close(running_mean, tensor(std::vector<double>{0.5, -2.0}), 0, 0);
}

TEST_CASE("batch_norm gradients pass gradcheck in training mode (1d and 2d) and eval mode") {
  Tensor gamma = random_leaf({3}, 4), beta = random_leaf({3}, 5);
  Tensor x1 = random_leaf({4, 3}, 6);
  expect_gradients_match(
      [](const std::vector<Tensor>& in) { return F::batch_norm(in[0], in[1], in[2], Tensor(), Tensor(), true); },
      {x1, gamma, beta});
  Tensor x2 = random_leaf({2, 3, 3, 2}, 7);
  expect_gradients_match(
      [](const std::vector<Tensor>& in) { return F::batch_norm(in[0], in[1], in[2], Tensor(), Tensor(), true); },
      {x2, gamma, beta});
  expect_gradients_match(
      [](const std::vector<Tensor>& in) { return F::batch_norm(in[0], Tensor(), Tensor(), Tensor(), Tensor(), true); },
      {x2});
  Tensor running_mean = random_leaf({3}, 8).detach(), running_var = ones({3}, kFloat64) * 2.0;
  expect_gradients_match(
      [&](const std::vector<Tensor>& in) {
        return F::batch_norm(in[0], in[1], in[2], running_mean, running_var, false);
      },
      {x2, gamma, beta});
}

TEST_CASE("batch_norm errors explain the mistake") {
  CHECK(gs::testing::error_message([] {
          F::batch_norm(zeros({1, 4}), Tensor(), Tensor(), Tensor(), Tensor(), true);
        }).find("more than one value per channel") != std::string::npos);
  CHECK(gs::testing::error_message([] {
          F::batch_norm(zeros({2, 4}), zeros({3}), Tensor(), Tensor(), Tensor(), true);
        }) == "batch_norm: gamma must have shape [4] (one per channel), got [3]");
  CHECK(gs::testing::error_message([] {
          F::batch_norm(zeros({2, 4, 3}), Tensor(), Tensor(), Tensor(), Tensor(), true);
        }).find("expects [N, C]") != std::string::npos);
}
