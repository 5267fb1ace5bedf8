// The models of the MNIST apps (mnist_gan, mnist_classifier, gan_eval, latent).
//
// The DCGAN is the lecture's (and shared/yardstick/models.py's) exactly:
//   G: z(100) -> Linear(100, 4*4*512) -> 512x4x4 -> BN -> LReLU(0.2)
//      -> ConvT(512->256, k4, s1, valid) [4->7] -> BN -> LReLU
//      -> ConvT(256->128, k5, s2, same) [7->14] -> BN -> LReLU
//      -> ConvT(128->1, k5, s2, same) [14->28] -> tanh
//   D: Conv(1->64, k5, s2, same) -> LReLU -> Conv(64->128, k5, s2, same) -> BN -> LReLU
//      -> Conv(128->256, k5, s2, same) -> BN -> LReLU -> flatten -> Linear(4096, 1) logit
//
// Salimans et al.'s techniques switch in with DcganOptions, in the same code:
// virtual batch norm replaces G's batch norm (the reference batch's codes are
// drawn from `gen` and kept in G's state), minibatch discrimination goes
// between D's flatten and its last Linear (which then reads 4096 + B features),
// spectral normalisation wraps D's convolutions and last Linear.
#pragma once
#include <map>
#include <memory>
#include <string>

#include "nn/nn.h"

namespace gs::apps {

constexpr int64_t kLatentSize = 100;

struct DcganOptions {
  int64_t virtual_batch_norm = 0;      // G: the reference batch's size R (0: batch norm)
  int64_t minibatch_kernels = 0;       // D: minibatch discrimination's B (0: off)
  int64_t minibatch_kernel_dims = 5;   // its C
  bool spectral_norm = false;          // D: every Conv2d and the last Linear spectrally normalised
  // What a checkpoint records, so that gan_eval and latent rebuild the same G.
  std::map<std::string, std::string> metadata() const;
  static DcganOptions from_metadata(const std::map<std::string, std::string>& metadata, const std::string& source);
  std::string describe() const;  // e.g. "virtual batch norm (reference 64), minibatch discrimination (100 x 5)"
};

std::shared_ptr<nn::Sequential> make_dcgan_generator(Generator& gen, const DcganOptions& options = {});
std::shared_ptr<nn::Sequential> make_dcgan_discriminator(Generator& gen, const DcganOptions& options = {});

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
