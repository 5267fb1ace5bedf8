#include "apps/ssl/ssl_models.h"

namespace gs::apps {
namespace {

using nn::Sequential;
using Layer = std::shared_ptr<nn::Module>;

// A transposed convolution with a weight-normalised kernel: w = g v / ||v||,
// one length per output channel. The kernel is [Cin, Cout, kH, kW], so the
// norm runs over dims 0, 2, 3: weight_norm on the [Cout, Cin, ...] view.
class WeightNormConvTranspose2d : public nn::Module {
 public:
  WeightNormConvTranspose2d(nn::ConvTranspose2dOptions options, Generator& gen) : options_(options) {
    const F::Pair kernel = options.kernel_size();
    weight_v = register_parameter(
        "weight_v", normal({options.in_channels(), options.out_channels(), kernel.h, kernel.w}, 0.0, 0.05, gen));
    weight_g = register_parameter("weight_g", ones({options.out_channels()}));
    bias = register_parameter("bias", zeros({options.out_channels()}));
  }
  Tensor weight() const { return nn::weight_norm(weight_v.transpose(0, 1), weight_g).transpose(0, 1); }
  Tensor forward(const Tensor& input) override { return transposed_conv(input, bias); }
  std::string type_name() const override { return "WeightNormConvTranspose2d"; }
  // g = init_scale / std, b = -mean g per channel on this batch (as WeightNormConv2d).
  Tensor initialize_from_batch(const Tensor& input, double init_scale) {
    NoGradGuard no_grad;
    weight_g.fill_(1.0);
    const Tensor pre_activation = transposed_conv(input, Tensor());
    const Tensor scale = init_scale / sqrt(var(pre_activation, {0, 2, 3}, false) + 1e-10);
    weight_g.copy_(scale);
    bias.copy_(-mean(pre_activation, {0, 2, 3}) * scale);
    return forward(input);
  }
  Tensor weight_v, weight_g, bias;

 private:
  Tensor transposed_conv(const Tensor& input, const Tensor& with_bias) const {
    return F::conv_transpose2d(input, weight(), with_bias, options_.stride(), options_.padding(),
                               options_.output_padding(), options_.dilation());
  }
  nn::ConvTranspose2dOptions options_;
};

// Runs `layers` on `input`, initialising every weight-normalised layer from
// what reaches it (so each sees the statistics of the already-initialised
// layers below it). `init_scale` is the g of a unit-variance output.
Tensor initialize_layers(Sequential& layers, Tensor input, double init_scale) {
  NoGradGuard no_grad;
  for (size_t i = 0; i < layers.size(); ++i) {
    const Layer layer = layers[i];
    if (auto linear = std::dynamic_pointer_cast<nn::WeightNormLinear>(layer))
      input = linear->initialize_from_batch(input, init_scale);
    else if (auto conv = std::dynamic_pointer_cast<nn::WeightNormConv2d>(layer))
      input = conv->initialize_from_batch(input, init_scale);
    else if (auto transposed = std::dynamic_pointer_cast<WeightNormConvTranspose2d>(layer))
      input = transposed->initialize_from_batch(input, init_scale);
    else
      input = layer->forward(input);
  }
  return input;
}

// Batch norm with beta only (the original code's batch_norm(..., g=None)): gamma stays 1.
std::shared_ptr<nn::BatchNorm> shift_only_batch_norm(std::shared_ptr<nn::BatchNorm> layer) {
  layer->weight.requires_grad_(false);
  return layer;
}

// The start of a discriminator's head: a minibatch discrimination layer on
// its `features` inputs when `kernels` > 0. Returns the features after it.
struct MinibatchLayer {
  int64_t kernels = 0, kernel_dims = 5;
  int64_t add_to(Sequential& head, int64_t features, Generator& init) const {
    if (kernels == 0) return features;
    head.push_back(std::make_shared<nn::MinibatchDiscrimination>(features, kernels, kernel_dims, init));
    return features + kernels;
  }
};

// body(images) = features, head(features) = class logits.
class SequentialDiscriminator : public SslDiscriminator {
 public:
  SequentialDiscriminator(std::shared_ptr<Sequential> body, std::shared_ptr<Sequential> head, double head_init_scale)
      : body_(register_module("body", std::move(body))),
        head_(register_module("head", std::move(head))),
        head_init_scale_(head_init_scale) {}
  Output classify(const Tensor& images) override {
    Output out;
    out.features = body_->forward(images);
    out.logits = head_->forward(out.features);
    return out;
  }
  void initialize_from_batch(const Tensor& images) override {
    initialize_layers(*head_, initialize_layers(*body_, images, 1.0), head_init_scale_);
  }
  std::string type_name() const override { return "SslDiscriminator"; }

