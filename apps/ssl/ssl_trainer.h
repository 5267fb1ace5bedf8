// One semi-supervised GAN training run (or its supervised-only baseline):
// the models, their optimizers, the Polyak average of the discriminator, the
// random streams and where the run stands. Everything needed to continue a run
// exactly lives in its checkpoint.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "apps/common/run_state.h"
#include "apps/ssl/ssl_models.h"
#include "apps/ssl/ssl_report.h"
#include "data/dataset.h"
#include "nn/data_parallel.h"
#include "nn/semi_supervised_losses.h"
#include "optim/optim.h"
#include "optim/polyak_average.h"

namespace gs::apps {

// The recipe of a run: ssl_architecture(arch)'s values unless flags change them.
struct SslSettings {
  std::string arch = "mnist-mlp";
  bool baseline = false;          // train the discriminator on the labeled examples alone
  double learning_rate = 3e-3;
  double beta1 = 0.5;
  double real_target = 1.0;       // one-sided label smoothing sets e.g. 0.9
  double unsupervised_weight = 0.5;
  bool squared_feature_matching = true;
  double polyak_decay = 0.9999;   // the original's rate 1e-4
  // Minibatch discrimination in D (0 kernels: off). With it on, the paper's
  // sample-quality models: each source goes through D as its own batch and G
  // learns from D's real/fake output (-log D(G(z))) instead of feature matching.
  int64_t minibatch_kernels = 0, minibatch_kernel_dims = 5;
  int64_t epochs = 300;           // the run's length, for the learning-rate decay
  double lr_decay_fraction = 0;   // decay linearly to 0 over this last part of the epochs
  uint64_t seed = 1;
  DType dtype = kFloat32;  // float64: slower, for checks where float32 rounding would blur the comparison

  static SslSettings defaults_for(const SslArchitecture& architecture);
};

struct SslStepLosses {
  double supervised = 0, unsupervised_real = 0, unsupervised_fake = 0, generator = 0;
  double labeled_accuracy = 0;  // on this step's labeled batch, in training mode
};

class SslTrainer {
 public:
  SslTrainer(const SslSettings& settings, Device device);

  // Data-dependent initialisation of the weight-normalised layers from a batch
  // of training images (the original uses 500); called once, before training.
  void initialize(const Tensor& images);

  // One iteration on this rank's rows of each global batch (all of them
  // without mpirun; nn/data_parallel.h), reporting the global batches' losses. GAN: D step on the labeled, unlabeled and generated
  // batches, Polyak update, then G step (feature matching against `matching`,
  // D frozen). Baseline: a D step on the labeled batch alone; `unlabeled` and
  // `matching` must be undefined.
  SslStepLosses step(const Tensor& labeled, const Tensor& labels, const Tensor& unlabeled, const Tensor& matching);

  // Sets the learning rate for the epoch about to run (linear decay to 0 over
  // the last lr_decay_fraction of the epochs; constant for mnist-mlp, as in the paper).
  void start_epoch(int64_t epoch_index);
  double learning_rate() const;

  // Test accuracy in eval mode (no noise or dropout, batch-norm running
  // statistics), of the trained weights or of their Polyak average.
  ConfusionMatrix evaluate(const data::Dataset& test, bool polyak_averaged);

  Tensor sample(const Tensor& z);  // G(z) in eval mode
  Tensor latent(int64_t n, Generator& stream) const;  // z ~ U[low, high)^100

  void save_checkpoint(const std::string& path) const;
  void load_checkpoint(const std::string& path);

  const SslArchitecture& architecture() const { return architecture_; }
  const SslSettings& settings() const { return settings_; }
  std::shared_ptr<SslGenerator> generator;
  std::shared_ptr<SslDiscriminator> discriminator;
  int64_t iteration = 0, epoch = 0, batch_in_epoch = 0;
  RunPosition position() { return {iteration, epoch, batch_in_epoch}; }

 private:
  void set_discriminator_frozen(bool frozen);
  Tensor model_input(const Tensor& x) const;  // on the device, in the models' dtype

  SslSettings settings_;
  SslArchitecture architecture_;
  Device device_;
  nn::DataParallel parallel_;  // mpirun's ranks (nn/data_parallel.h); one without mpirun
  Generator init_stream_, latent_stream_, layer_noise_stream_;
  std::shared_ptr<SslDiscriminator> averaged_discriminator_;  // holds the Polyak average for evaluation
  std::vector<Tensor> trained_discriminator_parameters_, generator_parameters_;
  std::unique_ptr<optim::Adam> generator_optimizer_, discriminator_optimizer_;
  std::unique_ptr<optim::LinearDecay> generator_schedule_, discriminator_schedule_;  // null: constant lr
  std::unique_ptr<optim::PolyakAverage> polyak_;
  F::SemiSupervisedLossOptions loss_options_;
};

}  // namespace gs::apps
