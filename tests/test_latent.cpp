// The pieces of apps/latent: latent-space paths (lerp, slerp), class-mean
// codes found through a classifier, class arithmetic, and labeled synthetic
// data, checked on small hand-made "generator" and "classifier" functions.
#include <cmath>

#include "nn/checkpoint.h"
#include "nn/class_codes.h"
#include "nn/latent_paths.h"
#include "nn/functional.h"
#include "tests/data_fixtures.h"
#include "tests/helpers.h"

using namespace gs;
using namespace gs::latent;
using testing::error_message;

namespace {

double norm(const Tensor& v) { return std::sqrt(sum(v * v).item()); }
double dot(const Tensor& a, const Tensor& b) { return sum(a * b).item(); }

Tensor unit(const Tensor& v) { return v / norm(v); }

// A toy generator/classifier pair over 3-d codes and 3 classes: the "image" of
// z is 2 z, and the classifier says softmax(4 x), so a code's class is its
// largest coordinate, confidently so when that coordinate stands out.
Tensor toy_generator(const Tensor& z) { return z * 2.0; }
Tensor toy_classifier(const Tensor& x) { return F::softmax(x * 4.0, 1); }

}  // namespace

TEST_CASE("slerp starts at a, ends at b, and keeps unit vectors on the unit sphere") {
  Generator gen(3);
  const Tensor a = randn({100}, gen, kFloat64) * 3.0, b = randn({100}, gen, kFloat64) * 0.5;
  testing::expect_close(slerp(a, b, 0.0), a, 1e-12, 1e-12);
  testing::expect_close(slerp(a, b, 1.0), b, 1e-12, 1e-12);

  const Tensor ua = unit(a), ub = unit(b);
  const double omega = std::acos(dot(ua, ub));
  for (double t : {0.1, 0.25, 0.5, 0.9}) {
    CAPTURE(t);
    const Tensor point = slerp(ua, ub, t);
    CHECK(norm(point) == doctest::Approx(1.0).epsilon(1e-12));
    // Constant angular speed: the angle from a grows linearly with t.
    CHECK(std::acos(dot(point, ua)) == doctest::Approx(t * omega).epsilon(1e-9));
    // lerp cuts the corner: its norm is |(1-t) a + t b| = sqrt((1-t)^2 + t^2 + 2 t (1-t) cos omega) < 1.
    const double lerp_norm = std::sqrt((1 - t) * (1 - t) + t * t + 2 * t * (1 - t) * std::cos(omega));
    CHECK(norm(lerp(ua, ub, t)) == doctest::Approx(lerp_norm).epsilon(1e-12));
    CHECK(lerp_norm < 1.0);
  }
}

TEST_CASE("for Gaussian codes, the lerp midpoint has norm about sqrt(D/2) while slerp stays near sqrt(D)") {
  Generator gen(5);
  const Tensor codes = randn({40, 100}, gen, kFloat64);
  double ends = 0, linear = 0, spherical = 0;
  for (int64_t i = 0; i < 40; i += 2) {
    const Tensor a = codes.select(0, i), b = codes.select(0, i + 1);
    ends += (norm(a) + norm(b)) / 2;
    linear += norm(lerp(a, b, 0.5));
    spherical += norm(slerp(a, b, 0.5));
  }
  CHECK(ends / 20 == doctest::Approx(10.0).epsilon(0.05));
  CHECK(linear / 20 == doctest::Approx(std::sqrt(50.0)).epsilon(0.05));
  CHECK(spherical / 20 == doctest::Approx(ends / 20).epsilon(0.02));
}

TEST_CASE("slerp of parallel or opposite vectors falls back to lerp instead of dividing by sin 0") {
  const Tensor a = tensor(std::vector<double>{1, 2, 3});
  testing::expect_close(slerp(a, a * 2.0, 0.5), a * 1.5, 1e-12, 0);
  testing::expect_close(slerp(a, a * -1.0, 0.25), a * 0.5, 1e-12, 0);
  CHECK(error_message([&] { slerp(a, zeros({3}, kFloat64), 0.5); }) ==
        "slerp: a zero vector has no direction to rotate from or to");
  CHECK(error_message([&] { slerp(a, zeros({4}, kFloat64), 0.5); }) ==
        "slerp: expects two vectors of the same length, got [3] and [4]");
}

