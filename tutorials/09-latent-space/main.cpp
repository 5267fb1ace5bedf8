// Chapter 9: the latent space. What a code z ~ N(0, I) looks like in 100
// dimensions, why spherical interpolation keeps to where the codes live, and
// class means, class arithmetic and labeled synthetic data on a toy 2-D
// "generator" whose answers we know, including one that drops a class.
// The chapter's README walks through this program and shows its output.
#include <cmath>
#include <cstdio>

#include "autograd/ops.h"
#include "nn/class_codes.h"
#include "nn/functional.h"
#include "nn/latent_paths.h"

using namespace gs;
using namespace gs::latent;

double norm(const Tensor& v) { return std::sqrt(sum(v * v).item()); }

// The toy world: 2-D points, three classes, class k the 120-degree sector
// around the direction at 90 + 120 k degrees.
const double kPi = 3.14159265358979323846;
Tensor sector_centers() {
  std::vector<double> centers;
  for (int k = 0; k < 3; ++k) {
    const double angle = (90.0 + 120.0 * k) * kPi / 180.0;
    centers.push_back(std::cos(angle));
    centers.push_back(std::sin(angle));
  }
  return tensor(centers, {3, 2});
}

// The "classifier": softmax(4 x . u_k), most confident near a sector's middle.
Tensor classify(const Tensor& x) { return F::softmax(matmul(x, sector_centers().transpose(0, 1)) * 4.0, 1); }

// A perfect generator draws the data distribution itself: G(z) = z.
Tensor perfect_generator(const Tensor& z) { return z; }

// A collapsed one: codes that would give class 2 are rotated into class 0, so class 2 never appears.
Tensor collapsed_generator(const Tensor& z) {
  const double c = std::cos(2 * kPi / 3), s = std::sin(2 * kPi / 3);
  const Tensor rotated = matmul(z, tensor(std::vector<double>{c, s, -s, c}, {2, 2}));
  const Tensor is_two = eq(argmax(classify(z), 1).to(kFloat64), full({z.size(0)}, 2.0, kFloat64)).unsqueeze(1);
  return rotated * is_two + z * (1.0 - is_two);
}

// Accuracy on real points of a "fresh classifier" trained on `train`: the
// nearest class mean, the simplest classifier there is.
double nearest_mean_accuracy(const Tensor& train_images, const Tensor& train_labels, int64_t classes,
                             const Tensor& test_points, const Tensor& test_labels) {
  const std::vector<int64_t> labels = train_labels.to_vector<int64_t>();
  std::vector<Tensor> means;
  for (int64_t k = 0; k < classes; ++k) {
    Tensor total = zeros({2}, kFloat64);
    int64_t count = 0;
    for (size_t i = 0; i < labels.size(); ++i)
      if (labels[i] == k) total = total + train_images.select(0, static_cast<int64_t>(i)), ++count;
    means.push_back(total / static_cast<double>(count));
  }
  const Tensor distances = sum(square(test_points.unsqueeze(1) - stack(means, 0).unsqueeze(0)), {2});
  const std::vector<double> d = distances.to_vector<double>();
  const std::vector<int64_t> truth = test_labels.to_vector<int64_t>();
  int64_t correct = 0;
  for (size_t i = 0; i < truth.size(); ++i) {
    int64_t nearest = 0;
    for (int64_t k = 1; k < classes; ++k)
      if (d[i * classes + k] < d[i * classes + nearest]) nearest = k;
    correct += nearest == truth[i];
  }
  return static_cast<double>(correct) / static_cast<double>(truth.size());
}

