#include "apps/common/mnist_models.h"

namespace gs::apps {

using F::Padding;

std::shared_ptr<nn::Sequential> make_dcgan_generator(Generator& gen) {
  return std::make_shared<nn::Sequential>(
      nn::Linear(kLatentSize, 4 * 4 * 512, true, gen), nn::Reshape({512, 4, 4}), nn::BatchNorm2d(512),
      nn::LeakyReLU(0.2),
      nn::ConvTranspose2d(512, 256, 4, 1, Padding::valid(), 0, 1, true, gen), nn::BatchNorm2d(256), nn::LeakyReLU(0.2),
      nn::ConvTranspose2d(256, 128, 5, 2, Padding::same(), 0, 1, true, gen), nn::BatchNorm2d(128), nn::LeakyReLU(0.2),
      nn::ConvTranspose2d(128, 1, 5, 2, Padding::same(), 0, 1, true, gen), nn::Tanh());
}

std::shared_ptr<nn::Sequential> make_dcgan_discriminator(Generator& gen) {
  return std::make_shared<nn::Sequential>(
      nn::Conv2d(1, 64, 5, 2, Padding::same(), 1, true, gen), nn::LeakyReLU(0.2),
      nn::Conv2d(64, 128, 5, 2, Padding::same(), 1, true, gen), nn::BatchNorm2d(128), nn::LeakyReLU(0.2),
      nn::Conv2d(128, 256, 5, 2, Padding::same(), 1, true, gen), nn::BatchNorm2d(256), nn::LeakyReLU(0.2),
      nn::Flatten(), nn::Linear(256 * 4 * 4, 1, true, gen));
}

void dcgan_init(nn::Module& model, Generator& gen) {
  NoGradGuard no_grad;
  for (auto& [name, parameter] : model.named_parameters()) {
    if (parameter.dim() >= 2) {
      nn::init::dcgan_normal_(parameter, gen);
    } else if (name.size() >= 5 && name.compare(name.size() - 5, 5, ".bias") == 0) {
      parameter.zero_();
    }
  }
}

MnistClassifier::MnistClassifier(Generator& gen) {
  body_ = register_module("body", std::make_shared<nn::Sequential>(
      nn::Conv2d(1, 32, 3, 1, Padding::same(), 1, true, gen), nn::BatchNorm2d(32), nn::ReLU(),
      nn::Conv2d(32, 32, 3, 2, Padding::same(), 1, true, gen), nn::BatchNorm2d(32), nn::ReLU(),    // 28 -> 14
      nn::Conv2d(32, 64, 3, 1, Padding::same(), 1, true, gen), nn::BatchNorm2d(64), nn::ReLU(),
      nn::Conv2d(64, 64, 3, 2, Padding::same(), 1, true, gen), nn::BatchNorm2d(64), nn::ReLU(),    // 14 -> 7
      nn::Flatten(), nn::Linear(64 * 7 * 7, 128, true, gen), nn::ReLU()));
  head_ = register_module("head", std::make_shared<nn::Sequential>(nn::Dropout(0.3, gen), nn::Linear(128, 10, true, gen)));
}

Tensor MnistClassifier::features(const Tensor& images) { return body_->forward(images); }
Tensor MnistClassifier::logits(const Tensor& features) { return head_->forward(features); }
Tensor MnistClassifier::forward(const Tensor& images) { return logits(features(images)); }

}  // namespace gs::apps
