// mnist_gan: trains the lecture's DCGAN on MNIST (or Fashion-MNIST) and
// shows its progress, sample grids, a loss curve and resumable checkpoints.
//   build/apps/mnist_gan --minutes 5 --out out/mnist_gan
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "apps/common/cli.h"
#include "apps/common/device_flag.h"
#include "apps/common/interrupt.h"
#include "apps/common/loss_plot.h"
#include "apps/common/mnist_data.h"
#include "apps/common/mnist_models.h"
#include "apps/common/progress.h"
#include "apps/common/run_files.h"
#include "apps/mnist_gan/gan_trainer.h"
#include "data/image.h"

namespace fs = std::filesystem;
using namespace gs;
using namespace gs::apps;

namespace {

struct Options {
  int64_t epochs = 5;
  double minutes = 0;  // 0: no time budget
  int64_t max_steps = 0;  // 0: no limit
  int64_t batch = 64;
  uint64_t seed = 1;
  std::string device = "cpu";
  int threads = 0;  // 0: OpenMP's default (all cores)
  std::string data, dataset = "mnist", out = "out/mnist_gan";
  bool resume = false;
  double learning_rate = 2e-4, beta1 = 0.5, beta2 = 0.999, smooth = 1.0, average = 0.995;
  double generator_lr = 0, discriminator_lr = 0;  // 0: --lr
  bool generator_lr_given = false, discriminator_lr_given = false;  // on the command line
  int64_t limit = 0;  // use only the first N training images (tests, quick looks)
  int64_t sample_every = 100;  // refresh samples.png every N iterations (0 = only per epoch)
};

void write_samples(GanTrainer& trainer, const Tensor& fixed_z, const std::string& path) {
  data::save_image_grid(trainer.sample(fixed_z).to(Device::cpu()), path, 8);
}

void train(const Options& o) {
  if (o.threads > 0) set_num_threads(o.threads);
  const Device device = device_from_flag(o.device);
  data::Dataset train_set = load_digits(o.dataset, o.data, data::Split::kTrain);
  if (o.limit > 0 && o.limit < train_set.size()) train_set = train_set.subset(arange(o.limit, kInt64));
  const int64_t batches_per_epoch = train_set.size() / o.batch;
  check(batches_per_epoch > 0, "the training set (", train_set.size(), " images) is smaller than one batch of ",
        o.batch);
  fs::create_directories(o.out);
  const std::string checkpoint = o.out + "/checkpoint.safetensors", log_path = o.out + "/log.csv";

  GanSettings settings;
  settings.batch_size = o.batch;
  settings.generator_lr = o.generator_lr > 0 ? o.generator_lr : o.learning_rate;
  settings.discriminator_lr = o.discriminator_lr > 0 ? o.discriminator_lr : o.learning_rate;
  settings.beta1 = o.beta1;
  settings.beta2 = o.beta2;
  settings.real_label = o.smooth;
  settings.average_decay = o.average;
  settings.seed = o.seed;
  GanTrainer trainer(settings, device);
  if (o.resume) {
    resume_from(trainer, checkpoint);
    // The checkpoint restored the rates it was trained with; learning-rate
    // flags given with --resume replace them (a step decay: --resume --lr 2e-5).
    if (o.generator_lr_given) {
      trainer.set_generator_lr(settings.generator_lr);
      std::printf("G's learning rate from here on: %g\n", settings.generator_lr);
    }
    if (o.discriminator_lr_given) {
      trainer.set_discriminator_lr(settings.discriminator_lr);
      std::printf("D's learning rate from here on: %g\n", settings.discriminator_lr);
    }
  }
  std::ofstream log = open_run_log(log_path, o.resume, trainer.iteration,
                                   "iteration,epoch,d_loss,g_loss,d_real,d_fake,seconds");

  Generator sample_stream(o.seed + 2);  // the same 64 codes for every sample grid
  const Tensor fixed_z = randn({64, kLatentSize}, sample_stream);
  std::printf("training the DCGAN on %s: %lld images, batch %lld, %lld iterations per epoch, %d threads, %s\n",
              o.dataset.c_str(), static_cast<long long>(train_set.size()), static_cast<long long>(o.batch),
              static_cast<long long>(batches_per_epoch), num_threads(), device.str().c_str());

  install_interrupt_handler();
  const int64_t planned_steps =
      o.max_steps > 0 ? std::min(o.max_steps, o.epochs * batches_per_epoch) : o.epochs * batches_per_epoch;
  Progress progress(o.minutes > 0 ? 0 : planned_steps);
  bool stopped_early = false;
  while (trainer.epoch < o.epochs && !stopped_early) {
    const Tensor order = trainer.epoch_order(train_set.size(), trainer.epoch);
    for (; trainer.batch_in_epoch < batches_per_epoch; ++trainer.batch_in_epoch) {
      const Tensor indices = order.narrow(0, trainer.batch_in_epoch * o.batch, o.batch);
      const Tensor real = data::gather_rows(train_set.images, indices).to(device);
      const StepLosses losses = trainer.step(real);
      if (!std::isfinite(losses.discriminator) || !std::isfinite(losses.generator)) {
        progress.finish();
        fail("the losses became NaN/Inf at iteration ", trainer.iteration, " (D ", losses.discriminator, ", G ",
             losses.generator, "); stopping. The last good checkpoint is ", checkpoint,
             " (try a lower --lr or --smooth 0.9)");
      }
      log << trainer.iteration << ',' << trainer.epoch + 1 << ',' << losses.discriminator << ',' << losses.generator
          << ',' << losses.d_real << ',' << losses.d_fake << ',' << progress.elapsed_seconds() << '\n';
      char status[128];
      std::snprintf(status, sizeof status, "D %.3f  G %.3f  D(x) %.2f  D(G(z)) %.2f", losses.discriminator,
                    losses.generator, losses.d_real, losses.d_fake);
      progress.update(trainer.iteration, "epoch " + std::to_string(trainer.epoch + 1) + "/" +
                                             std::to_string(o.epochs), status);
      if (o.sample_every > 0 && trainer.iteration % o.sample_every == 0)
        write_samples(trainer, fixed_z, o.out + "/samples.png");
      const bool out_of_time = o.minutes > 0 && progress.elapsed_seconds() >= o.minutes * 60;
      const bool out_of_steps = o.max_steps > 0 && trainer.iteration >= o.max_steps;
      if (interrupt_requested() || out_of_time || out_of_steps) {
        ++trainer.batch_in_epoch;  // this batch is done
        stopped_early = true;
        break;
      }
    }
    if (!stopped_early) {
      char name[64];
      std::snprintf(name, sizeof name, "/samples_epoch_%03lld.png", static_cast<long long>(trainer.epoch + 1));
      write_samples(trainer, fixed_z, o.out + name);
      ++trainer.epoch;
      trainer.batch_in_epoch = 0;
    }
    log.flush();
    trainer.save_checkpoint(checkpoint);
  }
  progress.finish();
  write_samples(trainer, fixed_z, o.out + "/samples.png");
  log.close();
  const std::string plot_note = plot_columns(log_path, {"d_loss", "g_loss"}, o.out + "/losses.png", "DCGAN losses");
  std::printf("%s after %lld iterations (%.1f epochs) in %s\n",
              interrupt_requested() ? "stopped by Ctrl-C" : "done", static_cast<long long>(trainer.iteration),
              static_cast<double>(trainer.iteration) / batches_per_epoch,
              format_duration(progress.elapsed_seconds()).c_str());
  std::printf("samples:    %s/samples.png (8x8, the same z every epoch: samples_epoch_NNN.png)\n", o.out.c_str());
  std::printf("losses:     %s\n", plot_note.empty() ? (o.out + "/losses.png").c_str() : plot_note.c_str());
  std::printf("log:        %s\ncheckpoint: %s (continue with --resume)\n", log_path.c_str(), checkpoint.c_str());
  report_device_memory(device);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"Train the lecture's DCGAN on MNIST digits (or Fashion-MNIST) and watch it learn.\n"
               "Writes to --out: samples.png and samples_epoch_NNN.png (8x8 grids from fixed z), log.csv,\n"
               "losses.png (when gnuplot is installed) and checkpoint.safetensors (every epoch and on Ctrl-C)."};
  app.add_option("--epochs", o.epochs, "passes over the training set")->check(CLI::PositiveNumber);
  app.add_option("--minutes", o.minutes, "stop cleanly after this much training time (0 = no limit)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--max-steps", o.max_steps,
                 "stop after this many iterations in all (0 = no limit): the same amount of training on any "
                 "machine, where --minutes depends on its speed")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--batch", o.batch, "images per batch (real and generated alike)")->check(CLI::PositiveNumber);
  app.add_option("--seed", o.seed, "seed for weights, noise and data order: the same seed repeats a run exactly");
  app.add_option("--device", o.device, kDeviceHelp);
  app.add_option("--threads", o.threads, "CPU threads (0 = all cores)")->check(CLI::NonNegativeNumber);
  app.add_option("--data", o.data, "folder holding the dataset's four *-ubyte.gz files (default: found automatically)");
  app.add_option("--dataset", o.dataset, "mnist or fashion")->check(CLI::IsMember({"mnist", "fashion"}));
  app.add_option("--out", o.out, "output folder");
  app.add_flag("--resume", o.resume, "continue from --out/checkpoint.safetensors (bit-exact with the same flags; "
               "--lr, --lr-g, --lr-d given with it change the learning rates from there on)");
  app.add_option("--lr", o.learning_rate, "Adam learning rate of both models")->check(CLI::PositiveNumber);
  app.add_option("--lr-g", o.generator_lr, "G's learning rate when it differs from --lr")
      ->check(CLI::PositiveNumber);
  app.add_option("--lr-d", o.discriminator_lr, "D's learning rate when it differs from --lr")
      ->check(CLI::PositiveNumber);
  app.add_option("--beta1", o.beta1, "Adam beta1")->check(CLI::Range(0.0, 0.999999));
  app.add_option("--beta2", o.beta2, "Adam beta2")->check(CLI::Range(0.0, 0.999999));
  app.add_option("--smooth", o.smooth, "target for real images in D's loss (0.9 = one-sided label smoothing)")
      ->check(CLI::Range(0.5, 1.0));
  app.add_option("--average", o.average,
                 "decay of the moving average of G's weights that samples and gan_eval use (0 = off: the trained G)")
      ->check(CLI::Range(0.0, 0.9999));
  app.add_option("--sample-every", o.sample_every, "refresh samples.png every N iterations (0 = only per epoch)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--limit", o.limit, "train on the first N images only (0 = all)")->check(CLI::NonNegativeNumber);
  CLI11_PARSE(app, argc, argv);
  o.generator_lr_given = app.count("--lr") + app.count("--lr-g") > 0;
  o.discriminator_lr_given = app.count("--lr") + app.count("--lr-d") > 0;
  return run_reporting_errors("mnist_gan", [&] { train(o); });
}
