// ssl: the semi-supervised GAN classifier of Salimans et al. 2016 ("Improved
// Techniques for Training GANs"): a discriminator that is also a 10-class
// classifier learns from a few labeled images, all the unlabeled ones and a
// generator's fakes; --baseline trains the same classifier on the labels alone.
//   build/apps/ssl --dataset mnist --labels 100 --minutes 30 --out out/ssl
//   build/apps/ssl --dataset mnist --labels 100 --minutes 30 --baseline --out out/ssl-baseline
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
#include "apps/common/progress.h"
#include "apps/common/run_files.h"
#include "apps/ssl/ssl_data.h"
#include "apps/ssl/ssl_report.h"
#include "apps/ssl/ssl_trainer.h"
#include "data/image.h"
#include "data/semi_supervised_sampler.h"
#include "data/split.h"
#include "tensor/file_io.h"

namespace fs = std::filesystem;
using namespace gs;
using namespace gs::apps;

namespace {

struct Options {
  std::string dataset = "mnist", data, arch, out = "out/ssl", device = "cpu";
  std::string feature_matching;  // "" = the arch's
  std::string compare;           // another run's --out, whose result joins the final table
  int64_t labels = 0;            // 0: 100 for the 28x28 datasets, 1000 for svhn, 4000 for cifar10
  int64_t epochs = 0;            // 0: the arch's (300 for mnist-mlp)
  int64_t batch = 0;             // 0: the arch's
  double minutes = 0;
  double learning_rate = 0;      // 0: the arch's
  double beta1 = 0.5, smooth = 1.0, polyak_decay = 0.9999;
  uint64_t seed = 1;
  int threads = 0;
  bool resume = false, baseline = false;
  int64_t eval_every = 0;        // iterations between test evaluations (0 = once per epoch)
  int64_t limit = 0, test_limit = 0;
};

// The run's data: the training images (for the baseline: only the labeled
// ones), which of them are labeled, and the test set.
struct RunData {
  data::Dataset train, test;
  Tensor labeled_indices;        // into train
  int64_t full_train_size = 0;   // before the baseline dropped the unlabeled images
};

RunData load_run_data(const Options& o, const SslArchitecture& architecture, int64_t labels) {
  RunData run;
  run.train = load_ssl_dataset(o.dataset, o.data, data::Split::kTrain, architecture);
  run.test = load_ssl_dataset(o.dataset, o.data, data::Split::kTest, architecture);
  if (o.limit > 0 && o.limit < run.train.size()) run.train = run.train.subset(arange(o.limit, kInt64));
  if (o.test_limit > 0 && o.test_limit < run.test.size()) run.test = run.test.subset(arange(o.test_limit, kInt64));
  run.full_train_size = run.train.size();
  // The split depends on the seed only, so the GAN and its baseline see the same labels.
  run.labeled_indices = data::semi_supervised_split(run.train.labels, labels, o.seed).labeled_indices;
  if (o.baseline) {  // keep nothing but the labeled examples: unlabeled data cannot leak in
    run.train = run.train.subset(run.labeled_indices);
    run.labeled_indices = arange(labels, kInt64);
  }
  return run;
}

// The batch the weight-normalised layers are initialised from: 500 random
// training images as in the original (for the baseline: its labeled ones).
Tensor initialization_batch(const data::Dataset& train, uint64_t seed) {
  Generator order(seed + 3);
  const Tensor indices = randperm(train.size(), order).narrow(0, 0, std::min<int64_t>(500, train.size()));
  return data::gather_rows(train.images, indices);
}

void write_samples(SslTrainer& trainer, const Tensor& fixed_z, const std::string& path) {
  data::save_image_grid(trainer.sample(fixed_z).to(Device::cpu()), path, 10, trainer.architecture().range);
}

std::string percent(double fraction) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f%%", 100.0 * fraction);
  return text;
}

// A finished run's result.csv: "mode,labels,accuracy,accuracy_polyak,iterations,seconds" and one row.
bool read_result(const std::string& dir, ResultRow& row) {
  const std::string path = dir + "/result.csv";
  if (!fs::exists(path)) return false;
  std::istringstream lines(read_file(path));
  std::string header, line;
  std::getline(lines, header);
  std::getline(lines, line);
  char mode[32] = {0};
  long long labels = 0, iterations = 0;
  double accuracy = 0, averaged = 0;
  check(std::sscanf(line.c_str(), "%31[^,],%lld,%lf,%lf,%lld", mode, &labels, &accuracy, &averaged, &iterations) == 5,
        path, ": not a result.csv written by ssl");
  row = {std::string("--compare ") + dir + " (" + mode + ")", labels, averaged,
         "after " + std::to_string(iterations) + " iterations"};
  return true;
}

