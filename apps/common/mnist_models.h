// The models of the MNIST apps (mnist_gan, mnist_classifier, gan_eval, latent).
//
// The DCGAN is the lecture's (and shared/yardstick/models.py's) exactly:
//   G: z(100) -> Linear(100, 4*4*512) -> 512x4x4 -> BN -> LReLU(0.2)
//      -> ConvT(512->256, k4, s1, valid) [4->7] -> BN -> LReLU
//      -> ConvT(256->128, k5, s2, same) [7->14] -> BN -> LReLU
//      -> ConvT(128->1, k5, s2, same) [14->28] -> tanh
//   D: Conv(1->64, k5, s2, same) -> LReLU -> Conv(64->128, k5, s2, same) -> BN -> LReLU
//      -> Conv(128->256, k5, s2, same) -> BN -> LReLU -> flatten -> Linear(4096, 1) logit
#pragma once
#include <memory>

#include "nn/nn.h"

namespace gs::apps {

constexpr int64_t kLatentSize = 100;

std::shared_ptr<nn::Sequential> make_dcgan_generator(Generator& gen);
std::shared_ptr<nn::Sequential> make_dcgan_discriminator(Generator& gen);

// DCGAN initialisation (Radford et al. 2016): every weight matrix or kernel
// from N(0, 0.02), every bias 0; batch norm keeps gamma = 1, beta = 0.
void dcgan_init(nn::Module& model, Generator& gen);

// The evaluator for the GAN metrics: a small CNN (about 99.3% on MNIST's test
// set after 3 epochs). features() is its 128-d penultimate layer, the space
// in which "FID in classifier space" is measured.
class MnistClassifier : public nn::Module {
 public:
  explicit MnistClassifier(Generator& gen);
  Tensor features(const Tensor& images);  // [N, 1, 28, 28] in [-1, 1] -> [N, 128]
  Tensor logits(const Tensor& features);  // [N, 128] -> class logits [N, 10]
  Tensor forward(const Tensor& images) override;  // logits(features(images))
  std::string type_name() const override { return "MnistClassifier"; }

 private:
  std::shared_ptr<nn::Sequential> body_, head_;
};

}  // namespace gs::apps
