#include "apps/latent/networks.h"

namespace gs::apps {

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
