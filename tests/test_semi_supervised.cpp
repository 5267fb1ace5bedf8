// The semi-supervised GAN's pieces (Salimans et al. 2016): the K+1-class
// identity behind its losses, the losses on hand-made logits, the batch
// schedule of labeled, unlabeled and matching images, and Polyak averaging.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "data/semi_supervised_sampler.h"
#include "nn/semi_supervised_losses.h"
#include "optim/polyak_average.h"
#include "tests/helpers.h"

using namespace gs;
using testing::error_message;
using testing::expect_close;
using testing::expect_gradients_match;
using testing::random_leaf;

TEST_CASE("sigmoid(logsumexp(l)) is p(real) of the K+1-class softmax whose fake logit is 0") {
  const Tensor logits = random_leaf({6, 10}, 1, 3.0).detach();
  // The K+1 classes written out: append the fixed logit 0 and take the softmax.
  const Tensor with_fake = cat({logits, zeros({6, 1}, kFloat64)}, 1);
  const Tensor p_fake = F::softmax(with_fake, 1).narrow(1, 10, 1).squeeze(1);
  expect_close(sigmoid(F::real_fake_logit(logits)), 1.0 - p_fake, 1e-12, 1e-12);
  // Z / (Z + 1) by the definition, with Z = sum_k exp(l_k).
  const Tensor z = sum(exp(logits), {1});
  expect_close(sigmoid(F::real_fake_logit(logits)), z / (z + 1.0), 1e-12, 1e-12);
}

TEST_CASE("real_fake_logit stays finite where exp(l) overflows") {
  const Tensor logits = tensor(std::vector<double>{1000, 1000, -1000, -1000}, {2, 2});
  const std::vector<double> lse = F::real_fake_logit(logits).to_vector<double>();
  CHECK(lse[0] == doctest::Approx(1000 + std::log(2.0)));
  CHECK(lse[1] == doctest::Approx(-1000 + std::log(2.0)));
}

TEST_CASE("the discriminator loss on hand-made logits") {
  // labeled: logits (0, 0), label 0       -> cross-entropy log 2
  // unlabeled: logits (0, 0), Z = 2       -> D = 2/3, -log D = log 1.5
  // generated: logits (log .5, log .5), Z = 1 -> D = 1/2, -log(1 - D) = log 2
  const Tensor labeled = zeros({1, 2}, kFloat64), unlabeled = zeros({1, 2}, kFloat64);
  const Tensor generated = full({1, 2}, std::log(0.5), kFloat64);
  const Tensor labels = tensor(std::vector<int64_t>{0});
  const F::DiscriminatorLoss loss =
      F::semi_supervised_discriminator_loss(labeled, labels, Tensor(), unlabeled, generated);
  CHECK(loss.supervised.item() == doctest::Approx(std::log(2.0)));
  CHECK(loss.unsupervised_real.item() == doctest::Approx(std::log(1.5)));
  CHECK(loss.unsupervised_fake.item() == doctest::Approx(std::log(2.0)));
  CHECK(loss.total.item() == doctest::Approx(std::log(2.0) + 0.5 * (std::log(1.5) + std::log(2.0))));

  SUBCASE("one-sided smoothing: target 0.9 for real images, weight 1") {
    F::SemiSupervisedLossOptions options;
    options.real_target = 0.9;
    options.unsupervised_weight = 1.0;
    const F::DiscriminatorLoss smoothed =
        F::semi_supervised_discriminator_loss(labeled, labels, Tensor(), unlabeled, generated, options);
    // -0.9 log(2/3) - 0.1 log(1/3)
    CHECK(smoothed.unsupervised_real.item() == doctest::Approx(-0.9 * std::log(2.0 / 3) - 0.1 * std::log(1.0 / 3)));
    CHECK(smoothed.total.item() ==
          doctest::Approx(std::log(2.0) + smoothed.unsupervised_real.item() + std::log(2.0)));
  }
}

