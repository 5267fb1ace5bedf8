#include "apps/latent/trained_models.h"

#include <filesystem>

namespace gs::apps {
namespace {

StateDict load_checkpoint_file(const std::string& path, const std::string& flag, const std::string& how_to_make) {
  check(std::filesystem::is_regular_file(path), flag, ": no file at ", path, " (", how_to_make, ")");
  return load(path);  // a corrupt file is a gs::Error naming it and the problem
}

// `weights` into `model`, ready for inference on `device`; a mismatch names the file and what it should hold.
void load_for_inference(nn::Module& model, const StateDict& weights, const std::string& path,
                        const std::string& mismatch, Device device) {
  try {
    model.load_state_dict(weights);
  } catch (const Error& error) {
    fail(path, ": ", mismatch, " (", error.what(), ")");
  }
  model.to(device);
  model.eval();
}

}  // namespace

std::shared_ptr<nn::Sequential> load_generator(const std::string& path, Device device) {
  const StateDict weights = select_prefix(
      load_checkpoint_file(path, "--generator", "train one with build/apps/mnist_gan; it writes checkpoint.safetensors"),
      "generator.");
  check(!weights.empty(), path, ": not a mnist_gan checkpoint (no 'generator.*' entries)");
  Generator unused(0);  // every weight is replaced by the checkpoint's
  auto generator = make_dcgan_generator(unused);
  load_for_inference(*generator, weights, path, "its generator does not fit the lecture's DCGAN generator", device);
  return generator;
}

std::shared_ptr<MnistClassifier> load_classifier(const std::string& path, Device device) {
  const StateDict state =
      load_checkpoint_file(path, "--classifier", "train one with build/apps/mnist_classifier");
  StateDict weights = select_prefix(state, "classifier.");
  if (weights.empty()) weights = state;
  // The weights are replaced by the file's; the dropout layer (off in eval
  // mode) keeps a pointer to its Generator, so it gets the long-lived default one.
  auto classifier = std::make_shared<MnistClassifier>(default_generator());
  load_for_inference(*classifier, weights, path, "not an MnistClassifier checkpoint", device);
  return classifier;
}

latent::Network generator_network(const std::shared_ptr<nn::Sequential>& generator, Device device) {
  return [generator, device](const Tensor& codes) {
    NoGradGuard no_grad;
    return generator->forward(codes.to(kFloat32).to(device));
  };
}

latent::Network classifier_network(const std::shared_ptr<MnistClassifier>& classifier, Device device) {
  return [classifier, device](const Tensor& images) {
    NoGradGuard no_grad;
    return F::softmax(classifier->forward(images.to(device)), 1);
  };
}

}  // namespace gs::apps
