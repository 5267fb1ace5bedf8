// Chapter 7: judging a generator by what a classifier says about its samples:
// the Inception-style score and its two entropies, the class histogram
// (mode collapse), and the Frechet distance between feature Gaussians (FID).
// It runs on hand-made classifier outputs and synthetic features, so it needs
// no dataset; the README shows the same metrics on real MNIST samples.
// The chapter's README walks through this program and shows its output.
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "autograd/ops.h"
#include "nn/metrics.h"
#include "tensor/generator.h"

using namespace gs;

constexpr int64_t kClasses = 10;

// What a classifier might say about a generator's samples: sample i looks
// like digit classes[i] with probability `confidence`; the rest is spread
// evenly over the other nine digits.
Tensor classifier_outputs(const std::vector<int64_t>& classes, double confidence) {
  const double elsewhere = (1 - confidence) / (kClasses - 1);
  std::vector<double> p(classes.size() * kClasses, elsewhere);
  for (size_t i = 0; i < classes.size(); ++i) p[i * kClasses + classes[i]] = confidence;
  return tensor(p, {static_cast<int64_t>(classes.size()), kClasses});
}

// 1000 samples cycling through `digits`.
std::vector<int64_t> cycle(const std::vector<int64_t>& digits) {
  std::vector<int64_t> classes(1000);
  for (size_t i = 0; i < classes.size(); ++i) classes[i] = digits[i % digits.size()];
  return classes;
}

// H(p) = -sum_k p_k log p_k for each row of p.
Tensor entropy(const Tensor& p) { return -sum(p * log(p + 1e-12), {1}); }

void report(const char* name, const Tensor& p) {
  const double marginal_entropy = entropy(mean(p, {0}, true)).item();  // H(y), y's spread over the samples
  const double conditional_entropy = mean(entropy(p)).item();          // E_x H(y|x), the classifier's doubt
  std::printf("%-28s %6.3f %8.3f %10.2f %6.2f  ", name, marginal_entropy, conditional_entropy,
              std::exp(marginal_entropy - conditional_entropy), metrics::inception_score(p));
  for (int64_t count : metrics::class_histogram(p)) std::printf(" %3lld", static_cast<long long>(count));
  std::printf("\n");
}

// Synthetic "classifier features" of digits: 10 class centres in 8
// dimensions, each sample its class's centre plus noise of standard deviation
// `spread` (0: every sample of a class is the same point).
Tensor features(const Tensor& centres, const std::vector<int64_t>& classes, double spread, Generator& gen) {
  std::vector<Tensor> rows;
  for (int64_t k : classes) rows.push_back(centres.select(0, k));
  const Tensor clean = stack(rows, 0);
  return spread > 0 ? clean + randn(clean.shape(), gen, kFloat64) * spread : clean;
}

void report_frechet(const char* name, const metrics::Gaussian& real, const Tensor& generated) {
  const metrics::Gaussian fit = metrics::fit_gaussian(generated);
  const double distance = metrics::frechet_distance(real, fit);
  const double mean_term = sum(square(real.mean - fit.mean)).item();
  auto shown = [](double v) { return std::abs(v) < 5e-4 ? 0.0 : v; };  // no "-0.000" from rounding
  std::printf("%-34s %8.3f %8.3f %8.3f\n", name, shown(mean_term), shown(distance - mean_term), shown(distance));
}

int main() {
  // 1. The score exp(E_x KL(p(y|x) || p(y))) = exp(H(y) - E_x H(y|x)): high
  //    when the samples spread over the classes (H(y) up to log 10 = 2.303) and
  //    each one is classified with confidence (E_x H(y|x) down to 0).
  std::printf("%-28s %6s %8s %10s %6s   histogram of predicted classes 0..9\n", "samples", "H(y)", "E H(y|x)",
              "exp(diff.)", "score");
  const std::vector<int64_t> all_digits{0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  report("sharp, all ten digits", classifier_outputs(cycle(all_digits), 0.99));
  report("blurry, all ten digits", classifier_outputs(cycle(all_digits), 0.6));
  report("noise (p(y|x) near uniform)", classifier_outputs(cycle(all_digits), 0.12));
  report("sharp, only 1s (collapse)", classifier_outputs(cycle({1}), 0.99));
  report("sharp, only 0-4", classifier_outputs(cycle({0, 1, 2, 3, 4}), 0.99));
  report("sharp, every digit but 7", classifier_outputs(cycle({0, 1, 2, 3, 4, 5, 6, 8, 9}), 0.99));
  std::vector<int64_t> lopsided = cycle(all_digits);
  for (size_t i = 0; i < lopsided.size() / 2; ++i) lopsided[i] = 1;  // the first half all 1s
  report("sharp, half of them 1s", classifier_outputs(lopsided, 0.99));

  // 2. The Frechet distance between Gaussian fits of features:
  //    |mu_r - mu_g|^2 + Tr(S_r + S_g - 2 (S_r^1/2 S_g S_r^1/2)^1/2).
  //    The score cannot see variety within a class; the covariance can.
  Generator gen(7);
  const Tensor centres = randn({kClasses, 8}, gen, kFloat64) * 2.0;
  const std::vector<int64_t> balanced = cycle(all_digits);
  const Tensor real = features(centres, balanced, 1.0, gen);
  const metrics::Gaussian real_fit = metrics::fit_gaussian(real);
  std::printf("\n%-34s %8s %8s %8s\n", "features of 1000 samples", "means", "covar.", "FID");
  report_frechet("the real set itself", real_fit, real);
  report_frechet("a second real set", real_fit, features(centres, balanced, 1.0, gen));
  report_frechet("the real set moved by 0.5 per axis", real_fit, real + 0.5);
  report_frechet("one image per digit, repeated", real_fit, features(centres, balanced, 0.0, gen));
  report_frechet("too varied (noise 2, not 1)", real_fit, features(centres, balanced, 2.0, gen));
  report_frechet("only 0-4", real_fit, features(centres, cycle({0, 1, 2, 3, 4}), 1.0, gen));
  report_frechet("only 1s (collapse)", real_fit, features(centres, cycle({1}), 1.0, gen));
  return 0;
}