TEST_CASE("a batch without labeled examples has a supervised loss of 0, not NaN") {
  const Tensor labeled = random_leaf({4, 10}, 2), unlabeled = random_leaf({4, 10}, 3);
  const Tensor generated = random_leaf({4, 10}, 4);
  const Tensor labels = tensor(std::vector<int64_t>{1, 2, 3, 4});
  const F::DiscriminatorLoss loss = F::semi_supervised_discriminator_loss(
      labeled, labels, zeros({4}, kFloat64), unlabeled, generated);
  CHECK(loss.supervised.item() == 0.0);
  CHECK(std::isfinite(loss.total.item()));
  loss.total.backward();
  for (double g : labeled.grad().to_vector<double>()) CHECK(g == 0.0);
  for (double g : unlabeled.grad().to_vector<double>()) CHECK(std::isfinite(g));
}

TEST_CASE("the paper's softplus form of the unsupervised loss is 0.5 x the sigmoid cross-entropy form") {
  const Tensor unlabeled = random_leaf({5, 10}, 5, 4.0), generated = random_leaf({7, 10}, 6, 4.0);
  const Tensor paper = F::paper_unsupervised_loss(unlabeled, generated);
  paper.backward();
  // The same logits as separate leaves for the sigmoid cross-entropy form.
  const Tensor unlabeled2 = unlabeled.detach().clone().requires_grad_();
  const Tensor generated2 = generated.detach().clone().requires_grad_();
  const F::DiscriminatorLoss loss = F::semi_supervised_discriminator_loss(
      zeros({1, 10}, kFloat64), tensor(std::vector<int64_t>{0}), Tensor(), unlabeled2, generated2);
  const Tensor ours = (loss.unsupervised_real + loss.unsupervised_fake) * 0.5;
  CHECK(paper.item() == doctest::Approx(ours.item()).epsilon(1e-12));
  ours.backward();  // ... and so are the gradients
  expect_close(unlabeled.grad(), unlabeled2.grad(), 1e-12, 1e-9);
  expect_close(generated.grad(), generated2.grad(), 1e-12, 1e-9);
}

TEST_CASE("the discriminator and feature-matching losses pass gradcheck") {
  const Tensor labeled = random_leaf({3, 4}, 7), unlabeled = random_leaf({5, 4}, 8), generated = random_leaf({2, 4}, 9);
  const Tensor labels = tensor(std::vector<int64_t>{3, 0, 1});
  const Tensor mask = tensor(std::vector<double>{1, 0, 1});
  expect_gradients_match(
      [&](const std::vector<Tensor>& in) {
        return F::semi_supervised_discriminator_loss(in[0], labels, mask, in[1], in[2]).total;
      },
      {labeled, unlabeled, generated});
  // Feature matching: the mean absolute (blog) and squared (paper) difference of the batch means.
  const Tensor real_features = random_leaf({6, 5}, 10), fake_features = random_leaf({4, 5}, 11);
  for (bool squared : {false, true}) {
    CAPTURE(squared);
    expect_gradients_match(
        [&](const std::vector<Tensor>& in) { return F::feature_matching_loss(in[0], in[1], squared); },
        {real_features, fake_features});
  }
}

TEST_CASE("semi_supervised_discriminator_loss names what does not fit") {
  const Tensor ok = zeros({2, 10}), labels = tensor(std::vector<int64_t>{0, 1});
  CHECK(error_message([&] { F::semi_supervised_discriminator_loss(ok, labels, Tensor(), zeros({2, 11}), ok); }) ==
        "semi_supervised_discriminator_loss: the three batches must have the same number of classes, got 10, 11 and 10");
  CHECK(error_message([&] { F::semi_supervised_discriminator_loss(ok, labels, Tensor(), zeros({2}), ok); }) ==
        "semi_supervised_discriminator_loss: unlabeled_logits must be class logits [N, K], got [2]");
}

namespace {

std::vector<int64_t> values(const Tensor& t) { return t.contiguous().to_vector<int64_t>(); }

}  // namespace

