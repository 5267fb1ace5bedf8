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
#include "apps/common/data_parallel_note.h"
#include "apps/common/device_flag.h"
#include "apps/common/loss_plot.h"
#include "apps/common/progress.h"
#include "apps/common/run_files.h"
#include "apps/common/training_loop.h"
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
  TrainingFlags run;             // --epochs (0: the arch's, 300 for mnist-mlp) --minutes --max-steps --resume
                                 // --threads --device --seed --out
  std::string dataset = "mnist", data, arch;
  std::string feature_matching;  // "" = the arch's
  int64_t minibatch_kernels = 0, minibatch_kernel_dims = 5;
  std::string dtype = "float32";
  std::string compare;           // another run's --out, whose result joins the final table
  int64_t labels = 0;            // 0: 100 for the 28x28 datasets, 1000 for svhn, 4000 for cifar10
  int64_t batch = 0;             // 0: the arch's
  double learning_rate = 0;      // 0: the arch's
  double beta1 = 0.5, smooth = 1.0, polyak_decay = 0.9999;
  bool baseline = false;
  int64_t eval_every = 0;        // iterations between test evaluations (0 = once per epoch)
  int64_t sample_every = 0;      // refresh samples.png every N iterations (0 = at the end only)
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
  run.labeled_indices = data::semi_supervised_split(run.train.labels, labels, o.run.seed).labeled_indices;
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
  const TrainingFlags& flags = o.run;
  if (flags.threads > 0) set_num_threads(flags.threads);
  const Device device = device_from_flag(flags.device);
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
  settings.seed = flags.seed;
  settings.dtype = o.dtype == "float64" ? kFloat64 : kFloat32;
  if (flags.epochs > 0) settings.epochs = flags.epochs;
  if (o.learning_rate > 0) settings.learning_rate = o.learning_rate;
  check(o.minibatch_kernels == 0 || o.feature_matching.empty(), "--feature-matching is G's loss without minibatch ",
        "discrimination; with --minibatch-kernels G learns from D's real/fake output instead");
  settings.minibatch_kernels = o.minibatch_kernels;
  settings.minibatch_kernel_dims = o.minibatch_kernel_dims;
  if (!o.feature_matching.empty()) settings.squared_feature_matching = o.feature_matching == "squared";
  const int64_t batch = o.batch > 0 ? o.batch : architecture.batch_size;
  const nn::DataParallel parallel;  // under mpirun each rank takes --batch / ranks of every batch
  parallel.local_batch(batch);  // a clear error unless --batch splits evenly over the ranks

  const RunData run = load_run_data(o, architecture, labels);
  // The baseline takes as many steps per epoch as the GAN, so epochs compare.
  const data::SemiSupervisedSampler sampler(run.labeled_indices, run.train.size(), batch, flags.seed, o.baseline,
                                            run.full_train_size / batch);
  const int64_t iterations_per_epoch = sampler.iterations_per_epoch();
  fs::create_directories(flags.out);
  const std::string checkpoint = flags.out + "/checkpoint.safetensors", log_path = flags.out + "/log.csv",
                    accuracy_path = flags.out + "/accuracy.csv";

  SslTrainer trainer(settings, device);
  if (flags.resume) {
    resume_from(trainer, checkpoint);
  } else {
    trainer.initialize(initialization_batch(run.train, flags.seed));
  }
  RunLog log(log_path, flags.resume, trainer.iteration,
             "iteration,epoch,supervised,unsupervised_real,unsupervised_fake,generator,labeled_accuracy,lr,seconds");
  RunLog accuracy_log(accuracy_path, flags.resume, trainer.iteration,
                      "iteration,epoch,test_accuracy,test_accuracy_polyak,seconds");

  Generator sample_stream(flags.seed + 4);  // the same 100 codes for every sample grid
  const Tensor fixed_z = uniform({100, kSslLatentSize}, architecture.latent_low, architecture.latent_high, sample_stream);
  std::printf("%s%s on %s (%s): %lld labels, %lld %s training images, %lld test images, batch %lld, "
              "%lld iterations per epoch, %d threads, %s%s\n",
              o.baseline ? "baseline (labeled images only)" : "semi-supervised GAN",
              o.minibatch_kernels > 0 ? (" with minibatch discrimination (" + std::to_string(o.minibatch_kernels) +
                                         " kernels x " + std::to_string(o.minibatch_kernel_dims) + ")").c_str()
                                      : "",
              o.dataset.c_str(),
              arch_name.c_str(), static_cast<long long>(labels), static_cast<long long>(run.train.size()),
              o.baseline ? "labeled" : "unlabeled", static_cast<long long>(run.test.size()),
              static_cast<long long>(batch), static_cast<long long>(iterations_per_epoch), num_threads(),
              device.str().c_str(), ranks_note(parallel, batch).c_str());

  TrainingLoop loop(settings.epochs, iterations_per_epoch, checkpoint, "try a lower --lr");
  Progress progress(planned_steps(loop, flags));
  ConfusionMatrix raw, averaged;
  int64_t evaluated_at = -1;
  std::string test_status = "test --";
  auto evaluate = [&] {
    raw = trainer.evaluate(run.test, false);
    averaged = trainer.evaluate(run.test, true);
    evaluated_at = trainer.iteration;
    accuracy_log.append(
        csv_row(trainer.iteration, trainer.epoch + 1, raw.accuracy(), averaged.accuracy(), progress.elapsed_seconds()));
    accuracy_log.flush();
    save_confusion_png(averaged, flags.out + "/confusion.png");
    test_status = "test " + percent(raw.accuracy()) + " (Polyak " + percent(averaged.accuracy()) + ")";
  };
  data::SemiSupervisedEpoch epoch;
  loop.start_epoch = [&] {
    trainer.start_epoch(trainer.epoch);
    epoch = sampler.epoch(trainer.epoch);
  };
  loop.step = [&](int64_t batch_index) {
    const Tensor labeled_rows = parallel.shard(epoch.labeled.select(0, batch_index));
    const Tensor labeled = data::gather_rows(run.train.images, labeled_rows).to(device);
    const Tensor labels_batch = data::gather_rows(run.train.labels, labeled_rows).to(device);
    Tensor unlabeled, matching;
    if (!o.baseline) {
      unlabeled = data::gather_rows(run.train.images, parallel.shard(epoch.unlabeled.select(0, batch_index))).to(device);
      matching = data::gather_rows(run.train.images, parallel.shard(epoch.matching.select(0, batch_index))).to(device);
    }
    const SslStepLosses losses = trainer.step(labeled, labels_batch, unlabeled, matching);
    log.append(csv_row(trainer.iteration, trainer.epoch + 1, losses.supervised, losses.unsupervised_real,
                       losses.unsupervised_fake, losses.generator, losses.labeled_accuracy, trainer.learning_rate(),
                       progress.elapsed_seconds()));
    char status[160];
    std::snprintf(status, sizeof status, "sup %.3f  unsup %.3f  G %.4f  %s", losses.supervised,
                  losses.unsupervised_real + losses.unsupervised_fake, losses.generator, test_status.c_str());
    return StepReport{{{"supervised", losses.supervised},
                       {"unsupervised", losses.unsupervised_real + losses.unsupervised_fake},
                       {"G", losses.generator}},
                      status};
  };
  loop.every = {{o.eval_every, evaluate}};
  if (!o.baseline) loop.every.push_back({o.sample_every, [&] { write_samples(trainer, fixed_z, flags.out + "/samples.png"); }});
  loop.end_epoch = [&](bool complete) {
    if (!complete) return;
    if (evaluated_at != trainer.iteration) evaluate();
    if (!o.baseline) {
      char name[64];
      std::snprintf(name, sizeof name, "/samples_epoch_%03lld.png", static_cast<long long>(trainer.epoch + 1));
      write_samples(trainer, fixed_z, flags.out + name);
    }
  };
  loop.save_checkpoint = [&] {
    log.flush();
    trainer.save_checkpoint(checkpoint);
  };
  const LoopResult result = run_training_loop(loop, flags, trainer.position(), progress);
  if (!parallel.is_main()) return;  // rank 0 evaluates and writes the files

  if (evaluated_at != trainer.iteration) evaluate();
  if (!o.baseline) write_samples(trainer, fixed_z, flags.out + "/samples.png");
  log.close();
  accuracy_log.close();
  const double seconds = result.seconds;
  write_file_atomic(flags.out + "/result.csv",
                    "mode,labels,accuracy,accuracy_polyak,iterations,seconds\n" +
                        std::string(o.baseline ? "baseline" : "gan") + "," + std::to_string(labels) + "," +
                        std::to_string(raw.accuracy()) + "," + std::to_string(averaged.accuracy()) + "," +
                        std::to_string(trainer.iteration) + "," + std::to_string(seconds) + "\n");
  const std::string plot_note =
      plot_columns(log_path, {"supervised", "unsupervised_real", "unsupervised_fake", "generator"},
                   flags.out + "/losses.png", "semi-supervised GAN losses");
  plot_columns(accuracy_path, {"test_accuracy", "test_accuracy_polyak"}, flags.out + "/accuracy.png", "test accuracy");

  std::printf("%s after %lld iterations (%.2f epochs) in %s\n\n",
              stop_words(result.reason).c_str(), static_cast<long long>(trainer.iteration),
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
                               flags.out.c_str());
  std::printf("confusion:  %s/confusion.png\n", flags.out.c_str());
  std::printf("losses:     %s\n", plot_note.empty() ? (flags.out + "/losses.png, accuracy.png").c_str() : plot_note.c_str());
  std::printf("logs:       %s, %s, %s/result.csv\ncheckpoint: %s (continue with --resume)\n", log_path.c_str(),
              accuracy_path.c_str(), flags.out.c_str(), checkpoint.c_str());
  report_device_memory(device);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  o.run.out = "out/ssl";
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
      ->check(positive_number());
  app.add_option("--arch", o.arch, "mnist-mlp, svhn-blog, svhn-paper or cifar-paper "
                                   "(default: mnist-mlp for 28x28 data, svhn-paper for 32x32)")
      ->check(CLI::IsMember({"mnist-mlp", "svhn-blog", "svhn-paper", "cifar-paper"}));
  add_training_flags(app, o.run, "passes over the training set (default: the paper's, 300 for mnist-mlp)");
  app.add_flag("--baseline", o.baseline, "train the same classifier on the labeled images alone, for comparison");
  app.add_option("--compare", o.compare, "another run's --out (e.g. the baseline's) to show in the final table");
  app.add_option("--batch", o.batch, "images per batch from each source (default: the arch's)")
      ->check(number_in(1, kMaxBatch));
  app.add_option("--lr", o.learning_rate, "Adam learning rate (default: the arch's)")->check(positive_number());
  app.add_option("--beta1", o.beta1, "Adam beta1")->check(number_in(0.0, 0.999999));
  app.add_option("--smooth", o.smooth, "target for real images in D's real/fake loss (0.9 = one-sided smoothing)")
      ->check(number_in(0.5, 1.0));
  app.add_option("--feature-matching", o.feature_matching,
                 "abs (the blog's, mean absolute difference) or squared (the paper's MNIST)")
      ->check(CLI::IsMember({"abs", "squared"}));
  app.add_option("--minibatch-kernels", o.minibatch_kernels,
                 "minibatch discrimination in D with B kernels before its last layer (Salimans et al. 2016, 3.2; "
                 "0 = off). G then learns from D's real/fake output (-log D(G(z))) instead of feature matching, as "
                 "the paper's sample-quality models")->check(number_in(0, 100000));
  app.add_option("--minibatch-dims", o.minibatch_kernel_dims, "the dims C of each minibatch kernel")
      ->check(number_in(1, 1000));
  app.add_option("--polyak-decay", o.polyak_decay, "decay of the Polyak average of D's weights")
      ->check(number_in(0.0, 0.999999999));
  app.add_option("--eval-every", o.eval_every, "evaluate on the test set every N iterations (0 = once per epoch)")
      ->check(non_negative_number());
  app.add_option("--sample-every", o.sample_every, "refresh samples.png every N iterations (0 = at the end only)")
      ->check(non_negative_number());
  app.add_option("--limit", o.limit, "train on the first N images only (0 = all)")->check(non_negative_number());
  app.add_option("--test-limit", o.test_limit, "test on the first N images only (0 = all)")
      ->check(non_negative_number());
  app.add_option("--dtype", o.dtype, "float32, or float64 (slower: for exact comparisons, e.g. of 1 process and "
                 "mpirun's ranks)")->check(CLI::IsMember({"float32", "float64"}));
  parse_errors_in_one_line(app, "ssl");
  CLI11_PARSE(app, argc, argv);
  return run_reporting_errors("ssl", [&] { train(o); });
}
