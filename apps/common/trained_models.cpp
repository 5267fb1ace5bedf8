#include "apps/common/trained_models.h"

#include <filesystem>

#include "apps/common/classifier_eval.h"

namespace gs::apps {

LoadedGenerator load_generator(const std::string& path, const std::string& which, Device device) {
  check(std::filesystem::is_regular_file(path), "--generator: no file at ", path,
        " (train one with build/apps/mnist_gan; its --out folder holds checkpoint.safetensors)");
  Metadata metadata;
  const StateDict state = load(path, &metadata);  // a corrupt file is a gs::Error naming it and the problem
  const StateDict trained = select_prefix(state, "generator.");
  check(!trained.empty(), path, ": not a mnist_gan checkpoint (no 'generator.*' entries)");
  const StateDict averaged = select_prefix(state, "averaged_generator.");
  const bool use_average = which == "averaged" && !averaged.empty();
  Generator unused_init(0);  // every weight is overwritten by the checkpoint's
  const DcganOptions architecture = DcganOptions::from_metadata(metadata, path);
  LoadedGenerator loaded{make_dcgan_generator(unused_init, architecture), "unknown training time",
                         use_average ? "moving average" : "trained"};
  try {
    loaded.model->load_state_dict(use_average ? averaged : trained);
  } catch (const Error& error) {
    fail(path, ": its generator does not fit ", architecture.describe(), "'s generator (", error.what(), ")");
  }
  loaded.model->to(device);
  loaded.model->eval();
  auto position = state.find("run.position");  // iteration, epoch in progress, its next batch
  if (position != state.end() && position->second.numel() == 3) {
    const std::vector<int64_t> p = position->second.to_vector<int64_t>();
    loaded.trained_for = "iteration " + std::to_string(p[0]) + " (epochs done: " + std::to_string(p[1]) +
                         ", batches into the next: " + std::to_string(p[2]) + ")";
  }
  return loaded;
}

std::shared_ptr<MnistClassifier> load_classifier(const std::string& path, Device device) {
  check(std::filesystem::is_regular_file(path), "--classifier: no file at ", path,
        " (train one with build/apps/mnist_classifier; its --out folder holds classifier.safetensors)");
  // The dropout layer (off in eval mode) keeps a pointer to its Generator, so
  // it gets the long-lived default one; the weights are the file's.
  auto classifier = std::make_shared<MnistClassifier>(default_generator());
  load_classifier(*classifier, path);
  classifier->to(device);
  classifier->eval();
  return classifier;
}

}  // namespace gs::apps
