#include "apps/mnist_gan/gan_trainer.h"

#include "apps/common/run_state.h"

namespace gs::apps {
namespace {

optim::AdamOptions adam_options(const GanSettings& s, double learning_rate) {
  optim::AdamOptions options;
  options.lr = learning_rate;
  options.beta1 = s.beta1;
  options.beta2 = s.beta2;
  return options;
}


// What the moving average follows: the parameters and the floating-point
// buffers (batch-norm running statistics), in a fixed order.
std::vector<Tensor> averaged_tensors(const nn::Module& model) {
  std::vector<Tensor> tensors = model.parameters();
  for (const auto& [name, buffer] : model.named_buffers())
    if (is_floating(buffer.dtype())) tensors.push_back(buffer);
  return tensors;
}

// Historical averaging's mean of the past, from a checkpoint; a clear error
// when the checkpoint was trained without it.
void load_history(const StateDict& state, const std::string& prefix, optim::HistoricalAverage* history,
                  const std::string& path, const std::string& flag) {
  if (!history) return;  // switched off (or left off) from here on
  const StateDict past = select_prefix(state, prefix);
  check(!past.empty(), path, ": this checkpoint has no historical average for ", flag,
        " (it was trained without it); resume without ", flag, " or start a new run");
  history->load_state_dict(past);
}

// The loss a network's backward pass starts from: its GAN loss, plus
// historical averaging's penalty when that is on (the logged losses leave it out).
Tensor with_history_penalty(const Tensor& loss, const optim::HistoricalAverage* history) {
  return history ? loss + history->penalty() : loss;
}

}  // namespace

GanTrainer::GanTrainer(const GanSettings& settings, Device device)
    : settings_(settings), device_(device), init_stream_(settings.seed), noise_stream_(settings.seed + 1) {
  generator = make_dcgan_generator(init_stream_, settings.architecture);
  discriminator = make_dcgan_discriminator(init_stream_, settings.architecture);
  dcgan_init(*generator, init_stream_);
  dcgan_init(*discriminator, init_stream_);
  generator->to(settings.dtype).to(device);
  discriminator->to(settings.dtype).to(device);
  parallel_.broadcast_state(*generator);
  parallel_.broadcast_state(*discriminator);
  generator_optimizer_ =
      std::make_unique<optim::Adam>(generator->parameters(), adam_options(settings, settings.generator_lr));
  discriminator_optimizer_ =
      std::make_unique<optim::Adam>(discriminator->parameters(), adam_options(settings, settings.discriminator_lr));
  check(!settings.hinge_loss || settings.real_label == 1.0,
        "GanTrainer: label smoothing (real_label ", settings.real_label, ") is for the cross-entropy loss, not the hinge loss");
  check(settings.generator_steps >= 1, "GanTrainer: generator_steps must be at least 1, got ", settings.generator_steps);
  check(settings.warmup_steps >= 0, "GanTrainer: warmup_steps must be 0 or more, got ", settings.warmup_steps);
  check(settings.average_decay >= 0 && settings.average_decay < 1, "GanTrainer: average_decay must be in [0, 1), got ",
        settings.average_decay);
  if (settings.average_decay > 0) {
    Generator unused_init(0);
    averaged_generator = make_dcgan_generator(unused_init, settings.architecture);
    averaged_generator->to(settings.dtype).to(device);
    generator_average_ = std::make_unique<optim::PolyakAverage>(averaged_tensors(*generator), settings.average_decay);
  }
  if (settings.generator_history > 0)
    generator_history_ = std::make_unique<optim::HistoricalAverage>(generator->parameters(), settings.generator_history);
  if (settings.discriminator_history > 0)
    discriminator_history_ =
        std::make_unique<optim::HistoricalAverage>(discriminator->parameters(), settings.discriminator_history);
}

void GanTrainer::set_discriminator_frozen(bool frozen) {
  for (Tensor& parameter : discriminator->parameters()) parameter.requires_grad_(!frozen);
}

StepLosses GanTrainer::step(const Tensor& real_batch) {
  const Tensor real_images = real_batch.to(device_).to(settings_.dtype);
  const int64_t n = real_images.size(0);
  nn::GlobalBatchStep global_batch(parallel_);  // z, batch norm: as for the global batch
  Tensor z = randn({n, kLatentSize}, noise_stream_, {settings_.dtype, device_});
  StepLosses losses;
  apply_warmup();

  // One forward pass of G serves both halves: D trains on a detached copy
  // (no gradient into G), then G's graph is reused for the G step.
  Tensor fake = generator->forward(z);

  // 1. Discriminator: real images should score real_label, generated ones 0.
  discriminator_optimizer_->zero_grad();
  Tensor logits_real = discriminator->forward(real_images);
  Tensor logits_fake = discriminator->forward(fake.detach());
  Tensor loss_d = settings_.hinge_loss
                     ? F::hinge_loss(logits_real, 1.0) + F::hinge_loss(logits_fake, -1.0)
                     : F::binary_cross_entropy_with_logits(logits_real, full_like(logits_real, settings_.real_label)) +
                           F::binary_cross_entropy_with_logits(logits_fake, zeros_like(logits_fake));
  with_history_penalty(loss_d, discriminator_history_.get()).backward();
  parallel_.average_gradients(discriminator->parameters());
  discriminator_optimizer_->step();
  if (discriminator_history_) discriminator_history_->update();

  // 2. Generator, through the frozen (just updated) discriminator: maximise
  //    log D(G(z)) (the non-saturating loss: strong gradients while D still
  //    wins easily), on the fakes D just saw, then on new ones.
  Tensor loss_g = generator_update(fake);
  for (int extra = 1; extra < settings_.generator_steps; ++extra)
    generator_update(generator->forward(randn({n, kLatentSize}, noise_stream_, {settings_.dtype, device_})));
  if (generator_average_) generator_average_->update();

  // The global batch's means (each rank's mean over equally many rows, averaged).
  const std::vector<double> means =
      parallel_.mean({loss_d.item(), loss_g.item(), mean(sigmoid(logits_real.detach())).item(),
                      mean(sigmoid(logits_fake.detach())).item()});
  losses.discriminator = means[0];
  losses.generator = means[1];
  losses.d_real = means[2];
  losses.d_fake = means[3];
  ++iteration;
  return losses;
}

Tensor GanTrainer::generator_update(const Tensor& fake) {
  set_discriminator_frozen(true);
  generator_optimizer_->zero_grad();
  Tensor logits_generated = discriminator->forward(fake);
  Tensor loss_g = settings_.hinge_loss
                     ? -mean(logits_generated)
                     : F::binary_cross_entropy_with_logits(logits_generated, ones_like(logits_generated));
  with_history_penalty(loss_g, generator_history_.get()).backward();
  parallel_.average_gradients(generator->parameters());
  generator_optimizer_->step();
  if (generator_history_) generator_history_->update();
  set_discriminator_frozen(false);
  return loss_g;
}

void GanTrainer::apply_warmup() {
  if (settings_.warmup_steps <= 0 || iteration >= settings_.warmup_steps) return;
  const double fraction = static_cast<double>(iteration + 1) / static_cast<double>(settings_.warmup_steps);
  generator_optimizer_->set_lr(settings_.generator_lr * fraction);
  discriminator_optimizer_->set_lr(settings_.discriminator_lr * fraction);
}

Tensor GanTrainer::epoch_order(int64_t dataset_size, int64_t epoch_index) const {
  Generator order_stream(settings_.seed * 0x9E3779B97F4A7C15ull + 7);
  order_stream.set_state(order_stream.seed(), static_cast<uint64_t>(epoch_index) << 32);
  return randperm(dataset_size, order_stream);
}

nn::Sequential& GanTrainer::sampling_generator() {
  if (!generator_average_ || generator_average_->steps() == 0) return *generator;
  generator_average_->copy_to(averaged_tensors(*averaged_generator));
  return *averaged_generator;
}

Tensor GanTrainer::sample(const Tensor& z) {
  NoGradGuard no_grad;
  nn::Sequential& model = sampling_generator();
  model.eval();
  Tensor images = model.forward(z.to(device_).to(settings_.dtype)).to(kFloat32);
  model.train();
  return images;
}

void GanTrainer::set_generator_lr(double lr) {
  settings_.generator_lr = lr;
  generator_optimizer_->set_lr(lr);
}
void GanTrainer::set_discriminator_lr(double lr) {
  settings_.discriminator_lr = lr;
  discriminator_optimizer_->set_lr(lr);
}

void GanTrainer::save_checkpoint(const std::string& path) {
  StateDict state;
  add_with_prefix(state, generator->state_dict(), "generator.");
  add_with_prefix(state, discriminator->state_dict(), "discriminator.");
  add_with_prefix(state, generator_optimizer_->state_dict(), "generator_optimizer.");
  add_with_prefix(state, discriminator_optimizer_->state_dict(), "discriminator_optimizer.");
  if (generator_average_) {
    add_with_prefix(state, generator_average_->state_dict(), "generator_average.");
    // The averaged weights themselves, ready for gan_eval (which prefers them).
    add_with_prefix(state, sampling_generator().state_dict(), "averaged_generator.");
  }
  if (generator_history_) add_with_prefix(state, generator_history_->state_dict(), "generator_history.");
  if (discriminator_history_) add_with_prefix(state, discriminator_history_->state_dict(), "discriminator_history.");
  save_stream(state, "noise_stream", noise_stream_);
  save_position(state, iteration, epoch, batch_in_epoch);
  Metadata metadata = settings_.architecture.metadata();
  metadata["format"] = "gradschool mnist_gan checkpoint";
  save(state, path, metadata);
}

void GanTrainer::load_checkpoint(const std::string& path) {
  Metadata metadata;
  StateDict state = load(path, &metadata);
  // First what says "not a mnist_gan checkpoint" (another program's has no noise stream), then the models.
  load_position(state, position(), path, "mnist_gan");
  load_stream(state, "noise_stream", noise_stream_, path, "mnist_gan");
  const DcganOptions trained_with = DcganOptions::from_metadata(metadata, path);
  check(trained_with.metadata() == settings_.architecture.metadata(), path, ": this checkpoint's models are ",
        trained_with.describe(), ", not ", settings_.architecture.describe(),
        "; resume with the architecture flags it was trained with (--vbn, --minibatch-kernels, --spectral-norm)");
  generator->load_state_dict(select_prefix(state, "generator."));
  discriminator->load_state_dict(select_prefix(state, "discriminator."));
  generator_optimizer_->load_state_dict(select_prefix(state, "generator_optimizer."));
  discriminator_optimizer_->load_state_dict(select_prefix(state, "discriminator_optimizer."));
  if (generator_average_) {
    const StateDict average = select_prefix(state, "generator_average.");
    check(!average.empty(), path, ": this checkpoint has no generator average (it was trained with --average 0); "
          "resume it with --average 0");
    generator_average_->load_state_dict(average);
  }
  load_history(state, "generator_history.", generator_history_.get(), path, "--history-g");
  load_history(state, "discriminator_history.", discriminator_history_.get(), path, "--history-d");
}

}  // namespace gs::apps