TEST_CASE("interpolation_path lists `steps` points from a to b, ends included") {
  const Tensor a = tensor(std::vector<double>{1, 0}), b = tensor(std::vector<double>{0, 1});
  const Tensor linear = interpolation_path(a, b, 3, PathKind::kLinear);
  testing::expect_close(linear, tensor(std::vector<double>{1, 0, 0.5, 0.5, 0, 1}, {3, 2}), 1e-12, 0);
  const Tensor spherical = interpolation_path(a, b, 3, PathKind::kSpherical);
  const double h = std::sqrt(0.5);
  testing::expect_close(spherical, tensor(std::vector<double>{1, 0, h, h, 0, 1}, {3, 2}), 1e-12, 0);
  CHECK(error_message([&] { interpolation_path(a, b, 1, PathKind::kLinear); }) ==
        "interpolation_path: needs at least 2 steps (the two ends), got 1");
}

TEST_CASE("class mean codes: the mean and spread of the codes the classifier confidently puts in each class") {
  // Six codes; by the toy classifier the class of each is its largest coordinate.
  const Tensor codes = tensor(std::vector<double>{3, 0, 0,     // class 0, confident
                                                  2, 1, 0,     // class 0, confident
                                                  0.3, 0.2, 0.25,  // class 0 but unsure: dropped
                                                  0, 2, 0,     // class 1
                                                  1, 3, 1,     // class 1
                                                  0, 0, 1.5,   // class 2
                                                  1, 0, 2.5},  // class 2
                              {7, 3});
  const CodeLabels labels = label_codes(toy_generator, toy_classifier, codes, 2);
  CHECK(labels.labels.to_vector<int64_t>() == std::vector<int64_t>{0, 0, 0, 1, 1, 2, 2});
  // softmax(4 * 2 z) of the first code: e^24 / (e^24 + 2)
  CHECK(labels.confidence.to_vector<double>()[0] == doctest::Approx(std::exp(24.0) / (std::exp(24.0) + 2.0)));

  const ClassCodes classes = class_mean_codes(codes, labels, 0.9, 3);
  CHECK(classes.counts == std::vector<int64_t>{2, 2, 2});
  testing::expect_close(classes.means, tensor(std::vector<double>{2.5, 0.5, 0, 0.5, 2.5, 0.5, 0.5, 0, 2}, {3, 3}),
                        1e-12, 0);
  // The unbiased standard deviation of two values x, y is |x - y| / sqrt(2).
  const double r = 1 / std::sqrt(2.0);
  testing::expect_close(classes.spreads, tensor(std::vector<double>{r, r, 0, r, r, r, r, 0, r}, {3, 3}), 1e-12, 0);

  // The same labels whatever the batch size.
  CHECK(label_codes(toy_generator, toy_classifier, codes, 100).labels.to_vector<int64_t>() ==
        labels.labels.to_vector<int64_t>());
  // A class without two confident codes is an error that says what to do.
  const std::string message = error_message([&] { class_mean_codes(codes, labels, 0.9, 4); });
  CHECK(message == "class 3: only 0 of 7 generated images were classified as 3 with confidence >= 0.9; draw more "
                   "codes or lower the threshold (or the generator does not draw this class)");
}

TEST_CASE("class arithmetic adds and subtracts class means: 2-0+1 = mean(2) - mean(0) + mean(1)") {
  ClassCodes classes;
  classes.means = tensor(std::vector<double>{1, 0, 0, 1, 5, 7}, {3, 2});
  classes.spreads = ones({3, 2}, kFloat64);
  classes.counts = {1, 1, 1};
  testing::expect_close(class_arithmetic(classes, "2-0+1"), tensor(std::vector<double>{5 - 1 + 0, 7 - 0 + 1}), 0, 0);
  testing::expect_close(class_arithmetic(classes, " 1 "), tensor(std::vector<double>{0, 1}), 0, 0);
  CHECK(error_message([&] { class_arithmetic(classes, "2-x"); }) ==
        "class expression '2-x': expected a class 0..2 at position 3 but found 'x' (write e.g. 7-1+4)");
  CHECK(error_message([&] { class_arithmetic(classes, "21"); }) ==
        "class expression '21': expected + or - at position 2 but found '1' (write e.g. 7-1+4)");
  CHECK(error_message([&] { class_arithmetic(classes, "2-"); }) ==
        "class expression '2-': it must start and end with a class, e.g. 7-1+4");
  CHECK(error_message([&] { class_arithmetic(classes, "7"); }).find("expected a class 0..2 at position 1") !=
        std::string::npos);
}