void train(const Options& o) {
  if (o.threads > 0) set_num_threads(o.threads);
  const Device device = device_from_flag(o.device);
  const bool digits = o.dataset == "mnist" || o.dataset == "fashion";
  const std::string arch_name = !o.arch.empty() ? o.arch : digits ? "mnist-mlp" : "svhn-paper";
  const SslArchitecture architecture = ssl_architecture(arch_name);
  const int64_t labels = o.labels > 0 ? o.labels : digits || o.dataset == "mnist32" ? 100
                                                   : o.dataset == "cifar10"         ? 4000
                                                                                    : 1000;
  SslSettings settings = SslSettings::defaults_for(architecture);
  settings.baseline = o.baseline;
  settings.beta1 = o.beta1;
  settings.real_target = o.smooth;
  settings.polyak_decay = o.polyak_decay;
  settings.seed = o.seed;
  if (o.epochs > 0) settings.epochs = o.epochs;
  if (o.learning_rate > 0) settings.learning_rate = o.learning_rate;
  if (!o.feature_matching.empty()) settings.squared_feature_matching = o.feature_matching == "squared";
  const int64_t batch = o.batch > 0 ? o.batch : architecture.batch_size;

  const RunData run = load_run_data(o, architecture, labels);
  // The baseline takes as many steps per epoch as the GAN, so epochs compare.
  const data::SemiSupervisedSampler sampler(run.labeled_indices, run.train.size(), batch, o.seed, o.baseline,
                                            run.full_train_size / batch);
  const int64_t iterations_per_epoch = sampler.iterations_per_epoch();
  fs::create_directories(o.out);
  const std::string checkpoint = o.out + "/checkpoint.safetensors", log_path = o.out + "/log.csv",
                    accuracy_path = o.out + "/accuracy.csv";

  SslTrainer trainer(settings, device);
  if (o.resume) {
    resume_from(trainer, checkpoint);
  } else {
    trainer.initialize(initialization_batch(run.train, o.seed));
  }
  std::ofstream log = open_run_log(
      log_path, o.resume, trainer.iteration,
      "iteration,epoch,supervised,unsupervised_real,unsupervised_fake,generator,labeled_accuracy,lr,seconds");
  std::ofstream accuracy_log =
      open_run_log(accuracy_path, o.resume, trainer.iteration,
                   "iteration,epoch,test_accuracy,test_accuracy_polyak,seconds");

  Generator sample_stream(o.seed + 4);  // the same 100 codes for every sample grid
  const Tensor fixed_z = uniform({100, kSslLatentSize}, architecture.latent_low, architecture.latent_high, sample_stream);
  std::printf("%s on %s (%s): %lld labels, %lld %s training images, %lld test images, batch %lld, "
              "%lld iterations per epoch, %d threads, %s\n",
              o.baseline ? "baseline (labeled images only)" : "semi-supervised GAN", o.dataset.c_str(),
              arch_name.c_str(), static_cast<long long>(labels), static_cast<long long>(run.train.size()),
              o.baseline ? "labeled" : "unlabeled", static_cast<long long>(run.test.size()),
              static_cast<long long>(batch), static_cast<long long>(iterations_per_epoch), num_threads(),
              device.str().c_str());

  ConfusionMatrix raw, averaged;
  int64_t evaluated_at = -1;
  Progress progress(o.minutes > 0 ? 0 : settings.epochs * iterations_per_epoch);
  auto evaluate = [&] {
    raw = trainer.evaluate(run.test, false);
    averaged = trainer.evaluate(run.test, true);
    evaluated_at = trainer.iteration;
    accuracy_log << trainer.iteration << ',' << trainer.epoch + 1 << ',' << raw.accuracy() << ','
                 << averaged.accuracy() << ',' << progress.elapsed_seconds() << '\n';
    accuracy_log.flush();
    save_confusion_png(averaged, o.out + "/confusion.png");
  };

  install_interrupt_handler();
  bool stopped_early = false;
  std::string test_status = "test --";
  while (trainer.epoch < settings.epochs && !stopped_early) {
    trainer.start_epoch(trainer.epoch);
    const data::SemiSupervisedEpoch epoch = sampler.epoch(trainer.epoch);
    for (; trainer.batch_in_epoch < iterations_per_epoch; ++trainer.batch_in_epoch) {
      const Tensor labeled_rows = epoch.labeled.select(0, trainer.batch_in_epoch);
      const Tensor labeled = data::gather_rows(run.train.images, labeled_rows).to(device);
      const Tensor labels_batch = data::gather_rows(run.train.labels, labeled_rows).to(device);
      Tensor unlabeled, matching;
      if (!o.baseline) {
        unlabeled = data::gather_rows(run.train.images, epoch.unlabeled.select(0, trainer.batch_in_epoch)).to(device);
        matching = data::gather_rows(run.train.images, epoch.matching.select(0, trainer.batch_in_epoch)).to(device);
      }
      const SslStepLosses losses = trainer.step(labeled, labels_batch, unlabeled, matching);
      if (!std::isfinite(losses.supervised) || !std::isfinite(losses.unsupervised_real) ||
          !std::isfinite(losses.generator)) {
        progress.finish();
        fail("the losses became NaN/Inf at iteration ", trainer.iteration, "; stopping. The last good checkpoint is ",
             checkpoint, " (try a lower --lr)");
      }
      log << trainer.iteration << ',' << trainer.epoch + 1 << ',' << losses.supervised << ','
          << losses.unsupervised_real << ',' << losses.unsupervised_fake << ',' << losses.generator << ','
          << losses.labeled_accuracy << ',' << trainer.learning_rate() << ',' << progress.elapsed_seconds() << '\n';
      if (o.eval_every > 0 && trainer.iteration % o.eval_every == 0) {
        evaluate();
        test_status = "test " + percent(raw.accuracy()) + " (Polyak " + percent(averaged.accuracy()) + ")";
      }
      char status[160];
      std::snprintf(status, sizeof status, "sup %.3f  unsup %.3f  G %.4f  %s", losses.supervised,
                    losses.unsupervised_real + losses.unsupervised_fake, losses.generator, test_status.c_str());
      progress.update(trainer.iteration,
                      "epoch " + std::to_string(trainer.epoch + 1) + "/" + std::to_string(settings.epochs), status);
      const bool out_of_time = o.minutes > 0 && progress.elapsed_seconds() >= o.minutes * 60;
      if (interrupt_requested() || out_of_time) {
        ++trainer.batch_in_epoch;  // this batch is done
        stopped_early = true;
        break;
      }
    }
    if (!stopped_early) {
      if (evaluated_at != trainer.iteration) evaluate();
      test_status = "test " + percent(raw.accuracy()) + " (Polyak " + percent(averaged.accuracy()) + ")";
      if (!o.baseline) {
        char name[64];
        std::snprintf(name, sizeof name, "/samples_epoch_%03lld.png", static_cast<long long>(trainer.epoch + 1));
        write_samples(trainer, fixed_z, o.out + name);
      }
      ++trainer.epoch;
      trainer.batch_in_epoch = 0;
    }
    log.flush();
    trainer.save_checkpoint(checkpoint);
  }
  progress.finish();
  if (evaluated_at != trainer.iteration) evaluate();
  if (!o.baseline) write_samples(trainer, fixed_z, o.out + "/samples.png");
  log.close();
  accuracy_log.close();

  const double seconds = progress.elapsed_seconds();
  write_file_atomic(o.out + "/result.csv",
                    "mode,labels,accuracy,accuracy_polyak,iterations,seconds\n" +
                        std::string(o.baseline ? "baseline" : "gan") + "," + std::to_string(labels) + "," +
                        std::to_string(raw.accuracy()) + "," + std::to_string(averaged.accuracy()) + "," +
                        std::to_string(trainer.iteration) + "," + std::to_string(seconds) + "\n");
  const std::string plot_note =
      plot_columns(log_path, {"supervised", "unsupervised_real", "unsupervised_fake", "generator"},
                   o.out + "/losses.png", "semi-supervised GAN losses");
  plot_columns(accuracy_path, {"test_accuracy", "test_accuracy_polyak"}, o.out + "/accuracy.png", "test accuracy");

  std::printf("%s after %lld iterations (%.2f epochs) in %s\n\n",
              interrupt_requested() ? "stopped by Ctrl-C" : "done", static_cast<long long>(trainer.iteration),
              static_cast<double>(trainer.iteration) / static_cast<double>(iterations_per_epoch),
              format_duration(seconds).c_str());
  std::printf("confusion matrix on the %lld test images (Polyak-averaged weights):\n%s\n",
              static_cast<long long>(run.test.size()), confusion_text(averaged).c_str());
  const std::string mode = o.baseline ? "baseline" : "GAN";
  std::vector<ResultRow> rows = {{"this run (" + mode + "), Polyak average", labels, averaged.accuracy(), ""},
                                 {"this run (" + mode + "), raw weights", labels, raw.accuracy(), ""}};
  ResultRow compared;
  if (!o.compare.empty() && read_result(o.compare, compared)) rows.push_back(compared);
  for (const ReferenceResult& reference : reference_results(o.dataset))
    rows.push_back({reference.source, reference.labels, 1.0 - reference.error_percent / 100.0, reference.spread});
  std::printf("%s\n", results_table(rows).c_str());
  if (!o.baseline) std::printf("samples:    %s/samples.png (the same z every epoch: samples_epoch_NNN.png)\n",
                               o.out.c_str());
  std::printf("confusion:  %s/confusion.png\n", o.out.c_str());
  std::printf("losses:     %s\n", plot_note.empty() ? (o.out + "/losses.png, accuracy.png").c_str() : plot_note.c_str());
  std::printf("logs:       %s, %s, %s/result.csv\ncheckpoint: %s (continue with --resume)\n", log_path.c_str(),
              accuracy_path.c_str(), o.out.c_str(), checkpoint.c_str());
  report_device_memory(device);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{
      "Semi-supervised classification with a GAN (Salimans et al. 2016): the discriminator is a 10-class\n"
      "classifier trained on a few labeled images, the unlabeled ones and the generator's fakes.\n"
      "Writes to --out: log.csv, accuracy.csv, result.csv, confusion.png, samples_epoch_NNN.png,\n"
      "losses.png and accuracy.png (when gnuplot is installed) and checkpoint.safetensors."};
  app.add_option("--dataset", o.dataset, "mnist, fashion, svhn, cifar10, or mnist32 (MNIST padded to 32x32x3)")
      ->check(CLI::IsMember({"mnist", "fashion", "svhn", "cifar10", "mnist32"}));
  app.add_option("--data", o.data, "folder holding the dataset's files (default: found automatically)");
  app.add_option("--labels", o.labels,
                 "labeled training images, a multiple of 10 (default 100; svhn 1000; cifar10 4000)")
      ->check(CLI::PositiveNumber);
  app.add_option("--arch", o.arch, "mnist-mlp, svhn-blog, svhn-paper or cifar-paper "
                                   "(default: mnist-mlp for 28x28 data, svhn-paper for 32x32)")
      ->check(CLI::IsMember({"mnist-mlp", "svhn-blog", "svhn-paper", "cifar-paper"}));
  app.add_option("--epochs", o.epochs, "passes over the training set (default: the paper's, 300 for mnist-mlp)")
      ->check(CLI::PositiveNumber);
  app.add_option("--minutes", o.minutes, "stop cleanly after this much training time (0 = no limit)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--seed", o.seed, "seed for the label split, weights, noise and data order");
  app.add_option("--out", o.out, "output folder");
  app.add_flag("--resume", o.resume, "continue from --out/checkpoint.safetensors (bit-exact with the same flags)");
  app.add_flag("--baseline", o.baseline, "train the same classifier on the labeled images alone, for comparison");
  app.add_option("--compare", o.compare, "another run's --out (e.g. the baseline's) to show in the final table");
  app.add_option("--device", o.device, kDeviceHelp);
  app.add_option("--threads", o.threads, "CPU threads (0 = all cores)")->check(CLI::NonNegativeNumber);
  app.add_option("--batch", o.batch, "images per batch from each source (default: the arch's)")
      ->check(CLI::PositiveNumber);
  app.add_option("--lr", o.learning_rate, "Adam learning rate (default: the arch's)")->check(CLI::PositiveNumber);
  app.add_option("--beta1", o.beta1, "Adam beta1")->check(CLI::Range(0.0, 0.999999));
  app.add_option("--smooth", o.smooth, "target for real images in D's real/fake loss (0.9 = one-sided smoothing)")
      ->check(CLI::Range(0.5, 1.0));
  app.add_option("--feature-matching", o.feature_matching,
                 "abs (the blog's, mean absolute difference) or squared (the paper's MNIST)")
      ->check(CLI::IsMember({"abs", "squared"}));
  app.add_option("--polyak-decay", o.polyak_decay, "decay of the Polyak average of D's weights")
      ->check(CLI::Range(0.0, 0.999999999));
  app.add_option("--eval-every", o.eval_every, "evaluate on the test set every N iterations (0 = once per epoch)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--limit", o.limit, "train on the first N images only (0 = all)")->check(CLI::NonNegativeNumber);
  app.add_option("--test-limit", o.test_limit, "test on the first N images only (0 = all)")
      ->check(CLI::NonNegativeNumber);
  CLI11_PARSE(app, argc, argv);
  return run_reporting_errors("ssl", [&] { train(o); });
}
