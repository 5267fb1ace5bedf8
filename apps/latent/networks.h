// The two trained models `latent` works with (apps/common/trained_models.h
// loads them) as Networks: codes -> images, images -> class probabilities.
#pragma once
#include <memory>

#include "apps/common/mnist_models.h"
#include "nn/class_codes.h"

namespace gs::apps {

latent::Network generator_network(const std::shared_ptr<nn::Sequential>& generator, Device device);
latent::Network classifier_network(const std::shared_ptr<MnistClassifier>& classifier, Device device);

}  // namespace gs::apps
