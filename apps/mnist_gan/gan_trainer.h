// One DCGAN training run: the two models, their optimizers, the random
// streams, and where the run stands. Everything needed to continue a run
// exactly lives in its checkpoint.
#pragma once
#include <memory>
#include <string>

#include "apps/common/mnist_models.h"
#include "apps/common/run_state.h"
#include "nn/data_parallel.h"
#include "nn/nn.h"
#include "optim/optim.h"

namespace gs::apps {

struct GanSettings {
  int64_t batch_size = 64;
  double generator_lr = 2e-4, discriminator_lr = 2e-4;  // Adam's learning rates
  double beta1 = 0.5, beta2 = 0.999;
  double real_label = 1.0;  // one-sided label smoothing sets this to e.g. 0.9
  // The GAN loss: D's binary cross-entropy with G's non-saturating loss, or
  // the hinge loss (D: max(0, 1 - D(x)) + max(0, 1 + D(G(z))), G: -D(G(z))).
  bool hinge_loss = false;
  // Samples and evaluations use an exponential moving average of G's weights
  // (and batch-norm statistics) with this decay; 0 samples the trained G itself.
  double average_decay = 0.995;
  DcganOptions architecture;  // virtual batch norm in G, minibatch discrimination in D
  // Historical averaging's penalty weights (0: off), for each network's loss.
  double generator_history = 0, discriminator_history = 0;
  // G updates per iteration (the D:G update ratio is 1:generator_steps); each
  // after the first draws a new z and runs G again.
  int generator_steps = 1;
  // Learning-rate warm-up: both rates grow linearly from rate/warmup_steps in
  // the first iteration to the full rate at iteration warmup_steps (0: off).
  int64_t warmup_steps = 0;
  uint64_t seed = 1;
  DType dtype = kFloat32;  // float64: slower, for checks where float32 rounding would blur the comparison
};

struct StepLosses {
  double discriminator = 0, generator = 0;
  double d_real = 0, d_fake = 0;  // mean D(x) and D(G(z)) (probabilities) in the D step
};

class GanTrainer {
 public:
  GanTrainer(const GanSettings& settings, Device device);

  // One iteration, as in the lecture, on this rank's rows of the global batch
  // (all of it without mpirun; nn/data_parallel.h):
  //  1. train D on a real batch (target real_label) and a fake batch G(z) (target 0);
  //  2. train G through the frozen D with the non-saturating loss (fake target 1).
  // G runs forward once: step 2 reuses the graph of the fakes of step 1.
  StepLosses step(const Tensor& real_images);

  // The epoch's shuffled order of the training set (reproducible from seed and epoch).
  Tensor epoch_order(int64_t dataset_size, int64_t epoch) const;

  // Samples G(z) in eval mode (batch-norm running statistics), no graph, from
  // the averaged generator (or the trained one when average_decay is 0).
  Tensor sample(const Tensor& z);
  // The generator that sample() uses, with the current averages written in.
  nn::Sequential& sampling_generator();

  // Change G's or D's Adam learning rate from the next step on (a checkpoint
  // brings back the rates it was trained with: these override them, e.g. for
  // a step decay).
  void set_generator_lr(double lr);
  void set_discriminator_lr(double lr);

  void save_checkpoint(const std::string& path);  // also writes the averages into averaged_generator
  void load_checkpoint(const std::string& path);

  std::shared_ptr<nn::Sequential> generator, discriminator;
  // A second generator that holds the moving average of `generator` (the
  // "EMA generator" of Karras et al. 2018 / Yazici et al. 2019): the trained G
  // keeps jumping around the equilibrium, its average sits nearer the middle
  // and draws cleaner digits, most of all early in training.
  std::shared_ptr<nn::Sequential> averaged_generator;
  int64_t iteration = 0;       // steps taken so far
  int64_t epoch = 0;           // the epoch in progress
  int64_t batch_in_epoch = 0;  // its next batch
  RunPosition position() { return {iteration, epoch, batch_in_epoch}; }

 private:
  void set_discriminator_frozen(bool frozen);
  Tensor generator_update(const Tensor& fake);  // one G step through the frozen D; G's GAN loss
  void apply_warmup();  // both optimizers' rates for this iteration

  GanSettings settings_;
  Device device_;
  nn::DataParallel parallel_;
  Generator init_stream_, noise_stream_;
  std::unique_ptr<optim::Adam> generator_optimizer_, discriminator_optimizer_;
  std::unique_ptr<optim::PolyakAverage> generator_average_;  // null when average_decay is 0
  std::unique_ptr<optim::HistoricalAverage> generator_history_, discriminator_history_;  // null when off
};

}  // namespace gs::apps