 private:
  std::shared_ptr<Sequential> body_, head_;
  double head_init_scale_;
};

class SequentialGenerator : public SslGenerator {
 public:
  SequentialGenerator(std::shared_ptr<Sequential> body, double init_scale)
      : body_(register_module("body", std::move(body))), init_scale_(init_scale) {}
  Tensor forward(const Tensor& z) override { return body_->forward(z); }
  void initialize_from_batch(const Tensor& z) override {
    if (init_scale_ > 0) initialize_layers(*body_, z, init_scale_);
  }
  std::string type_name() const override { return "SslGenerator"; }

 private:
  std::shared_ptr<Sequential> body_;
  double init_scale_;
};

std::shared_ptr<SslDiscriminator> mnist_mlp_discriminator(Generator& init, Generator& noise,
                                                          const MinibatchLayer& minibatch) {
  auto body = std::make_shared<Sequential>(nn::Flatten(), nn::GaussianNoise(0.3, noise));
  const int64_t sizes[] = {784, 1000, 500, 250, 250, 250};
  for (int i = 0; i + 1 < 6; ++i) {
    auto layer = std::make_shared<nn::WeightNormLinear>(sizes[i], sizes[i + 1], init);
    nn::init::normal_(layer->weight_v, 0.0, 0.1, init);
    layer->weight_g.requires_grad_(false);  // set by the initialisation, then fixed (train_scale=False)
    body->push_back(layer);
    body->push_back(nn::ReLU());
    if (i + 2 < 6) body->push_back(nn::GaussianNoise(0.5, noise));
  }
  auto head = std::make_shared<Sequential>(nn::GaussianNoise(0.5, noise));
  auto output = std::make_shared<nn::WeightNormLinear>(minibatch.add_to(*head, 250, init), kSslClasses, init);
  nn::init::normal_(output->weight_v, 0.0, 0.1, init);
  head->push_back(output);
  return std::make_shared<SequentialDiscriminator>(body, head, 1.0);
}

std::shared_ptr<SslGenerator> mnist_mlp_generator(Generator& init) {
  auto body = std::make_shared<Sequential>();
  auto hidden1 = std::make_shared<nn::Linear>(nn::LinearOptions(kSslLatentSize, 500).bias(false), init);
  auto hidden2 = std::make_shared<nn::Linear>(nn::LinearOptions(500, 500).bias(false), init);
  auto output = std::make_shared<nn::WeightNormLinear>(500, 784, init);
  for (Tensor* weight : {&hidden1->weight, &hidden2->weight, &output->weight_v})
    nn::init::xavier_uniform_(*weight, 1.0, init);  // Lasagne's default, which the original keeps here
  body->push_back(hidden1);
  body->push_back(shift_only_batch_norm(std::make_shared<nn::BatchNorm1d>(nn::BatchNormOptions(500).eps(1e-6))));
  body->push_back(nn::Softplus());
  body->push_back(hidden2);
  body->push_back(shift_only_batch_norm(std::make_shared<nn::BatchNorm1d>(nn::BatchNormOptions(500).eps(1e-6))));
  body->push_back(nn::Softplus());
  body->push_back(output);  // g = 1, trained
  body->push_back(nn::Sigmoid());
  body->push_back(nn::Reshape({1, 28, 28}));
  return std::make_shared<SequentialGenerator>(body, 0.0);  // 0: no data-dependent init (l2normalize)
}

std::shared_ptr<SslDiscriminator> svhn_blog_discriminator(Generator& init, Generator& noise,
                                                          const MinibatchLayer& minibatch) {
  const F::Padding same = F::Padding::same();
  auto conv = [&](int64_t in, int64_t out, int64_t stride) {
    return nn::Conv2d(nn::Conv2dOptions(in, out, 3).stride(stride).padding(same), init);
  };
  auto body = std::make_shared<Sequential>(
      nn::Dropout(0.2, noise), conv(3, 64, 2), nn::LeakyReLU(0.2), nn::Dropout(0.5, noise),
      conv(64, 64, 2), nn::BatchNorm2d(64), nn::LeakyReLU(0.2),
      conv(64, 64, 2), nn::BatchNorm2d(64), nn::LeakyReLU(0.2), nn::Dropout(0.5, noise),
      conv(64, 128, 1), nn::BatchNorm2d(128), nn::LeakyReLU(0.2),
      conv(128, 128, 1), nn::BatchNorm2d(128), nn::LeakyReLU(0.2),
      conv(128, 128, 2), nn::BatchNorm2d(128), nn::LeakyReLU(0.2), nn::Dropout(0.5, noise),
      conv(128, 128, 1), nn::LeakyReLU(0.2), nn::GlobalAvgPool2d());
  auto head = std::make_shared<Sequential>();
  head->push_back(nn::Linear(minibatch.add_to(*head, 128, init), kSslClasses, init));
  return std::make_shared<SequentialDiscriminator>(body, head, 1.0);
}

std::shared_ptr<SslGenerator> svhn_blog_generator(Generator& init) {
  const F::Padding same = F::Padding::same();
  auto up = [&](int64_t in, int64_t out) {
    return nn::ConvTranspose2d(nn::ConvTranspose2dOptions(in, out, 5).stride(2).padding(same), init);
  };
  auto body = std::make_shared<Sequential>(
      nn::Linear(kSslLatentSize, 4 * 4 * 512, init), nn::Reshape({512, 4, 4}), nn::BatchNorm2d(512),
      nn::LeakyReLU(0.2), up(512, 256), nn::BatchNorm2d(256), nn::LeakyReLU(0.2), up(256, 128),
      nn::BatchNorm2d(128), nn::LeakyReLU(0.2), up(128, 3), nn::Tanh());
  return std::make_shared<SequentialGenerator>(body, 0.0);
}

// svhn-paper (narrow = 64, wide = 128) and cifar-paper (96, 192).
std::shared_ptr<SslDiscriminator> paper_conv_discriminator(int64_t narrow, int64_t wide, Generator& init,
                                                           Generator& noise, const MinibatchLayer& minibatch) {
  const F::Padding pad1 = F::Padding::symmetric(1), none = F::Padding::valid();
  auto body = std::make_shared<Sequential>(nn::Dropout(0.2, noise));
  auto add = [&](int64_t in, int64_t out, int64_t kernel, int64_t stride, F::Padding padding) {
    auto layer = std::make_shared<nn::WeightNormConv2d>(
        nn::Conv2dOptions(in, out, kernel).stride(stride).padding(padding), init);
    layer->weight_g.requires_grad_(false);  // set by the initialisation, then fixed (train_g=False)
    body->push_back(layer);
    body->push_back(nn::LeakyReLU(0.2));
  };
  add(3, narrow, 3, 1, pad1);
  add(narrow, narrow, 3, 1, pad1);
  add(narrow, narrow, 3, 2, pad1);  // 32 -> 16
  body->push_back(nn::Dropout(0.5, noise));
  add(narrow, wide, 3, 1, pad1);
  add(wide, wide, 3, 1, pad1);
  add(wide, wide, 3, 2, pad1);  // 16 -> 8
  body->push_back(nn::Dropout(0.5, noise));
  add(wide, wide, 3, 1, none);  // 8 -> 6
  add(wide, wide, 1, 1, none);  // the original's NIN layers: 1x1 convolutions
  add(wide, wide, 1, 1, none);
  body->push_back(nn::GlobalAvgPool2d());
  auto head = std::make_shared<Sequential>();
  head->push_back(nn::WeightNormLinear(minibatch.add_to(*head, wide, init), kSslClasses, init));
  return std::make_shared<SequentialDiscriminator>(body, head, 0.1);  // the original's init_stdv=0.1
}

std::shared_ptr<SslGenerator> paper_conv_generator(Generator& init) {
  const F::Padding same = F::Padding::same();
  auto normal_005 = [&](Tensor& weight) { nn::init::normal_(weight, 0.0, 0.05, init); };  // the original's W
  auto up = [&](int64_t in, int64_t out) {
    return std::make_shared<nn::ConvTranspose2d>(
        nn::ConvTranspose2dOptions(in, out, 5).stride(2).padding(same).bias(false), init);
  };
  auto project = std::make_shared<nn::Linear>(nn::LinearOptions(kSslLatentSize, 4 * 4 * 512).bias(false), init);
  auto up1 = up(512, 256), up2 = up(256, 128);
  normal_005(project->weight);
  normal_005(up1->weight);
  normal_005(up2->weight);
  auto body = std::make_shared<Sequential>();
  body->push_back(project);
  body->push_back(nn::Reshape({512, 4, 4}));
  body->push_back(shift_only_batch_norm(std::make_shared<nn::BatchNorm2d>(nn::BatchNormOptions(512).eps(1e-6))));
  body->push_back(nn::ReLU());
  body->push_back(up1);
  body->push_back(shift_only_batch_norm(std::make_shared<nn::BatchNorm2d>(nn::BatchNormOptions(256).eps(1e-6))));
  body->push_back(nn::ReLU());
  body->push_back(up2);
  body->push_back(shift_only_batch_norm(std::make_shared<nn::BatchNorm2d>(nn::BatchNormOptions(128).eps(1e-6))));
  body->push_back(nn::ReLU());
  body->push_back(WeightNormConvTranspose2d(nn::ConvTranspose2dOptions(128, 3, 5).stride(2).padding(same), init));
  body->push_back(nn::Tanh());
  return std::make_shared<SequentialGenerator>(body, 0.1);
}

}  // namespace

std::vector<Tensor> trainable_parameters(const nn::Module& model) {
  std::vector<Tensor> trained;
  for (const Tensor& parameter : model.parameters())
    if (parameter.requires_grad()) trained.push_back(parameter);
  return trained;
}

SslArchitecture ssl_architecture(const std::string& name) {
  SslArchitecture arch;
  arch.name = name;
  if (name == "mnist-mlp") {  // train_mnist_feature_matching: lr 3e-3 constant, 300 epochs
    arch.image_shape = {1, 28, 28};
    arch.range = data::PixelRange::kZeroToOne;
    arch.learning_rate = 3e-3;
    arch.squared_feature_matching = true;
    return arch;
  }
  if (name == "svhn-blog") {  // the blog post: z in [-1, 1], batch 128, weight 1 on the GAN loss
    arch.image_shape = {3, 32, 32};
    arch.latent_low = -1.0;
    arch.batch_size = 128;
    arch.epochs = 25;
    arch.lr_decay_fraction = 1.0 / 3.0;
    arch.unsupervised_weight = 1.0;
    arch.discriminator_has_batch_norm = true;
    return arch;
  }
  if (name == "svhn-paper" || name == "cifar-paper") {  // 900 (1200) epochs, the last third decaying
    arch.image_shape = {3, 32, 32};
    arch.epochs = name == "svhn-paper" ? 900 : 1200;
    arch.lr_decay_fraction = 1.0 / 3.0;
    return arch;
  }
  fail("unknown --arch '", name, "' (expected mnist-mlp, svhn-blog, svhn-paper or cifar-paper)");
}

std::shared_ptr<SslDiscriminator> make_ssl_discriminator(const std::string& arch, Generator& init, Generator& noise,
                                                         int64_t minibatch_kernels, int64_t minibatch_kernel_dims) {
  check(minibatch_kernels >= 0 && minibatch_kernel_dims >= 1, "make_ssl_discriminator: minibatch discrimination needs ",
        "kernels >= 0 and dims >= 1, got ", minibatch_kernels, " x ", minibatch_kernel_dims);
  const MinibatchLayer minibatch{minibatch_kernels, minibatch_kernel_dims};
  if (arch == "mnist-mlp") return mnist_mlp_discriminator(init, noise, minibatch);
  if (arch == "svhn-blog") return svhn_blog_discriminator(init, noise, minibatch);
  if (arch == "svhn-paper") return paper_conv_discriminator(64, 128, init, noise, minibatch);
  if (arch == "cifar-paper") return paper_conv_discriminator(96, 192, init, noise, minibatch);
  fail("unknown --arch '", arch, "' (expected mnist-mlp, svhn-blog, svhn-paper or cifar-paper)");
}

std::shared_ptr<SslGenerator> make_ssl_generator(const std::string& arch, Generator& init) {
  if (arch == "mnist-mlp") return mnist_mlp_generator(init);
  if (arch == "svhn-blog") return svhn_blog_generator(init);
  if (arch == "svhn-paper" || arch == "cifar-paper") return paper_conv_generator(init);
  fail("unknown --arch '", arch, "' (expected mnist-mlp, svhn-blog, svhn-paper or cifar-paper)");
}

}  // namespace gs::apps
