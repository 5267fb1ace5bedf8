// Chapter 8: semi-supervised learning with a GAN (Salimans et al. 2016). A
// discriminator that is also a classifier learns from three sources: a few
// labeled points, many unlabeled ones and a generator's fakes. The same
// classifier trained on the labeled points alone is the baseline.
// The data are two interleaved half-moons in the plane, 4 labeled points per
// moon: small enough to train in a second, no download needed.
// The chapter's README walks through this program and shows its output.
#include <cmath>
#include <cstdio>

#include "data/dataset.h"
#include "data/semi_supervised_sampler.h"
#include "data/split.h"
#include "nn/nn.h"
#include "nn/semi_supervised_losses.h"
#include "optim/optim.h"
#include "optim/polyak_average.h"

using namespace gs;

constexpr int64_t kClasses = 2, kLatent = 4, kBatch = 50, kEpochs = 100;

struct Points {
  Tensor xy;      // [N, 2]
  Tensor labels;  // [N] int64: which moon
};

// Moon 0: the upper half circle; moon 1: the lower one, shifted right and up,
// so each reaches into the other's hollow. Gaussian noise of 0.1 blurs both.
Points two_moons(int64_t n, Generator& gen) {
  const std::vector<double> angle = (rand({n}, gen, kFloat64) * M_PI).to_vector<double>();
  const std::vector<double> moon = bernoulli({n}, 0.5, gen, kFloat64).to_vector<double>();
  const std::vector<double> blur = (randn({n, 2}, gen, kFloat64) * 0.1).to_vector<double>();
  std::vector<double> xy(2 * n);
  std::vector<int64_t> labels(n);
  for (int64_t i = 0; i < n; ++i) {
    const bool lower = moon[i] > 0.5;
    xy[2 * i] = (lower ? 1.0 - std::cos(angle[i]) : std::cos(angle[i])) + blur[2 * i];
    xy[2 * i + 1] = (lower ? 0.5 - std::sin(angle[i]) : std::sin(angle[i])) + blur[2 * i + 1];
    labels[i] = lower ? 1 : 0;
  }
  return {tensor(xy, {n, 2}), tensor(labels, {n})};
}

// D: 2 -> 64 -> 64 -> 2 class logits, with Gaussian noise on every layer's input
// (as the paper's MNIST model); the last hidden layer is what G's feature matching compares.
struct Discriminator {
  nn::Sequential body, head;
  Discriminator(Generator& init, Generator& noise)
      : body(nn::GaussianNoise(0.1, noise), nn::Linear(2, 64, init), nn::ReLU(), nn::GaussianNoise(0.3, noise),
             nn::Linear(64, 64, init), nn::ReLU()),
        head(nn::GaussianNoise(0.3, noise), nn::Linear(64, kClasses, init)) {
    body.to(kFloat64);  // float64 throughout: the printed figures do not hang on rounding
    head.to(kFloat64);
  }
  std::vector<Tensor> parameters() const {
    std::vector<Tensor> all = body.parameters(), last = head.parameters();
    all.insert(all.end(), last.begin(), last.end());
    return all;
  }
  void train(bool on) {
    body.train(on);
    head.train(on);
  }
};

optim::AdamOptions adam() {
  optim::AdamOptions options;
  options.lr = 3e-3;
  options.beta1 = 0.5;
  options.eps_inside_sqrt = true;  // as the paper's code: divide by sqrt(v + 1e-8)
  return options;
}

double accuracy(Discriminator& d, const Points& test) {
  NoGradGuard no_grad;
  d.train(false);
  const Tensor predicted = argmax(d.head.forward(d.body.forward(test.xy)), 1);
  d.train(true);
  const std::vector<int64_t> guess = predicted.to_vector<int64_t>(), truth = test.labels.to_vector<int64_t>();
  int64_t correct = 0;
  for (size_t i = 0; i < truth.size(); ++i) correct += guess[i] == truth[i];
  return 100.0 * static_cast<double>(correct) / static_cast<double>(truth.size());
}

