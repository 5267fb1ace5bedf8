#include "apps/common/mnist_models.h"

namespace gs::apps {

using F::Padding;
using nn::Conv2dOptions;
using nn::ConvTranspose2dOptions;

std::shared_ptr<nn::Sequential> make_dcgan_generator(Generator& gen) {
  return std::make_shared<nn::Sequential>(
      nn::Linear(kLatentSize, 4 * 4 * 512, gen), nn::Reshape({512, 4, 4}), nn::BatchNorm2d(512), nn::LeakyReLU(0.2),
      nn::ConvTranspose2d(ConvTranspose2dOptions(512, 256, 4), gen),  // 'valid', stride 1: 4 -> 7
      nn::BatchNorm2d(256), nn::LeakyReLU(0.2),
      nn::ConvTranspose2d(ConvTranspose2dOptions(256, 128, 5).stride(2).padding(Padding::same()), gen),  // 7 -> 14
      nn::BatchNorm2d(128), nn::LeakyReLU(0.2),
      nn::ConvTranspose2d(ConvTranspose2dOptions(128, 1, 5).stride(2).padding(Padding::same()), gen),  // 14 -> 28
      nn::Tanh());
}

std::shared_ptr<nn::Sequential> make_dcgan_discriminator(Generator& gen) {
  return std::make_shared<nn::Sequential>(
      nn::Conv2d(Conv2dOptions(1, 64, 5).stride(2).padding(Padding::same()), gen), nn::LeakyReLU(0.2),  // 28 -> 14
      nn::Conv2d(Conv2dOptions(64, 128, 5).stride(2).padding(Padding::same()), gen), nn::BatchNorm2d(128),  // -> 7
      nn::LeakyReLU(0.2),
      nn::Conv2d(Conv2dOptions(128, 256, 5).stride(2).padding(Padding::same()), gen), nn::BatchNorm2d(256),  // -> 4
      nn::LeakyReLU(0.2), nn::Flatten(), nn::Linear(256 * 4 * 4, 1, gen));
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
  auto conv = [&](int64_t in, int64_t out, int64_t stride) {
    return nn::Conv2d(Conv2dOptions(in, out, 3).stride(stride).padding(Padding::same()), gen);
  };
  body_ = register_module("body", std::make_shared<nn::Sequential>(
      conv(1, 32, 1), nn::BatchNorm2d(32), nn::ReLU(),
      conv(32, 32, 2), nn::BatchNorm2d(32), nn::ReLU(),    // 28 -> 14
      conv(32, 64, 1), nn::BatchNorm2d(64), nn::ReLU(),
      conv(64, 64, 2), nn::BatchNorm2d(64), nn::ReLU(),    // 14 -> 7
      nn::Flatten(), nn::Linear(64 * 7 * 7, 128, gen), nn::ReLU()));
  head_ = register_module("head", std::make_shared<nn::Sequential>(nn::Dropout(0.3, gen), nn::Linear(128, 10, gen)));
}

Tensor MnistClassifier::features(const Tensor& images) { return body_->forward(images); }
Tensor MnistClassifier::logits(const Tensor& features) { return head_->forward(features); }
Tensor MnistClassifier::forward(const Tensor& images) { return logits(features(images)); }

}  // namespace gs::apps