TEST_CASE("class codes survive a save and load, and a wrong file is named in the error") {
  testing::TempDir dir;
  Generator gen(2);
  ClassCodes classes{randn({10, 100}, gen, kFloat64), rand({10, 100}, gen, kFloat64), {}};
  for (int64_t c = 0; c < 10; ++c) classes.counts.push_back(100 + c);
  save_class_codes(classes, dir.file("codes.safetensors"));
  const ClassCodes back = load_class_codes(dir.file("codes.safetensors"));
  testing::expect_close(back.means, classes.means, 0, 0);
  testing::expect_close(back.spreads, classes.spreads, 0, 0);
  CHECK(back.counts == classes.counts);
  save(StateDict{{"x", zeros({2})}}, dir.file("other.safetensors"));
  CHECK(error_message([&] { load_class_codes(dir.file("other.safetensors")); }) ==
        dir.file("other.safetensors") + ": not a class-codes file of `latent attributes` (no 'class_means')");
}

TEST_CASE("synthesize keeps only images the classifier confirms, balanced over the classes, and counts the rest") {
  // Class means far apart along each axis, spread wide enough that some draws land in another class.
  ClassCodes classes;
  classes.means = tensor(std::vector<double>{1, 0, 0, 0, 1, 0, 0, 0, 1}, {3, 3});
  classes.spreads = full({3, 3}, 0.6, kFloat64);
  classes.counts = {10, 10, 10};
  SynthesisSettings settings;
  settings.count = 31;
  settings.threshold = 0.8;
  settings.batch = 8;
  Generator noise(9);
  const SyntheticImages set = synthesize(toy_generator, toy_classifier, classes, settings, noise);
  REQUIRE(set.labels.size(0) == 31);
  const std::vector<int64_t> labels = set.labels.to_vector<int64_t>();
  CHECK(std::count(labels.begin(), labels.end(), 0) == 11);  // 31 = 11 + 10 + 10
  CHECK(std::count(labels.begin(), labels.end(), 1) == 10);
  CHECK(std::count(labels.begin(), labels.end(), 2) == 10);
  // Every image is one the classifier puts in its label's class with enough confidence.
  const Tensor probabilities = toy_classifier(set.images);
  const std::vector<int64_t> predicted = argmax(probabilities, 1).to_vector<int64_t>();
  const std::vector<double> confidence = max(probabilities, {1}).to_vector<double>();
  for (size_t i = 0; i < labels.size(); ++i) {
    CHECK(predicted[i] == labels[i]);
    CHECK(confidence[i] >= 0.8);
  }
  int64_t rejected = 0;
  for (int64_t c = 0; c < 3; ++c) {
    CHECK(set.drawn[c] - set.rejected[c] == (c == 0 ? 11 : 10));
    rejected += set.rejected[c];
  }
  CHECK(rejected > 0);  // with this much spread some draws fall into other classes

  // A class the classifier never confirms stops with an explanation instead of looping forever.
  auto never_two = [](const Tensor& x) {
    return F::softmax(x * 4.0 - tensor(std::vector<double>{0, 0, 1000}), 1);
  };
  settings.max_draws_per_image = 3;
  const std::string message = error_message([&] { synthesize(toy_generator, never_two, classes, settings, noise); });
  CHECK(message.find("class 2: after ") == 0);
  CHECK(message.find("only 0 images were confirmed as 2 (threshold 0.8); lower --threshold") != std::string::npos);
}