int main() {
  Generator gen(9);

  // 1. Codes in 100 dimensions live on a thin shell of radius about 10.
  const Tensor codes = randn({1000, 100}, gen, kFloat64);
  const std::vector<double> norms = sqrt(sum(codes * codes, {1})).to_vector<double>();
  double smallest = 1e9, largest = 0, total = 0;
  int near_ten = 0;
  for (double n : norms) {
    smallest = std::min(smallest, n), largest = std::max(largest, n), total += n;
    near_ten += std::abs(n - 10.0) < 1.5;
  }
  std::printf("1000 codes z ~ N(0, I_100): |z| from %.2f to %.2f, mean %.2f; %d within 10 +- 1.5\n", smallest,
              largest, total / 1000, near_ten);

  // 2. Halfway between two codes: lerp dives into the shell, slerp stays on it.
  const Tensor a = codes.select(0, 0), b = codes.select(0, 1);
  std::printf("angle between two codes: %.1f degrees\n", std::acos(sum(a * b).item() / (norm(a) * norm(b))) * 180 / kPi);
  std::printf("   t   |lerp|  |slerp|\n");
  for (double t : {0.0, 0.25, 0.5, 0.75, 1.0})
    std::printf("%4.2f  %7.2f  %7.2f\n", t, norm(lerp(a, b, t)), norm(slerp(a, b, t)));

  // 3. Class means through the classifier, on the toy world.
  const Tensor toy_codes = randn({3000, 2}, gen, kFloat64);
  const CodeLabels labels = label_codes(perfect_generator, classify, toy_codes, 500);
  const ClassCodes everything = class_mean_codes(toy_codes, labels, 0.0, 3);
  const ClassCodes confident = class_mean_codes(toy_codes, labels, 0.9, 3);
  // For a 2-D standard normal, the mean of a sector of half-angle h is E|z| sin(h)/h = sqrt(pi/2) sin(h)/h long.
  std::printf("class means (all codes; theory for a 120-degree sector: |mean| = %.3f):\n",
              std::sqrt(kPi / 2) * std::sin(kPi / 3) / (kPi / 3));
  for (int64_t k = 0; k < 3; ++k) {
    const Tensor m = everything.means.select(0, k), mc = confident.means.select(0, k);
    std::printf("  class %lld: %4lld codes, mean (%6.3f, %6.3f), |mean| %.3f;  confidence >= 0.9: %4lld codes, "
                "|mean| %.3f\n", static_cast<long long>(k), static_cast<long long>(everything.counts[k]),
                m.to_vector<double>()[0], m.to_vector<double>()[1], norm(m),
                static_cast<long long>(confident.counts[k]), norm(mc));
  }
  // mean(1) + mean(2) points opposite mean(0), right on the border between 1 and 2.
  const Tensor arithmetic = class_arithmetic(confident, "1+2");
  const std::vector<double> result = arithmetic.to_vector<double>();
  const std::vector<double> verdict = classify(arithmetic.unsqueeze(0)).to_vector<double>();
  std::printf("mean(1) + mean(2) = (%.3f, %.3f): p(class) = %.2f %.2f %.2f\n", result[0], result[1], verdict[0],
              verdict[1], verdict[2]);

  // 4. Labeled synthetic data, and a classifier trained only on it, tested on real points.
  const Tensor test_points = randn({3000, 2}, gen, kFloat64);
  const Tensor test_labels = argmax(classify(test_points), 1);
  SynthesisSettings settings;
  settings.count = 900;
  settings.threshold = 0.9;
  settings.batch = 100;
  const SyntheticImages good = synthesize(perfect_generator, classify, confident, settings, gen);
  std::printf("perfect generator: %lld synthetic points, rejected per class %lld %lld %lld; "
              "trained on them: %.1f%% on real points\n", static_cast<long long>(good.labels.size(0)),
              static_cast<long long>(good.rejected[0]), static_cast<long long>(good.rejected[1]),
              static_cast<long long>(good.rejected[2]),
              100 * nearest_mean_accuracy(good.images, good.labels, 3, test_points, test_labels));

  // 5. A generator that dropped a class cannot teach it.
  const CodeLabels collapsed = label_codes(collapsed_generator, classify, toy_codes, 500);
  try {
    class_mean_codes(toy_codes, collapsed, 0.9, 3);
  } catch (const Error& error) {
    std::printf("collapsed generator: %s\n", error.what());
  }
  const ClassCodes two_classes = class_mean_codes(toy_codes, collapsed, 0.9, 2);
  const SyntheticImages partial = synthesize(collapsed_generator, classify, two_classes, settings, gen);
  std::printf("collapsed generator, classes 0 and 1 only: trained on them: %.1f%% on real points\n",
              100 * nearest_mean_accuracy(partial.images, partial.labels, 2, test_points, test_labels));
  return 0;
}
