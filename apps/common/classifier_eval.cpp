#include "apps/common/classifier_eval.h"

#include "nn/nn.h"

namespace gs::apps {

void load_classifier(MnistClassifier& model, const std::string& checkpoint_path) {
  const StateDict weights = select_prefix(load(checkpoint_path), kClassifierPrefix);
  check(!weights.empty(), checkpoint_path, ": not a mnist_classifier checkpoint (no '", kClassifierPrefix,
        "*' entries); train one with build/apps/mnist_classifier");
  try {
    model.load_state_dict(weights);
  } catch (const Error& error) {
    fail(checkpoint_path, ": does not fit the MnistClassifier of this build (", error.what(), ")");
  }
}

ClassifierOutputs classify(MnistClassifier& model, const Tensor& images, Device device, int64_t batch_size) {
  check(images.dim() == 4 && images.size(1) == 1 && images.size(2) == 28 && images.size(3) == 28,
        "classify: expects images [N, 1, 28, 28], got ", shape_str(images.shape()));
  NoGradGuard no_grad;
  const bool was_training = model.is_training();
  model.eval();
  std::vector<Tensor> probabilities, features;
  for (int64_t start = 0; start < images.size(0); start += batch_size) {
    const int64_t count = std::min(batch_size, images.size(0) - start);
    const Tensor batch_features = model.features(images.narrow(0, start, count).to(device));
    probabilities.push_back(F::softmax(model.logits(batch_features), 1).to(Device::cpu()).to(kFloat64));
    features.push_back(batch_features.to(Device::cpu()).to(kFloat64));
  }
  model.train(was_training);
  return {cat(probabilities, 0), cat(features, 0)};
}

int64_t count_correct(const Tensor& scores, const Tensor& labels) {
  check(scores.size(0) == labels.size(0), "accuracy: ", scores.size(0), " predictions but ", labels.size(0),
        " labels");
  const std::vector<int64_t> predicted = argmax(scores.detach(), 1).to(Device::cpu()).to_vector<int64_t>();
  const std::vector<int64_t> truth = labels.to(Device::cpu()).to_vector<int64_t>();
  int64_t correct = 0;
  for (size_t i = 0; i < truth.size(); ++i) correct += predicted[i] == truth[i];
  return correct;
}

double accuracy(const Tensor& scores, const Tensor& labels) {
  const int64_t total = labels.size(0);
  return total == 0 ? 0.0 : static_cast<double>(count_correct(scores, labels)) / static_cast<double>(total);
}

SetQuality measure(const ClassifierOutputs& outputs, const metrics::Gaussian& reference) {
  SetQuality quality;
  quality.score = metrics::inception_score(outputs.probabilities);
  quality.class_entropy = metrics::class_entropy(outputs.probabilities);
  quality.sample_entropy = metrics::sample_entropy(outputs.probabilities);
  quality.sure = metrics::confident_fraction(outputs.probabilities, kSure);
  quality.histogram = metrics::class_histogram(outputs.probabilities);
  quality.frechet = metrics::frechet_distance(metrics::fit_gaussian(outputs.features), reference);
  return quality;
}

}  // namespace gs::apps
