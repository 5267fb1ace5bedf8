#include "apps/common/mnist_models.h"

namespace gs::apps {

using F::Padding;
using nn::Conv2dOptions;
using nn::ConvTranspose2dOptions;

namespace {

// G's normalisation layer: batch norm, or virtual batch norm against its reference batch.
std::shared_ptr<nn::Module> normalisation(int64_t channels, const DcganOptions& options) {
  if (options.virtual_batch_norm > 0)
    return std::make_shared<nn::VirtualBatchNorm>(channels, options.virtual_batch_norm, 4);
  return std::make_shared<nn::BatchNorm2d>(channels);
}

int64_t metadata_number(const std::map<std::string, std::string>& metadata, const std::string& key,
                        const std::string& source) {
  auto found = metadata.find(key);
  if (found == metadata.end()) return 0;  // written before the option existed: off
  try {
    size_t used = 0;
    const long long value = std::stoll(found->second, &used);
    if (used == found->second.size() && value >= 0) return value;
  } catch (const std::exception&) {
  }
  fail(source, ": its metadata '", key, "' is '", found->second, "', not a count");
}

}  // namespace

std::map<std::string, std::string> DcganOptions::metadata() const {
  return {{"generator.virtual_batch_norm", std::to_string(virtual_batch_norm)},
          {"discriminator.minibatch_kernels", std::to_string(minibatch_kernels)},
          {"discriminator.minibatch_kernel_dims", std::to_string(minibatch_kernel_dims)},
          {"discriminator.spectral_norm", spectral_norm ? "1" : "0"}};
}

DcganOptions DcganOptions::from_metadata(const std::map<std::string, std::string>& metadata,
                                         const std::string& source) {
  DcganOptions options;
  options.virtual_batch_norm = metadata_number(metadata, "generator.virtual_batch_norm", source);
  options.minibatch_kernels = metadata_number(metadata, "discriminator.minibatch_kernels", source);
  if (metadata.count("discriminator.minibatch_kernel_dims"))
    options.minibatch_kernel_dims = metadata_number(metadata, "discriminator.minibatch_kernel_dims", source);
  options.spectral_norm = metadata_number(metadata, "discriminator.spectral_norm", source) > 0;
  return options;
}

std::string DcganOptions::describe() const {
  std::string words;
  if (virtual_batch_norm > 0) words = "virtual batch norm in G (reference batch " + std::to_string(virtual_batch_norm) + ")";
  if (minibatch_kernels > 0)
    words += (words.empty() ? "" : ", ") + std::string("minibatch discrimination in D (") +
             std::to_string(minibatch_kernels) + " kernels x " + std::to_string(minibatch_kernel_dims) + ")";
  if (spectral_norm) words += (words.empty() ? "" : ", ") + std::string("spectral norm in D");
  return words.empty() ? "the lecture's DCGAN" : words;
}

std::shared_ptr<nn::Sequential> make_dcgan_generator(Generator& gen, const DcganOptions& options) {
  auto generator = std::make_shared<nn::Sequential>();
  if (options.virtual_batch_norm > 0)
    generator->push_back(nn::PrependReference(randn({options.virtual_batch_norm, kLatentSize}, gen)));
  generator->push_back(nn::Linear(kLatentSize, 4 * 4 * 512, gen));
  generator->push_back(nn::Reshape({512, 4, 4}));
  generator->push_back(normalisation(512, options));
  generator->push_back(nn::LeakyReLU(0.2));
  generator->push_back(nn::ConvTranspose2d(ConvTranspose2dOptions(512, 256, 4), gen));  // 'valid', stride 1: 4 -> 7
  generator->push_back(normalisation(256, options));
  generator->push_back(nn::LeakyReLU(0.2));
  generator->push_back(  // 7 -> 14
      nn::ConvTranspose2d(ConvTranspose2dOptions(256, 128, 5).stride(2).padding(Padding::same()), gen));
  generator->push_back(normalisation(128, options));
  generator->push_back(nn::LeakyReLU(0.2));
  generator->push_back(  // 14 -> 28
      nn::ConvTranspose2d(ConvTranspose2dOptions(128, 1, 5).stride(2).padding(Padding::same()), gen));
  generator->push_back(nn::Tanh());
  if (options.virtual_batch_norm > 0) generator->push_back(nn::DropReference(options.virtual_batch_norm));
  return generator;
}

std::shared_ptr<nn::Sequential> make_dcgan_discriminator(Generator& gen, const DcganOptions& options) {
  // A weight layer of D, spectrally normalised when asked.
  auto weighted = [&](auto layer) -> std::shared_ptr<nn::Module> {
    if (options.spectral_norm) return std::make_shared<nn::SpectralNorm>(std::move(layer), gen);
    return std::make_shared<decltype(layer)>(std::move(layer));
  };
  auto conv = [&](int64_t in, int64_t out) {  // k5, s2, 'same': halves the picture
    return weighted(nn::Conv2d(Conv2dOptions(in, out, 5).stride(2).padding(Padding::same()), gen));
  };
  auto discriminator = std::make_shared<nn::Sequential>(
      conv(1, 64), nn::LeakyReLU(0.2),                             // 28 -> 14
      conv(64, 128), nn::BatchNorm2d(128), nn::LeakyReLU(0.2),     // -> 7
      conv(128, 256), nn::BatchNorm2d(256), nn::LeakyReLU(0.2),    // -> 4
      nn::Flatten());
  int64_t features = 256 * 4 * 4;
  if (options.minibatch_kernels > 0) {
    nn::MinibatchDiscrimination minibatch(features, options.minibatch_kernels, options.minibatch_kernel_dims, gen);
    features = minibatch.out_features();
    discriminator->push_back(std::move(minibatch));
  }
  discriminator->push_back(weighted(nn::Linear(features, 1, gen)));
  return discriminator;
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
