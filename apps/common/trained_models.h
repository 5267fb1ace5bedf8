// Loading the trained models the apps share: the generator of a mnist_gan
// checkpoint and the classifier of a mnist_classifier one (gan_eval and
// latent judge and explore generators with them).
#pragma once
#include <memory>
#include <string>

#include "apps/common/mnist_models.h"

namespace gs::apps {

struct LoadedGenerator {
  std::shared_ptr<nn::Sequential> model;  // in eval mode, on the requested device
  std::string trained_for;  // e.g. "iteration 937 (epochs done: 1, batches into the next: 0)"
  std::string weights;      // "moving average" or "trained"
};

// The generator of a mnist_gan checkpoint: `which` is "averaged" (the moving
// average of G that mnist_gan samples with, when the checkpoint has one; the
// trained weights otherwise) or "trained". gs::Error naming the file when it
// is missing or is not one.
LoadedGenerator load_generator(const std::string& path, const std::string& which, Device device);

// The MnistClassifier of a mnist_classifier checkpoint (its "classifier.*"
// entries), in eval mode on `device`.
std::shared_ptr<MnistClassifier> load_classifier(const std::string& path, Device device);

}  // namespace gs::apps
