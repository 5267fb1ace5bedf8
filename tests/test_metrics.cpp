// GAN metrics on hand-made inputs whose answers are known in closed form.
#include <cmath>

#include "nn/metrics.h"
#include "tests/helpers.h"

using namespace gs;

TEST_CASE("inception score: uniform predictions score 1, confident balanced ones score K") {
  CHECK(metrics::inception_score(full({50, 10}, 0.1, kFloat64)) == doctest::Approx(1.0));
  std::vector<double> one_hot(100 * 10, 0.0);
  for (int i = 0; i < 100; ++i) one_hot[i * 10 + i % 10] = 1.0;
  Tensor balanced = tensor(one_hot, {100, 10});
  CHECK(metrics::inception_score(balanced) == doctest::Approx(10.0));
  CHECK(metrics::class_histogram(balanced) == std::vector<int64_t>(10, 10));
  // confident but all one class (mode collapse): score 1 again
  std::vector<double> collapsed(20 * 10, 0.0);
  for (int i = 0; i < 20; ++i) collapsed[i * 10 + 3] = 1.0;
  CHECK(metrics::inception_score(tensor(collapsed, {20, 10})) == doctest::Approx(1.0));
  // confident, two classes equally often: score 2
  std::vector<double> two(20 * 10, 0.0);
  for (int i = 0; i < 20; ++i) two[i * 10 + (i % 2) * 5] = 1.0;
  CHECK(metrics::inception_score(tensor(two, {20, 10})) == doctest::Approx(2.0));
}

TEST_CASE("the score's two entropies and the share of sure predictions, on hand-made tables") {
  const Tensor uniform = full({50, 10}, 0.1, kFloat64);
  CHECK(metrics::class_entropy(uniform) == doctest::Approx(std::log(10.0)));
  CHECK(metrics::sample_entropy(uniform) == doctest::Approx(std::log(10.0)));
  CHECK(metrics::confident_fraction(uniform, 0.99) == 0.0);
  // Two rows: one certain of class 0, one split 0.5 / 0.5 between classes 0 and 1.
  // p(y) = (0.75, 0.25): H(y) = -(0.75 ln 0.75 + 0.25 ln 0.25); E H(y|x) = (0 + ln 2) / 2.
  const Tensor mixed = tensor(std::vector<double>{1, 0, 0.5, 0.5}, {2, 2});
  CHECK(metrics::class_entropy(mixed) == doctest::Approx(-(0.75 * std::log(0.75) + 0.25 * std::log(0.25))));
  CHECK(metrics::sample_entropy(mixed) == doctest::Approx(std::log(2.0) / 2));
  CHECK(metrics::confident_fraction(mixed, 0.99) == 0.5);
  CHECK(metrics::confident_fraction(mixed, 0.5) == 1.0);
}

TEST_CASE("symmetric eigendecomposition reconstructs the matrix") {
  Tensor m = tensor(std::vector<double>{4, 1, 0, 1, 3, 1, 0, 1, 2}, {3, 3});
  metrics::SymmetricEigen e = metrics::symmetric_eigen(m);
  testing::expect_close(matmul(e.vectors * e.values, e.vectors.t()), m, 1e-12);
  testing::expect_close(matmul(e.vectors.t(), e.vectors), tensor(std::vector<double>{1, 0, 0, 0, 1, 0, 0, 0, 1}, {3, 3}),
                        1e-12);
  std::vector<double> values = e.values.to_vector<double>();
  CHECK(values[0] <= values[1]);
  CHECK(values[1] <= values[2]);
}

TEST_CASE("Frechet distance: 0 against itself, the squared shift against a shifted copy") {
  Generator gen(17);
  Tensor features = randn({500, 6}, gen, kFloat64) * tensor(std::vector<double>{1, 2, 0.5, 1, 3, 1});
  metrics::Gaussian fit = metrics::fit_gaussian(features);
  CHECK(std::abs(metrics::frechet_distance(fit, fit)) < 1e-9);
  Tensor shift = tensor(std::vector<double>{1, -2, 0, 0.5, 0, 3});
  metrics::Gaussian shifted = metrics::fit_gaussian(features + shift);
  CHECK(metrics::frechet_distance(fit, shifted) == doctest::Approx(1 + 4 + 0.25 + 9).epsilon(1e-9));
  // two isotropic Gaussians in 1-D: (mu1-mu2)^2 + (s1 - s2)^2
  metrics::Gaussian a{tensor(std::vector<double>{0}), tensor(std::vector<double>{4}, {1, 1})};
  metrics::Gaussian b{tensor(std::vector<double>{1}), tensor(std::vector<double>{9}, {1, 1})};
  CHECK(metrics::frechet_distance(a, b) == doctest::Approx(1 + 1));
}
