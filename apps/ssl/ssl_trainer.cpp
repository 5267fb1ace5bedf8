#include "apps/ssl/ssl_trainer.h"

#include "apps/common/run_state.h"

#include <algorithm>
#include <cmath>

namespace gs::apps {
namespace {

// Salimans et al.'s code divides by sqrt(v_hat + 1e-8), not sqrt(v_hat) + 1e-8:
// on MNIST with 100 labels that alone moves the result from ~85% to ~98%
// (shared/yardstick/README.md).
optim::AdamOptions adam_options(const SslSettings& s) {
  optim::AdamOptions options;
  options.lr = s.learning_rate;
  options.beta1 = s.beta1;
  options.beta2 = 0.999;
  options.eps = 1e-8;
  options.eps_inside_sqrt = true;
  return options;
}

// The epoch the decay starts at: the last `fraction` of `epochs` decay.
int64_t decay_start(int64_t epochs, double fraction) {
  return epochs - std::max<int64_t>(1, static_cast<int64_t>(std::llround(static_cast<double>(epochs) * fraction)));
}

double accuracy_of(const Tensor& logits, const Tensor& labels) {
  const std::vector<int64_t> predicted = argmax(logits.detach(), 1).to(Device::cpu()).to_vector<int64_t>();
  const std::vector<int64_t> truth = labels.to(Device::cpu()).contiguous().to_vector<int64_t>();
  int64_t correct = 0;
  for (size_t i = 0; i < truth.size(); ++i) correct += predicted[i] == truth[i];
  return truth.empty() ? 0.0 : static_cast<double>(correct) / static_cast<double>(truth.size());
}

// The checkpoint's record of D's minibatch discrimination, as a phrase.
std::string minibatch_words(const SslSettings& s) {
  if (s.minibatch_kernels == 0) return "no minibatch discrimination";
  return "minibatch discrimination (" + std::to_string(s.minibatch_kernels) + " kernels x " +
         std::to_string(s.minibatch_kernel_dims) + ")";
}

}  // namespace

SslSettings SslSettings::defaults_for(const SslArchitecture& architecture) {
  SslSettings settings;
  settings.arch = architecture.name;
  settings.learning_rate = architecture.learning_rate;
  settings.unsupervised_weight = architecture.unsupervised_weight;
  settings.squared_feature_matching = architecture.squared_feature_matching;
  settings.epochs = architecture.epochs;
  settings.lr_decay_fraction = architecture.lr_decay_fraction;
  return settings;
}

SslTrainer::SslTrainer(const SslSettings& settings, Device device)
    : settings_(settings),
      architecture_(ssl_architecture(settings.arch)),
      device_(device),
      init_stream_(settings.seed),
      latent_stream_(settings.seed + 1),
      layer_noise_stream_(settings.seed + 2) {
  generator = make_ssl_generator(settings.arch, init_stream_);
  discriminator = make_ssl_discriminator(settings.arch, init_stream_, layer_noise_stream_, settings.minibatch_kernels,
                                         settings.minibatch_kernel_dims);
  Generator unused_init(0);
  averaged_discriminator_ = make_ssl_discriminator(settings.arch, unused_init, layer_noise_stream_,
                                                   settings.minibatch_kernels, settings.minibatch_kernel_dims);
  generator->to(settings.dtype).to(device);
  discriminator->to(settings.dtype).to(device);
  averaged_discriminator_->to(settings.dtype).to(device);
  parallel_.broadcast_state(*generator);
  parallel_.broadcast_state(*discriminator);
  trained_discriminator_parameters_ = trainable_parameters(*discriminator);
  discriminator_optimizer_ = std::make_unique<optim::Adam>(trained_discriminator_parameters_, adam_options(settings));
  generator_parameters_ = trainable_parameters(*generator);
  generator_optimizer_ = std::make_unique<optim::Adam>(generator_parameters_, adam_options(settings));
  check(settings.lr_decay_fraction >= 0 && settings.lr_decay_fraction <= 1,
        "SslTrainer: lr_decay_fraction must be in [0, 1], got ", settings.lr_decay_fraction);
  if (settings.lr_decay_fraction > 0) {
    const int64_t start = decay_start(settings.epochs, settings.lr_decay_fraction);
    discriminator_schedule_ = std::make_unique<optim::LinearDecay>(*discriminator_optimizer_, settings.epochs, start);
    generator_schedule_ = std::make_unique<optim::LinearDecay>(*generator_optimizer_, settings.epochs, start);
  }
  polyak_ = std::make_unique<optim::PolyakAverage>(trained_discriminator_parameters_, settings.polyak_decay);
  loss_options_.real_target = settings.real_target;
  loss_options_.unsupervised_weight = settings.unsupervised_weight;
}

void SslTrainer::initialize(const Tensor& images) {
  discriminator->initialize_from_batch(model_input(images));
  if (!settings_.baseline) generator->initialize_from_batch(latent(images.size(0), latent_stream_));
  parallel_.broadcast_state(*generator);
  parallel_.broadcast_state(*discriminator);
}

Tensor SslTrainer::latent(int64_t n, Generator& stream) const {
  return uniform({n, kSslLatentSize}, architecture_.latent_low, architecture_.latent_high, stream,
                 {settings_.dtype, device_});
}

void SslTrainer::set_discriminator_frozen(bool frozen) {
  for (Tensor& parameter : trained_discriminator_parameters_) parameter.requires_grad_(!frozen);
}

void SslTrainer::start_epoch(int64_t epoch_index) {
  if (!discriminator_schedule_) return;
  discriminator_schedule_->set_epoch(epoch_index);
  generator_schedule_->set_epoch(epoch_index);
}

double SslTrainer::learning_rate() const { return discriminator_optimizer_->lr(); }

Tensor SslTrainer::model_input(const Tensor& x) const {
  return x.defined() ? x.to(device_).to(settings_.dtype) : x;
}

SslStepLosses SslTrainer::step(const Tensor& labeled_batch, const Tensor& labels, const Tensor& unlabeled_batch,
                               const Tensor& matching_batch) {
  const Tensor labeled = model_input(labeled_batch), unlabeled = model_input(unlabeled_batch),
               matching = model_input(matching_batch);
  SslStepLosses losses;
  nn::GlobalBatchStep global_batch(parallel_);  // noise, z, batch norm, feature means: as for the global batch
  discriminator_optimizer_->zero_grad();
  if (settings_.baseline) {
    check(!unlabeled.defined() && !matching.defined(), "SslTrainer: the baseline must not see unlabeled images");
    const Tensor logits = discriminator->classify(labeled).logits;
    const Tensor loss = F::cross_entropy(logits, labels);
    loss.backward();
    parallel_.average_gradients(trained_discriminator_parameters_);
    discriminator_optimizer_->step();
    polyak_->update();
    const std::vector<double> means = parallel_.mean({loss.item(), accuracy_of(logits, labels)});
    losses.supervised = means[0];
    losses.labeled_accuracy = means[1];
    ++iteration;
    return losses;
  }

  // 1. Discriminator: labeled images -> their class, unlabeled images -> real,
  //    generated images -> fake.
  const int64_t n = unlabeled.size(0);
  Tensor generated;
  {
    NoGradGuard no_grad;  // G is not trained in this half: no graph through it
    generated = generator->forward(latent(n, latent_stream_));
  }
  Tensor labeled_logits, unlabeled_logits, generated_logits;
  // Batch norm (batch statistics per source, as the blog post) and minibatch
  // discrimination (each sample compared with its own batch) need the sources apart.
  if (architecture_.discriminator_has_batch_norm || settings_.minibatch_kernels > 0) {
    labeled_logits = discriminator->classify(labeled).logits;
    unlabeled_logits = discriminator->classify(unlabeled).logits;
    generated_logits = discriminator->classify(generated).logits;
  } else {  // every example is independent: one pass with bigger matrix products
    const int64_t n_labeled = labeled.size(0);
    nn::GlobalBatchStep stacked(parallel_, {n_labeled, n, n});  // three batches in one
    const Tensor logits = discriminator->classify(cat({labeled, unlabeled, generated}, 0)).logits;
    labeled_logits = logits.narrow(0, 0, n_labeled);
    unlabeled_logits = logits.narrow(0, n_labeled, n);
    generated_logits = logits.narrow(0, n_labeled + n, n);
  }
  const F::DiscriminatorLoss loss = F::semi_supervised_discriminator_loss(
      labeled_logits, labels, Tensor(), unlabeled_logits, generated_logits, loss_options_);
  loss.total.backward();
  parallel_.average_gradients(trained_discriminator_parameters_);
  discriminator_optimizer_->step();
  polyak_->update();

  // 2. Generator, through the frozen discriminator: match the mean features
  //    of a real batch (feature matching) rather than fool D's output; with
  //    minibatch discrimination, fool D's output: -log D(G(z)), D(x) =
  //    sigmoid(logsumexp(l(x))), the non-saturating loss.
  set_discriminator_frozen(true);
  generator_optimizer_->zero_grad();
  Tensor generator_loss;
  if (settings_.minibatch_kernels > 0) {
    const Tensor fooled = F::real_fake_logit(discriminator->classify(generator->forward(latent(n, latent_stream_))).logits);
    generator_loss = F::binary_cross_entropy_with_logits(fooled, ones_like(fooled));
  } else {
    Tensor real_features;
    {
      NoGradGuard no_grad;
      real_features = discriminator->classify(matching).features;
    }
    const Tensor generated_features =
        discriminator->classify(generator->forward(latent(n, latent_stream_))).features;
    generator_loss = F::feature_matching_loss(real_features, generated_features, settings_.squared_feature_matching);
  }
  generator_loss.backward();
  parallel_.average_gradients(generator_parameters_);
  generator_optimizer_->step();
  set_discriminator_frozen(false);

  const std::vector<double> means =
      parallel_.mean({loss.supervised.item(), loss.unsupervised_real.item(), loss.unsupervised_fake.item(),
                      generator_loss.item(), accuracy_of(labeled_logits, labels)});
  losses.supervised = means[0];
  losses.unsupervised_real = means[1];
  losses.unsupervised_fake = means[2];
  losses.generator = means[3];
  losses.labeled_accuracy = means[4];
  ++iteration;
  return losses;
}

ConfusionMatrix SslTrainer::evaluate(const data::Dataset& test, bool polyak_averaged) {
  SslDiscriminator* model = discriminator.get();
  if (polyak_averaged && polyak_->steps() > 0) {
    // Fixed parameters and batch-norm statistics from the trained model, the rest averaged.
    averaged_discriminator_->load_state_dict(discriminator->state_dict());
    polyak_->copy_to(trainable_parameters(*averaged_discriminator_));
    model = averaged_discriminator_.get();
  }
  NoGradGuard no_grad;
  const bool was_training = model->is_training();
  model->eval();
  ConfusionMatrix confusion;
  const int64_t chunk = 500;
  for (int64_t start = 0; start < test.size(); start += chunk) {
    const int64_t count = std::min(chunk, test.size() - start);
    const Tensor images = model_input(test.images.narrow(0, start, count));
    const std::vector<int64_t> predicted = argmax(model->forward(images), 1).to(Device::cpu()).to_vector<int64_t>();
    const std::vector<int64_t> truth = test.labels.narrow(0, start, count).contiguous().to_vector<int64_t>();
    for (int64_t i = 0; i < count; ++i) ++confusion.counts[truth[i] * kSslClasses + predicted[i]];
  }
  model->train(was_training);
  return confusion;
}

Tensor SslTrainer::sample(const Tensor& z) {
  NoGradGuard no_grad;
  generator->eval();
  Tensor images = generator->forward(model_input(z)).to(kFloat32);
  generator->train();
  return images;
}

void SslTrainer::save_checkpoint(const std::string& path) const {
  StateDict state;
  add_with_prefix(state, generator->state_dict(), "generator.");
  add_with_prefix(state, discriminator->state_dict(), "discriminator.");
  add_with_prefix(state, generator_optimizer_->state_dict(), "generator_optimizer.");
  add_with_prefix(state, discriminator_optimizer_->state_dict(), "discriminator_optimizer.");
  add_with_prefix(state, polyak_->state_dict(), "polyak.");
  save_stream(state, "latent_stream", latent_stream_);
  save_stream(state, "layer_noise_stream", layer_noise_stream_);
  save_position(state, iteration, epoch, batch_in_epoch);
  save(state, path,
       {{"format", "gradschool ssl checkpoint"}, {"arch", settings_.arch},
        {"mode", settings_.baseline ? "baseline" : "gan"}, {"minibatch", minibatch_words(settings_)}});
}

void SslTrainer::load_checkpoint(const std::string& path) {
  Metadata metadata;
  StateDict state = load(path, &metadata);
  check(metadata["format"] == "gradschool ssl checkpoint", path, ": not an ssl checkpoint");
  const std::string mode = settings_.baseline ? "baseline" : "gan";
  check(metadata["arch"] == settings_.arch && metadata["mode"] == mode, path, ": a checkpoint of --arch ",
        metadata["arch"], " (", metadata["mode"], "), but this run is --arch ", settings_.arch, " (", mode, ")");
  const std::string trained_minibatch = metadata.count("minibatch") ? metadata["minibatch"] : minibatch_words(SslSettings());
  check(trained_minibatch == minibatch_words(settings_), path, ": a checkpoint with ", trained_minibatch,
        ", but this run has ", minibatch_words(settings_), "; resume with the --minibatch-kernels and --minibatch-dims "
        "it was trained with");
  load_position(state, position(), path, "ssl");
  load_stream(state, "latent_stream", latent_stream_, path, "ssl");
  load_stream(state, "layer_noise_stream", layer_noise_stream_, path, "ssl");
  generator->load_state_dict(select_prefix(state, "generator."));
  discriminator->load_state_dict(select_prefix(state, "discriminator."));
  generator_optimizer_->load_state_dict(select_prefix(state, "generator_optimizer."));
  discriminator_optimizer_->load_state_dict(select_prefix(state, "discriminator_optimizer."));
  polyak_->load_state_dict(select_prefix(state, "polyak."));
}

}  // namespace gs::apps
