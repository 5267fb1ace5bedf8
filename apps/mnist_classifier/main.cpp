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
#include "apps/common/data_parallel_note.h"
#include "apps/common/device_flag.h"
#include "apps/common/mnist_data.h"
#include "apps/common/progress.h"
#include "apps/common/run_files.h"
#include "apps/common/training_loop.h"
#include "apps/mnist_classifier/classifier_trainer.h"

namespace fs = std::filesystem;
using namespace gs;
using namespace gs::apps;

namespace {

struct Options {
  TrainingFlags run;  // --epochs --minutes --max-steps --resume --threads --device --seed --out
  int64_t batch = 64;
  std::string data, dataset = "mnist";
  double learning_rate = 1e-3, learning_rate_decay = 0.5;
  int64_t eval_every = 0;  // also measure the test accuracy every N iterations (0 = after each epoch only)
};

void train(const Options& o) {
  const TrainingFlags& run = o.run;
  if (run.threads > 0) set_num_threads(run.threads);
  const Device device = device_from_flag(run.device);
  const nn::DataParallel parallel;  // under mpirun each rank trains on --batch / ranks of every batch
  parallel.local_batch(o.batch);  // a clear error unless --batch splits evenly over the ranks
  const data::Dataset train_set = load_digits(o.dataset, o.data, data::Split::kTrain);
  const data::Dataset test_set = load_digits(o.dataset, o.data, data::Split::kTest);
  const int64_t batches_per_epoch = train_set.size() / o.batch;
  check(batches_per_epoch > 0, "the training set (", train_set.size(), " images) is smaller than one batch of ",
        o.batch);
  fs::create_directories(run.out);
  const std::string checkpoint = run.out + "/classifier.safetensors", log_path = run.out + "/log.csv";

  ClassifierSettings settings;
  settings.batch_size = o.batch;
  settings.learning_rate = o.learning_rate;
  settings.learning_rate_decay = o.learning_rate_decay;
  settings.seed = run.seed;
  ClassifierTrainer trainer(settings, device);
  if (run.resume) resume_from(trainer, checkpoint);
  RunLog log(log_path, run.resume, trainer.iteration, "epoch,iteration,train_loss,train_accuracy,test_accuracy,seconds");
  std::printf("training the classifier on %s: %lld training and %lld test images, batch %lld, %lld iterations per "
              "epoch, %d threads, %s%s\n",
              o.dataset.c_str(), static_cast<long long>(train_set.size()), static_cast<long long>(test_set.size()),
              static_cast<long long>(o.batch), static_cast<long long>(batches_per_epoch), num_threads(),
              device.str().c_str(), ranks_note(parallel, o.batch).c_str());

  TrainingLoop loop(run.epochs, batches_per_epoch, checkpoint, "try a lower --lr");
  Progress progress(planned_steps(loop, run));
  Tensor order;
  double loss_sum = 0, test_accuracy = 0;
  int64_t steps = 0, correct = 0;  // since the epoch started (or the run resumed)
  loop.start_epoch = [&] {
    trainer.start_epoch(trainer.epoch);
    order = trainer.epoch_order(train_set.size(), trainer.epoch);
    loss_sum = 0;
    steps = correct = 0;
  };
  loop.step = [&](int64_t batch) {
    const Tensor indices = parallel.shard(order.narrow(0, batch * o.batch, o.batch));
    const StepResult result =
        trainer.step(data::gather_rows(train_set.images, indices), data::gather_rows(train_set.labels, indices));
    loss_sum += result.loss;
    correct += result.correct;
    ++steps;
    char status[96];
    std::snprintf(status, sizeof status, "loss %.4f  train accuracy %.2f%%", loss_sum / steps,
                  100.0 * correct / (steps * o.batch));
    return StepReport{{{"loss", result.loss}}, status};
  };
  // A row of log.csv: the epoch so far and the test accuracy now.
  auto evaluate = [&] {
    const double epochs_done = trainer.epoch + static_cast<double>(trainer.batch_in_epoch) / batches_per_epoch;
    const double train_loss = steps ? loss_sum / steps : 0.0;
    const double train_accuracy = steps ? static_cast<double>(correct) / (steps * o.batch) : 0.0;
    test_accuracy = trainer.test_accuracy(test_set);
    progress.finish();
    std::printf("epoch %.2f: test accuracy %.2f%% (train loss %.4f, train accuracy %.2f%%) after %s\n", epochs_done,
                100.0 * test_accuracy, train_loss, 100.0 * train_accuracy,
                format_duration(progress.elapsed_seconds()).c_str());
    log.append(csv_row(epochs_done, trainer.iteration, train_loss, train_accuracy, test_accuracy,
                       progress.elapsed_seconds()));
    log.flush();
  };
  int64_t evaluated_at = -1;
  loop.every = {{o.eval_every, [&] {
                   evaluate();
                   evaluated_at = trainer.iteration;
                 }}};
  loop.end_epoch = [&](bool) {
    if (evaluated_at != trainer.iteration) evaluate();
  };
  loop.save_checkpoint = [&] { trainer.save_checkpoint(checkpoint, test_accuracy); };
  const LoopResult result = run_training_loop(loop, run, trainer.position(), progress);
  if (!parallel.is_main()) return;

  std::printf("%s after %lld iterations in %s: test accuracy %.2f%%\n", stop_words(result.reason).c_str(),
              static_cast<long long>(trainer.iteration), format_duration(result.seconds).c_str(),
              100.0 * test_accuracy);
  std::printf("log:        %s\ncheckpoint: %s (continue with --resume; evaluate a GAN with build/apps/gan_eval "
              "--classifier %s)\n",
              log_path.c_str(), checkpoint.c_str(), checkpoint.c_str());
  report_device_memory(device);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  o.run.epochs = 3;
  o.run.out = "out/mnist_classifier";
  CLI::App app{"Train the small CNN that judges GAN samples (the evaluator of build/apps/gan_eval)\n"
               "on MNIST digits (or Fashion-MNIST). Writes to --out: log.csv (one row per epoch) and\n"
               "classifier.safetensors (the model, its optimizer and the run's position; every epoch and on Ctrl-C)."};
  add_training_flags(app, o.run, "passes over the training set (3 reach about 99.3% on MNIST)");
  app.add_option("--batch", o.batch, "images per training step")->check(number_in(1, kMaxBatch));
  app.add_option("--data", o.data, "folder holding the dataset's four *-ubyte.gz files (default: found automatically)");
  app.add_option("--dataset", o.dataset, "mnist or fashion")->check(CLI::IsMember({"mnist", "fashion"}));
  app.add_option("--lr", o.learning_rate, "Adam learning rate of the first epoch")->check(positive_number());
  app.add_option("--lr-decay", o.learning_rate_decay, "the learning rate is multiplied by this after every epoch")
      ->check(number_in(0.0, 1.0));
  app.add_option("--eval-every", o.eval_every,
                 "also measure the test accuracy (a row of log.csv) every N iterations (0 = after each epoch only)")
      ->check(non_negative_number());
  parse_errors_in_one_line(app, "mnist_classifier");
  CLI11_PARSE(app, argc, argv);
  return run_reporting_errors("mnist_classifier", [&] { train(o); });
}
