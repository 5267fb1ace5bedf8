// The MNIST classifier as an instrument: running a trained MnistClassifier
// over a set of images, and the GAN metrics of nn/metrics.h on what it says.
// Used by mnist_classifier (test accuracy) and gan_eval (score, mode
// coverage, FID in classifier space).
#pragma once
#include <string>
#include <vector>

#include "apps/common/mnist_models.h"
#include "nn/metrics.h"

namespace gs::apps {

// A mnist_classifier checkpoint stores the model under this prefix (next to
// its optimizer and run state).
inline const std::string kClassifierPrefix = "classifier.";

// Loads the model part of a mnist_classifier checkpoint; a file that is not
// one gets an error naming the file and what was expected.
void load_classifier(MnistClassifier& model, const std::string& checkpoint_path);

struct ClassifierOutputs {
  Tensor probabilities;  // p(y|x) [N, 10], float64, CPU
  Tensor features;       // penultimate layer [N, 128], float64, CPU
};

// The model in eval mode (batch-norm running statistics, no dropout) over
// `images` [N, 1, 28, 28], `batch_size` at a time, without a graph. The
// model's training/eval mode is restored afterwards.
ClassifierOutputs classify(MnistClassifier& model, const Tensor& images, Device device, int64_t batch_size = 500);

// How many rows of `scores` [N, K] (logits or probabilities) have their
// highest score at the label (labels int64 [N]).
int64_t count_correct(const Tensor& scores, const Tensor& labels);
// The fraction of them.
double accuracy(const Tensor& scores, const Tensor& labels);

// What the classifier says about one set of images.
struct SetQuality {
  double score = 0;                // exp(E_x KL(p(y|x) || p(y))) = exp(class_entropy - sample_entropy)
  double class_entropy = 0;        // H(y), nats: ln 10 = 2.303 when the classes are balanced
  double sample_entropy = 0;       // E_x H(y|x), nats: 0 when every image is classified with certainty
  double sure = 0;                 // fraction of images with max_y p(y|x) >= kSure
  std::vector<int64_t> histogram;  // predicted classes
  double frechet = 0;              // Frechet distance of the features' Gaussian to the reference's
};
constexpr double kSure = 0.99;
SetQuality measure(const ClassifierOutputs& outputs, const metrics::Gaussian& reference);

}  // namespace gs::apps
