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
#include "apps/common/data_parallel_note.h"
#include "apps/common/device_flag.h"
#include "apps/common/loss_plot.h"
#include "apps/common/mnist_data.h"
#include "apps/common/mnist_models.h"
#include "apps/common/progress.h"
#include "apps/common/run_files.h"
#include "apps/common/training_loop.h"
#include "apps/mnist_gan/gan_trainer.h"
#include "data/image.h"

namespace fs = std::filesystem;
using namespace gs;
using namespace gs::apps;

namespace {

struct Options {
  TrainingFlags run;  // --epochs --minutes --max-steps --resume --threads --device --seed --out
  std::string recipe = "improved";  // sets the flags below that the command line leaves out
  int64_t batch = 64;
  std::string data, dataset = "mnist", dtype = "float32", loss = "bce";
  double smooth = 1.0;
  double learning_rate = 2e-4, beta1 = 0, beta2 = 0, average = 0;  // --lr, and what apply_recipe sets
  double generator_lr = 0, discriminator_lr = 0;  // 0: --lr
  bool generator_lr_given = false, discriminator_lr_given = false;  // on the command line
  DcganOptions architecture;
  double generator_history = 0, discriminator_history = 0;
  int generator_steps = 1;
  int64_t warmup = 0;
  int64_t limit = 0;  // use only the first N training images (tests, quick looks)
  int64_t sample_every = 100;  // refresh samples.png every N iterations (0 = only per epoch)
};

// The two recipes, as the flag values each one sets (a flag given on the
// command line wins). improved: the best measured at 1,500 updates (batch 64,
// tutorial 7): two G updates per D update and minibatch discrimination in D;
// dcgan: the DCGAN paper's (Radford et al. 2016), which samples the trained G itself.
void apply_recipe(const CLI::App& app, Options& o) {
  struct Setting {
    const char* flag;
    double* value;
    double improved, dcgan;
  };
  const bool dcgan = o.recipe == "dcgan", lr_given = app.count("--lr") > 0;
  const Setting settings[] = {{"--lr-g", &o.generator_lr, 2e-3, 2e-4},
                              {"--lr-d", &o.discriminator_lr, 2e-4, 2e-4},
                              {"--beta1", &o.beta1, 0.5, 0.5},
                              {"--beta2", &o.beta2, 0.99, 0.999},
                              {"--average", &o.average, 0.99, 0.0}};
  for (const Setting& setting : settings) {
    const bool is_rate = setting.value == &o.generator_lr || setting.value == &o.discriminator_lr;
    if (app.count(setting.flag) == 0 && !(is_rate && lr_given)) *setting.value = dcgan ? setting.dcgan : setting.improved;
  }
  if (app.count("--g-steps") == 0) o.generator_steps = dcgan ? 1 : 2;
  if (app.count("--minibatch-kernels") == 0) o.architecture.minibatch_kernels = dcgan ? 0 : 100;
}

void write_samples(GanTrainer& trainer, const Tensor& fixed_z, const std::string& path) {
  data::save_image_grid(trainer.sample(fixed_z).to(Device::cpu()), path, 8);
}

void train(const Options& o) {
  const TrainingFlags& run = o.run;
  if (run.threads > 0) set_num_threads(run.threads);
  const Device device = device_from_flag(run.device);
  const nn::DataParallel parallel;  // under mpirun each rank trains on --batch / ranks of every batch
  parallel.local_batch(o.batch);  // a clear error unless --batch splits evenly over the ranks
  data::Dataset train_set = load_digits(o.dataset, o.data, data::Split::kTrain);
  if (o.limit > 0 && o.limit < train_set.size()) train_set = train_set.subset(arange(o.limit, kInt64));
  const int64_t batches_per_epoch = train_set.size() / o.batch;
  check(batches_per_epoch > 0, "the training set (", train_set.size(), " images) is smaller than one batch of ",
        o.batch);
  fs::create_directories(run.out);
  const std::string checkpoint = run.out + "/checkpoint.safetensors", log_path = run.out + "/log.csv";

  GanSettings settings;
  settings.batch_size = o.batch;
  settings.generator_lr = o.generator_lr > 0 ? o.generator_lr : o.learning_rate;
  settings.discriminator_lr = o.discriminator_lr > 0 ? o.discriminator_lr : o.learning_rate;
  settings.beta1 = o.beta1;
  settings.beta2 = o.beta2;
  settings.real_label = o.smooth;
  settings.average_decay = o.average;
  settings.hinge_loss = o.loss == "hinge";
  settings.architecture = o.architecture;
  settings.generator_history = o.generator_history;
  settings.discriminator_history = o.discriminator_history;
  settings.generator_steps = o.generator_steps;
  settings.warmup_steps = o.warmup;
  settings.seed = run.seed;
  settings.dtype = o.dtype == "float64" ? kFloat64 : kFloat32;
  GanTrainer trainer(settings, device);
  if (run.resume) {
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
  RunLog log(log_path, run.resume, trainer.iteration, "iteration,epoch,d_loss,g_loss,d_real,d_fake,seconds");

  Generator sample_stream(run.seed + 2);  // the same 64 codes for every sample grid
  const Tensor fixed_z = randn({64, kLatentSize}, sample_stream);
  std::printf("training %s on %s: %lld images, batch %lld, %lld iterations per epoch, %d threads, %s%s\n",
              o.architecture.describe().c_str(), o.dataset.c_str(), static_cast<long long>(train_set.size()), static_cast<long long>(o.batch),
              static_cast<long long>(batches_per_epoch), num_threads(), device.str().c_str(),
              ranks_note(parallel, o.batch).c_str());

  TrainingLoop loop(run.epochs, batches_per_epoch, checkpoint, "try a lower --lr or --smooth 0.9");
  Progress progress(planned_steps(loop, run));
  Tensor order;
  loop.start_epoch = [&] { order = trainer.epoch_order(train_set.size(), trainer.epoch); };
  loop.step = [&](int64_t batch) {
    const Tensor rows = parallel.shard(order.narrow(0, batch * o.batch, o.batch));
    const Tensor real = data::gather_rows(train_set.images, rows).to(device);
    const StepLosses losses = trainer.step(real);
    log.append(csv_row(trainer.iteration, trainer.epoch + 1, losses.discriminator, losses.generator, losses.d_real,
                       losses.d_fake, progress.elapsed_seconds()));
    char status[128];
    std::snprintf(status, sizeof status, "D %.3f  G %.3f  D(x) %.2f  D(G(z)) %.2f", losses.discriminator,
                  losses.generator, losses.d_real, losses.d_fake);
    return StepReport{{{"D", losses.discriminator}, {"G", losses.generator}}, status};
  };
  loop.every = {{o.sample_every, [&] { write_samples(trainer, fixed_z, run.out + "/samples.png"); }}};
  loop.end_epoch = [&](bool complete) {
    if (!complete) return;
    char name[64];
    std::snprintf(name, sizeof name, "/samples_epoch_%03lld.png", static_cast<long long>(trainer.epoch + 1));
    write_samples(trainer, fixed_z, run.out + name);
  };
  loop.save_checkpoint = [&] {
    log.flush();
    trainer.save_checkpoint(checkpoint);
  };
  const LoopResult result = run_training_loop(loop, run, trainer.position(), progress);
  if (!parallel.is_main()) return;  // rank 0 writes the files

  write_samples(trainer, fixed_z, run.out + "/samples.png");
  log.close();
  const std::string plot_note = plot_columns(log_path, {"d_loss", "g_loss"}, run.out + "/losses.png", "DCGAN losses");
  std::printf("%s after %lld iterations (%.1f epochs) in %s\n", stop_words(result.reason).c_str(),
              static_cast<long long>(trainer.iteration), static_cast<double>(trainer.iteration) / batches_per_epoch,
              format_duration(result.seconds).c_str());
  std::printf("samples:    %s/samples.png (8x8, the same z every epoch: samples_epoch_NNN.png)\n", run.out.c_str());
  std::printf("losses:     %s\n", plot_note.empty() ? (run.out + "/losses.png").c_str() : plot_note.c_str());
  std::printf("log:        %s\ncheckpoint: %s (continue with --resume)\n", log_path.c_str(), checkpoint.c_str());
  report_device_memory(device);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  o.run.epochs = 5;
  o.run.out = "out/mnist_gan";
  CLI::App app{"Train the lecture's DCGAN on MNIST digits (or Fashion-MNIST) and watch it learn.\n"
               "Writes to --out: samples.png and samples_epoch_NNN.png (8x8 grids from fixed z), log.csv,\n"
               "losses.png (when gnuplot is installed) and checkpoint.safetensors (every epoch and on Ctrl-C)."};
  add_training_flags(app, o.run, "passes over the training set");
  app.add_option("--recipe", o.recipe,
                 "improved (the best measured at 1,500 updates: --lr-g 2e-3 --lr-d 2e-4 --beta2 0.99 --average 0.99 "
                 "--g-steps 2 --minibatch-kernels 100) or dcgan (the DCGAN paper's: --lr 2e-4 --beta1 0.5 --beta2 0.999 "
                 "--average 0 --g-steps 1 --minibatch-kernels 0); flags given as well override the recipe's")
      ->check(CLI::IsMember({"improved", "dcgan"}));
  app.get_option("--resume")->description("continue from --out/checkpoint.safetensors (bit-exact with the same "
                                          "flags; --lr, --lr-g, --lr-d given with it change the learning rates)");
  app.add_option("--batch", o.batch, "images per batch (real and generated alike)")->check(number_in(1, kMaxBatch));
  app.add_option("--data", o.data, "folder holding the dataset's four *-ubyte.gz files (default: found automatically)");
  app.add_option("--dataset", o.dataset, "mnist or fashion")->check(CLI::IsMember({"mnist", "fashion"}));
  app.add_option("--lr", o.learning_rate, "Adam learning rate of both models (instead of the recipe's)")
      ->check(positive_number());
  app.add_option("--lr-g", o.generator_lr, "G's learning rate when it differs from --lr")
      ->check(positive_number());
  app.add_option("--lr-d", o.discriminator_lr, "D's learning rate when it differs from --lr")
      ->check(positive_number());
  app.add_option("--beta1", o.beta1, "Adam beta1")->check(number_in(0.0, 0.999999));
  app.add_option("--beta2", o.beta2, "Adam beta2")->check(number_in(0.0, 0.999999));
  app.add_option("--smooth", o.smooth, "target for real images in D's loss (0.9 = one-sided label smoothing)")
      ->check(number_in(0.5, 1.0));
  app.add_option("--average", o.average,
                 "decay of the moving average of G's weights that samples and gan_eval use (0 = off: the trained G)")
      ->check(number_in(0.0, 0.9999));
  app.add_option("--loss", o.loss, "bce (D's cross-entropy, G's non-saturating loss) or hinge (D: max(0, 1 - D(x)) + "
                 "max(0, 1 + D(G(z))), G: -D(G(z)))")->check(CLI::IsMember({"bce", "hinge"}));
  app.add_option("--vbn", o.architecture.virtual_batch_norm,
                 "virtual batch norm in G with a reference batch of N codes (Salimans et al. 2016, 3.4; 0 = batch "
                 "norm). G also runs the reference batch every pass: about N/batch more work in G")
      ->check(number_in(0, kMaxBatch));
  app.add_option("--minibatch-kernels", o.architecture.minibatch_kernels,
                 "minibatch discrimination in D with B kernels (Salimans et al. 2016, 3.2; 0 = off; the paper and "
                 "--recipe improved: 100)")
      ->check(number_in(0, 100000));
  app.add_option("--minibatch-dims", o.architecture.minibatch_kernel_dims, "the dims C of each minibatch kernel")
      ->check(number_in(1, 1000));
  app.add_flag("--spectral-norm", o.architecture.spectral_norm,
               "spectral normalisation of D's convolutions and last Linear (Miyato et al. 2018; one power-iteration "
               "step per pass)");
  app.add_option("--history-g", o.generator_history,
                 "historical averaging for G: weight of ||theta - mean of past theta||^2 in G's loss (section 3.3; "
                 "0 = off)")->check(non_negative_number());
  app.add_option("--history-d", o.discriminator_history, "historical averaging for D, the same way")
      ->check(non_negative_number());
  app.add_option("--g-steps", o.generator_steps,
                 "G updates per iteration (D:G update ratio 1:N; each extra one on new z, about 1/3 more time per "
                 "iteration each)")->check(number_in(1, 100));
  app.add_option("--warmup", o.warmup,
                 "learning-rate warm-up: both rates grow linearly to theirs over the first N iterations (0 = off)")
      ->check(non_negative_number());
  app.add_option("--sample-every", o.sample_every, "refresh samples.png every N iterations (0 = only per epoch)")
      ->check(non_negative_number());
  app.add_option("--limit", o.limit, "train on the first N images only (0 = all)")->check(non_negative_number());
  app.add_option("--dtype", o.dtype, "float32, or float64 (slower: for exact comparisons, e.g. of 1 process and "
                 "mpirun's ranks)")->check(CLI::IsMember({"float32", "float64"}));
  parse_errors_in_one_line(app, "mnist_gan");
  CLI11_PARSE(app, argc, argv);
  apply_recipe(app, o);
  o.generator_lr_given = app.count("--lr") + app.count("--lr-g") > 0;
  o.discriminator_lr_given = app.count("--lr") + app.count("--lr-d") > 0;
  return run_reporting_errors("mnist_gan", [&] { train(o); });
}
