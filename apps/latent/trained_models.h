// The two trained models `latent` works with, loaded from their checkpoints:
// the generator of a mnist_gan run and the classifier of mnist_classifier.
#pragma once
#include <memory>
#include <string>

#include "apps/common/mnist_models.h"
#include "nn/class_codes.h"

namespace gs::apps {

// The generator part ("generator.*") of a mnist_gan checkpoint, in eval mode
// (batch norm with its running statistics, so every image depends on its own
// code only). gs::Error naming the file when it is missing or is not one.
std::shared_ptr<nn::Sequential> load_generator(const std::string& path, Device device);

// A mnist_classifier checkpoint (the model under "classifier.*"), or a file
// holding just an MnistClassifier's state dict; in eval mode.
std::shared_ptr<MnistClassifier> load_classifier(const std::string& path, Device device);

// The models as Networks: codes -> images, images -> class probabilities.
latent::Network generator_network(const std::shared_ptr<nn::Sequential>& generator, Device device);
latent::Network classifier_network(const std::shared_ptr<MnistClassifier>& classifier, Device device);

}  // namespace gs::apps