// Trains a classifier on the labeled points only (baseline) or on all three
// sources (GAN), and returns its test accuracy with Polyak-averaged weights.
double train(const Points& train_set, const Tensor& labeled, const Points& test, bool use_gan) {
  Generator init(1), noise(2), latent(3);
  Discriminator d(init, noise);
  nn::Sequential g(nn::Linear(kLatent, 64, init), nn::BatchNorm1d(64), nn::Softplus(),
                   nn::Linear(64, 64, init), nn::BatchNorm1d(64), nn::Softplus(), nn::Linear(64, 2, init));
  g.to(kFloat64);
  optim::Adam d_optimizer(d.parameters(), adam()), g_optimizer(g.parameters(), adam());
  optim::PolyakAverage average(d.parameters(), 0.99);
  // An epoch: 1000 / 50 = 20 steps, for the baseline too (its sampler sees only the labeled points).
  const int64_t steps = train_set.xy.size(0) / kBatch;
  const data::SemiSupervisedSampler sampler(labeled, train_set.xy.size(0), kBatch, 4, !use_gan, steps);
  for (int64_t epoch = 0; epoch < kEpochs; ++epoch) {
    const data::SemiSupervisedEpoch batches = sampler.epoch(epoch);
    for (int64_t step = 0; step < steps; ++step) {
      const Tensor labeled_rows = batches.labeled.select(0, step);
      const Tensor x_labeled = data::gather_rows(train_set.xy, labeled_rows);
      const Tensor y_labeled = data::gather_rows(train_set.labels, labeled_rows);
      auto logits = [&](const Tensor& x) { return d.head.forward(d.body.forward(x)); };
      d_optimizer.zero_grad();
      if (!use_gan) {
        F::cross_entropy(logits(x_labeled), y_labeled).backward();
        d_optimizer.step();
        average.update();
        continue;
      }
      // D step: labeled points -> their class, unlabeled points -> real, fakes -> fake.
      const Tensor x_unlabeled = data::gather_rows(train_set.xy, batches.unlabeled.select(0, step));
      Tensor fake;
      {
        NoGradGuard no_grad;
        fake = g.forward(uniform({kBatch, kLatent}, 0.0, 1.0, latent, kFloat64));
      }
      F::semi_supervised_discriminator_loss(logits(x_labeled), y_labeled, Tensor(), logits(x_unlabeled),
                                            logits(fake))
          .total.backward();
      d_optimizer.step();
      average.update();
      // G step: match the mean of D's last hidden layer on real and on fake points.
      g_optimizer.zero_grad();
      Tensor real_features;
      {
        NoGradGuard no_grad;
        real_features = d.body.forward(data::gather_rows(train_set.xy, batches.matching.select(0, step)));
      }
      const Tensor generated = g.forward(uniform({kBatch, kLatent}, 0.0, 1.0, latent, kFloat64));
      F::feature_matching_loss(real_features, d.body.forward(generated), /*squared=*/true).backward();
      g_optimizer.step();  // D's gradients from this half are dropped by the next zero_grad()
    }
  }
  average.copy_to(d.parameters());
  return accuracy(d, test);
}

int main() {
  set_num_threads(1);  // the same numbers on every machine
  Generator data_stream(7);
  const Points train_set = two_moons(1000, data_stream), test = two_moons(1000, data_stream);

  // 1. The K+1 classes: a fake class with its logit fixed at 0 turns K class
  //    logits into D(x) = Z / (Z + 1), Z = sum_k exp(l_k), i.e. sigmoid(logsumexp(l)).
  const Tensor logits = tensor(std::vector<double>{2.0, -1.0, 1000.0, 999.0}, {2, 2});
  const std::vector<double> lse = F::real_fake_logit(logits).to_vector<double>();
  std::printf("logits (2, -1):      logsumexp %.4f  D(x) = %.4f  (Z/(Z+1) = %.4f)\n", lse[0],
              1.0 / (1.0 + std::exp(-lse[0])), (std::exp(2.0) + std::exp(-1.0)) / (std::exp(2.0) + std::exp(-1.0) + 1));
  std::printf("logits (1000, 999):  logsumexp %.4f  (exp(1000) overflows; the max is taken out first)\n", lse[1]);

  // 2. Four labeled points per moon, chosen by the label split.
  const Tensor labeled = data::semi_supervised_split(train_set.labels, 8, 5).labeled_indices;
  std::printf("training points: %lld, of which labeled: %lld; test points: %lld\n",
              static_cast<long long>(train_set.xy.size(0)), static_cast<long long>(labeled.size(0)),
              static_cast<long long>(test.xy.size(0)));

  // 3. The same classifier, the same steps: labels alone vs labels + unlabeled + generated.
  const double baseline = train(train_set, labeled, test, false);
  const double gan = train(train_set, labeled, test, true);
  std::printf("%-50s %5.1f%%\n", "test accuracy, labeled points only:", baseline);
  std::printf("%-50s %5.1f%%\n", "test accuracy, + unlabeled and generated points:", gan);
  return 0;
}