TEST_CASE("the sampler cycles the labeled examples and permutes the whole set for the other two streams") {
  const Tensor labeled = tensor(std::vector<int64_t>{3, 8, 11, 19, 24});
  const data::SemiSupervisedSampler sampler(labeled, 30, 4, 7, false);
  CHECK(sampler.iterations_per_epoch() == 7);  // 30 / 4
  const data::SemiSupervisedEpoch epoch = sampler.epoch(0);
  CHECK(epoch.labeled.shape() == Shape{7, 4});
  // 28 draws from 5 labeled examples: back-to-back permutations, so each
  // appears 5 or 6 times and every block of 5 holds all of them.
  std::map<int64_t, int> counts;
  const std::vector<int64_t> stream = values(epoch.labeled);
  for (int64_t index : stream) ++counts[index];
  CHECK(counts.size() == 5);
  for (const auto& [index, count] : counts) CHECK((count == 5 || count == 6));
  for (int block = 0; block + 5 <= 28; block += 5)
    CHECK(std::set<int64_t>(stream.begin() + block, stream.begin() + block + 5) == std::set<int64_t>{3, 8, 11, 19, 24});
  // Unlabeled and matching batches: no repeats within the epoch, and two independent orders.
  for (const Tensor& stream_of_all : {epoch.unlabeled, epoch.matching}) {
    const std::vector<int64_t> drawn = values(stream_of_all);
    CHECK(std::set<int64_t>(drawn.begin(), drawn.end()).size() == 28);
    CHECK(*std::max_element(drawn.begin(), drawn.end()) < 30);
  }
  CHECK(values(epoch.unlabeled) != values(epoch.matching));
  // A function of (seed, epoch): the same again, different next epoch.
  CHECK(values(sampler.epoch(0).unlabeled) == values(epoch.unlabeled));
  CHECK(values(sampler.epoch(0).labeled) == stream);
  CHECK(values(sampler.epoch(1).unlabeled) != values(epoch.unlabeled));
}

TEST_CASE("in labeled-only mode (the baseline) the sampler draws nothing but labeled examples") {
  const Tensor labeled = arange(10, kInt64);
  const data::SemiSupervisedSampler sampler(labeled, 10, 4, 1, true, 600);
  CHECK(sampler.iterations_per_epoch() == 600);  // as many steps as the GAN's epoch
  const data::SemiSupervisedEpoch epoch = sampler.epoch(3);
  CHECK_FALSE(epoch.unlabeled.defined());
  CHECK_FALSE(epoch.matching.defined());
  for (int64_t index : values(epoch.labeled)) CHECK((index >= 0 && index < 10));
  CHECK(error_message([] { data::SemiSupervisedSampler(tensor(std::vector<int64_t>{2, 40}), 30, 4, 1, false); }) ==
        "SemiSupervisedSampler: labeled index 40 is outside the dataset of 30 examples");
}

TEST_CASE("PolyakAverage is the bias-corrected exponential moving average of the parameters") {
  Tensor weight = tensor(std::vector<double>{1.0, -2.0});
  optim::PolyakAverage average({weight}, 0.9);
  const std::vector<std::vector<double>> steps = {{1.0, -2.0}, {3.0, 0.0}, {-1.0, 4.0}};
  std::vector<double> expected(2, 0.0);
  for (const auto& value : steps) {
    weight.copy_(tensor(value));
    average.update();
    for (int i = 0; i < 2; ++i) expected[i] = 0.9 * expected[i] + 0.1 * value[i];
  }
  const double correction = 1.0 - std::pow(0.9, 3);
  Tensor target = zeros({2}, kFloat64);
  average.copy_to({target});
  expect_close(target, tensor(std::vector<double>{expected[0] / correction, expected[1] / correction}), 1e-12, 1e-12);
  // A constant parameter averages to itself from the first step.
  Tensor constant = tensor(std::vector<double>{5.0});
  optim::PolyakAverage of_constant({constant}, 0.9999);
  of_constant.update();
  Tensor copy = zeros({1}, kFloat64);
  of_constant.copy_to({copy});
  CHECK(copy.item() == doctest::Approx(5.0).epsilon(1e-12));
  // The state round-trips.
  optim::PolyakAverage restored({weight}, 0.9);
  restored.load_state_dict(average.state_dict());
  CHECK(restored.steps() == 3);
  Tensor again = zeros({2}, kFloat64);
  restored.copy_to({again});
  CHECK(again.to_vector<double>() == target.to_vector<double>());
}
