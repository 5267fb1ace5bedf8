// The semi-supervised GANs' models (--arch), each a generator and a
// discriminator whose K = 10 outputs are class logits (the fake class's logit
// is fixed at 0, see nn/semi_supervised_losses.h).
//
// mnist-mlp   Salimans et al. 2016, openai/improved-gan train_mnist_feature_matching:
//   D: noise(0.3) -> WN-Linear 1000 -> ReLU -> noise(0.5) -> 500 -> 250 -> 250 -> 250
//      (each WN-Linear -> ReLU -> noise(0.5)) -> WN-Linear 10. The hidden layers'
//      lengths g are set by the data-dependent initialisation and then kept
//      fixed (the original's train_scale=False); the output layer's g trains.
//      Directions v ~ N(0, 0.1) as the original's theta (with Adam the scale of
//      v sets how far one step turns it). Features for feature matching: the
//      last hidden ReLU, before its noise (the original's layers[-3]).
//   G: z ~ U[0,1)^100 -> Linear 500 (no bias) -> BN (beta only) -> softplus
//      -> Linear 500 -> BN -> softplus -> WN-Linear 784 (g = 1 trained, no
//      data-dependent init: the original's l2normalize) -> sigmoid. Images in [0, 1].
// svhn-blog   the blog post's (Udacity's) TensorFlow model, 32x32x3 in [-1, 1]:
//   G: z ~ U[-1,1)^100 -> Linear 4*4*512 -> BN -> LReLU(0.2) -> ConvT 256, 128, 3
//      (k5, s2, same; BN + LReLU between) -> tanh.
//   D: Dropout(0.2) -> Conv 64 k3 s2 -> LReLU -> Dropout(0.5) -> Conv 64 s2 -> BN -> LReLU
//      -> Conv 64 s2 -> BN -> LReLU -> Dropout -> Conv 128 s1 -> BN -> LReLU -> Conv 128 s1
//      -> BN -> LReLU -> Conv 128 s2 -> BN -> LReLU -> Dropout -> Conv 128 s1 -> LReLU
//      -> global average pool (features) -> Linear 10. All convolutions 'same'
//      (a 'valid' 3x3 on the last 2x2 map is impossible).
// svhn-paper  improved-gan train_svhn_feature_matching, 32x32x3 in [-1, 1]:
//   D: Dropout(0.2) -> WN-Conv 64 k3 p1 x2 -> WN-Conv 64 k3 s2 -> Dropout(0.5)
//      -> WN-Conv 128 k3 p1 x2 -> WN-Conv 128 k3 s2 -> Dropout(0.5) -> WN-Conv 128 k3 valid
//      -> WN-Conv 128 1x1 x2 -> global average pool (features) -> WN-Linear 10; LReLU(0.2).
//      Convolution lengths g fixed after the data-dependent init; the output
//      layer's g trains, initialised to a standard deviation of 0.1.
//   G: z ~ U[0,1)^100 -> Linear 4*4*512 -> BN -> ReLU -> ConvT 256 -> BN -> ReLU
//      -> ConvT 128 -> BN -> ReLU -> WN-ConvT 3 -> tanh (k5, s2, same).
// cifar-paper improved-gan train_cifar_feature_matching: svhn-paper with 96 and
//   192 channels instead of 64 and 128, for CIFAR-10.
// With minibatch kernels B > 0 (the paper's sample-quality models, section 3.2
// and 5), every D gets a minibatch discrimination layer between its features
// and its last layer: features [N, F] -> [N, F + B] -> 10 logits.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "data/pixel_range.h"
#include "nn/nn.h"

namespace gs::apps {

constexpr int64_t kSslLatentSize = 100;
constexpr int64_t kSslClasses = 10;

// A discriminator that is also the classifier.
class SslDiscriminator : public nn::Module {
 public:
  struct Output {
    Tensor logits;    // [N, 10] class logits
    Tensor features;  // [N, F] the layer the generator's feature matching compares
  };
  virtual Output classify(const Tensor& images) = 0;
  Tensor forward(const Tensor& images) override { return classify(images).logits; }
  // Data-dependent initialisation of the weight-normalised layers (Salimans &
  // Kingma 2016) from one batch; nothing for models without them.
  virtual void initialize_from_batch(const Tensor& images) { (void)images; }
};

class SslGenerator : public nn::Module {
 public:
  // Data-dependent initialisation of a weight-normalised output layer from a batch of z.
  virtual void initialize_from_batch(const Tensor& z) { (void)z; }
};

// The parameters the optimizer trains (and Polyak averages): those that
// require grad (the original code keeps some lengths g and gammas fixed).
std::vector<Tensor> trainable_parameters(const nn::Module& model);

// The recipe of one --arch: the data it takes and its training settings.
struct SslArchitecture {
  std::string name;
  std::vector<int64_t> image_shape;  // [C, H, W]
  data::PixelRange range = data::PixelRange::kMinusOneToOne;
  double latent_low = 0, latent_high = 1;  // z ~ U[low, high)^100
  int64_t batch_size = 100;
  double learning_rate = 3e-4;
  int64_t epochs = 300;               // the original's training length
  double lr_decay_fraction = 0;       // lr falls linearly to 0 over this last part of the epochs
  bool squared_feature_matching = false;   // the paper's MNIST model; the others use |.|
  double unsupervised_weight = 0.5;   // the paper's code: 0.5 (-log D(x) - log(1 - D(G(z)))); the blog: 1
  bool discriminator_has_batch_norm = false;  // then each source goes through D as its own batch
};

// mnist-mlp, svhn-blog, svhn-paper, cifar-paper; gs::Error for other names.
SslArchitecture ssl_architecture(const std::string& name);

// `init` draws the initial weights; `noise` drives the discriminator's
// Gaussian noise and dropout during training; minibatch_kernels x
// minibatch_kernel_dims is the minibatch discrimination layer (0 kernels: none).
std::shared_ptr<SslDiscriminator> make_ssl_discriminator(const std::string& arch, Generator& init, Generator& noise,
                                                         int64_t minibatch_kernels = 0, int64_t minibatch_kernel_dims = 5);
std::shared_ptr<SslGenerator> make_ssl_generator(const std::string& arch, Generator& init);

}  // namespace gs::apps
