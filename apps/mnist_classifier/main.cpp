// mnist_classifier: trains the small CNN that judges the GAN's samples
// (apps/common/mnist_models.h) on MNIST or Fashion-MNIST, with a progress
// bar, the test accuracy after every epoch and a resumable checkpoint.
//   build/apps/mnist_classifier --epochs 3 --out out/mnist_classifier
#include <CLI/CLI.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "apps/common/cli.h"
#include "apps/common/device_flag.h"
#include "apps/common/interrupt.h"
#include "apps/common/mnist_data.h"
#include "apps/common/progress.h"
#include "apps/common/run_files.h"
#include "apps/mnist_classifier/classifier_trainer.h"

namespace fs = std::filesystem;
using namespace gs;
using namespace gs::apps;

namespace {

struct Options {
  int64_t epochs = 3;
  double minutes = 0;  // 0: no time budget
  int64_t batch = 64;
  uint64_t seed = 1;
  std::string device = "cpu";
  int threads = 0;  // 0: OpenMP's default (all cores)
  std::string data, dataset = "mnist", out = "out/mnist_classifier";
  bool resume = false;
  double learning_rate = 1e-3, learning_rate_decay = 0.5;
  int64_t max_steps = 0;  // 0: no limit
};

void train(const Options& o) {
  if (o.threads > 0) set_num_threads(o.threads);
  const Device device = device_from_flag(o.device);
  const data::Dataset train_set = load_digits(o.dataset, o.data, data::Split::kTrain);
  const data::Dataset test_set = load_digits(o.dataset, o.data, data::Split::kTest);
  const int64_t batches_per_epoch = train_set.size() / o.batch;
  check(batches_per_epoch > 0, "the training set (", train_set.size(), " images) is smaller than one batch of ",
        o.batch);
  fs::create_directories(o.out);
  const std::string checkpoint = o.out + "/classifier.safetensors", log_path = o.out + "/log.csv";

  ClassifierSettings settings;
  settings.batch_size = o.batch;
  settings.learning_rate = o.learning_rate;
  settings.learning_rate_decay = o.learning_rate_decay;
  settings.seed = o.seed;
  ClassifierTrainer trainer(settings, device);
  if (o.resume) resume_from(trainer, checkpoint);
  std::ofstream log = open_run_log(log_path, o.resume, trainer.iteration,
                                   "epoch,iteration,train_loss,train_accuracy,test_accuracy,seconds");
  std::printf("training the classifier on %s: %lld training and %lld test images, batch %lld, %lld iterations per "
              "epoch, %d threads, %s\n",
              o.dataset.c_str(), static_cast<long long>(train_set.size()), static_cast<long long>(test_set.size()),
              static_cast<long long>(o.batch), static_cast<long long>(batches_per_epoch), num_threads(),
              device.str().c_str());

  install_interrupt_handler();
  Progress progress(o.minutes > 0 ? 0 : o.epochs * batches_per_epoch);
  double test_accuracy = 0;
  bool stopped_early = false;
  while (trainer.epoch < o.epochs && !stopped_early) {
    const Tensor order = trainer.epoch_order(train_set.size(), trainer.epoch);
    double loss_sum = 0;
    int64_t steps = 0, correct = 0;  // since the epoch started (or the run resumed)
    for (; trainer.batch_in_epoch < batches_per_epoch; ++trainer.batch_in_epoch) {
      const Tensor indices = order.narrow(0, trainer.batch_in_epoch * o.batch, o.batch);
      const StepResult result =
          trainer.step(data::gather_rows(train_set.images, indices), data::gather_rows(train_set.labels, indices));
      check(std::isfinite(result.loss), "the loss became NaN/Inf at iteration ", trainer.iteration,
            "; stopping. The last good checkpoint is ", checkpoint, " (try a lower --lr)");
      loss_sum += result.loss;
      correct += result.correct;
      ++steps;
      char status[96];
      std::snprintf(status, sizeof status, "loss %.4f  train accuracy %.2f%%", loss_sum / steps,
                    100.0 * correct / (steps * o.batch));
      progress.update(trainer.iteration,
                      "epoch " + std::to_string(trainer.epoch + 1) + "/" + std::to_string(o.epochs), status);
      const bool out_of_time = o.minutes > 0 && progress.elapsed_seconds() >= o.minutes * 60;
      const bool out_of_steps = o.max_steps > 0 && trainer.iteration >= o.max_steps;
      if (interrupt_requested() || out_of_time || out_of_steps) {
        ++trainer.batch_in_epoch;  // this batch is done
        stopped_early = true;
        break;
      }
    }
    const double epochs_done = trainer.epoch + static_cast<double>(trainer.batch_in_epoch) / batches_per_epoch;
    const double train_loss = steps ? loss_sum / steps : 0.0;
    const double train_accuracy = steps ? static_cast<double>(correct) / (steps * o.batch) : 0.0;
    test_accuracy = trainer.test_accuracy(test_set);
    progress.finish();
    std::printf("epoch %.2f: test accuracy %.2f%% (train loss %.4f, train accuracy %.2f%%) after %s\n", epochs_done,
                100.0 * test_accuracy, train_loss, 100.0 * train_accuracy,
                format_duration(progress.elapsed_seconds()).c_str());
    log << epochs_done << ',' << trainer.iteration << ',' << train_loss << ',' << train_accuracy << ','
        << test_accuracy << ',' << progress.elapsed_seconds() << '\n';
    log.flush();
    // Also when the time or step budget ran out on the epoch's last batch.
    if (trainer.batch_in_epoch == batches_per_epoch) trainer.finish_epoch();
    trainer.save_checkpoint(checkpoint, test_accuracy);
  }
  std::printf("%s after %lld iterations in %s: test accuracy %.2f%%\n",
              stopped_early ? "stopped" : "done", static_cast<long long>(trainer.iteration),
              format_duration(progress.elapsed_seconds()).c_str(), 100.0 * test_accuracy);
  std::printf("log:        %s\ncheckpoint: %s (continue with --resume; evaluate a GAN with build/apps/gan_eval "
              "--classifier %s)\n",
              log_path.c_str(), checkpoint.c_str(), checkpoint.c_str());
  report_device_memory(device);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"Train the small CNN that judges GAN samples (the evaluator of build/apps/gan_eval)\n"
               "on MNIST digits (or Fashion-MNIST). Writes to --out: log.csv (one row per epoch) and\n"
               "classifier.safetensors (the model, its optimizer and the run's position; every epoch and on Ctrl-C)."};
  app.add_option("--epochs", o.epochs, "passes over the training set (3 reach about 99.3% on MNIST)")
      ->check(CLI::PositiveNumber);
  app.add_option("--minutes", o.minutes, "stop cleanly after this much training time (0 = no limit)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--batch", o.batch, "images per training step")->check(CLI::PositiveNumber);
  app.add_option("--seed", o.seed, "seed for weights, dropout and data order: the same seed repeats a run exactly");
  app.add_option("--device", o.device, kDeviceHelp);
  app.add_option("--threads", o.threads, "CPU threads (0 = all cores)")->check(CLI::NonNegativeNumber);
  app.add_option("--data", o.data, "folder holding the dataset's four *-ubyte.gz files (default: found automatically)");
  app.add_option("--dataset", o.dataset, "mnist or fashion")->check(CLI::IsMember({"mnist", "fashion"}));
  app.add_option("--out", o.out, "output folder");
  app.add_flag("--resume", o.resume, "continue from --out/classifier.safetensors (bit-exact with the same flags)");
  app.add_option("--lr", o.learning_rate, "Adam learning rate of the first epoch")->check(CLI::PositiveNumber);
  app.add_option("--lr-decay", o.learning_rate_decay, "the learning rate is multiplied by this after every epoch")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--max-steps", o.max_steps, "stop after this many training steps in all (0 = no limit)")
      ->check(CLI::NonNegativeNumber);
  CLI11_PARSE(app, argc, argv);
  return run_reporting_errors("mnist_classifier", [&] { train(o); });
}
