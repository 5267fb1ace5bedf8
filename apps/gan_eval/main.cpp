// gan_eval: how good are a generator's digits? Draws samples from a mnist_gan
// checkpoint and judges them with a mnist_classifier checkpoint:
//   (1) the Inception-style score exp(E_x KL(p(y|x) || p(y))) (Salimans et al. 2016),
//   (2) the histogram of predicted classes (mode coverage),
//   (3) the Frechet distance between Gaussian fits of the classifier's
//       penultimate features of the samples and of the real test images
//       (Heusel et al. 2017's FID, in our classifier's feature space),
// next to the same numbers for real images (tutorials/07-evaluating-gans).
//   build/apps/gan_eval --generator out/mnist_gan/checkpoint.safetensors
//                       --classifier out/mnist_classifier/classifier.safetensors
#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>

#include "apps/common/classifier_eval.h"
#include "apps/common/cli.h"
#include "apps/common/device_flag.h"
#include "apps/common/mnist_data.h"
#include "apps/common/mnist_models.h"
#include "apps/common/trained_models.h"
#include "data/image.h"

namespace fs = std::filesystem;
using namespace gs;
using namespace gs::apps;

namespace {

constexpr int64_t kClasses = 10;
constexpr int64_t kGridColumns = 16;  // samples shown per class in the picture

struct Options {
  std::string generator, classifier;
  int64_t samples = 10000, batch = 64;
  uint64_t seed = 1;
  bool json = false;
  std::string device = "cpu";
  int threads = 0;
  std::string data, dataset = "mnist", out = "out/gan_eval";
  std::string weights = "averaged";
};

struct Row {
  std::string name;
  SetQuality quality;
  bool has_frechet = true;  // the reference set's distance to itself is 0 by definition
};

// `count` samples G(z), z ~ N(0, I) from `seed`, drawn `batch` at a time. In
// train mode batch norm normalises with each batch's own statistics, as it
// did during training; in eval mode with the running averages.
Tensor draw_samples(nn::Sequential& generator, int64_t count, int64_t batch, uint64_t seed, bool train_mode,
                    Device device) {
  NoGradGuard no_grad;
  generator.train(train_mode);
  Generator noise(seed);
  std::vector<Tensor> batches;
  for (int64_t drawn = 0; drawn < count; drawn += batch) {
    // Always a full batch (the surplus is dropped), so that train-mode batch
    // statistics never come from a small last batch.
    const Tensor z = randn({batch, kLatentSize}, noise, {kFloat32, device});
    batches.push_back(generator.forward(z).to(Device::cpu()));
  }
  generator.eval();
  return cat(batches, 0).narrow(0, 0, count).contiguous();
}

// Rows of the picture are the classes 0..9; each shows the first samples the
// classifier put in that class, in drawing order (not the best ones). A black
// tile means fewer samples of that class than columns.
void save_samples_by_class(const Tensor& samples, const Tensor& probabilities, const std::string& path) {
  const std::vector<int64_t> predicted = argmax(probabilities, 1).to_vector<int64_t>();
  const Tensor empty_tile = full({1, 1, 28, 28}, -1.0);
  std::vector<Tensor> tiles;
  for (int64_t digit = 0; digit < kClasses; ++digit) {
    int64_t shown = 0;
    for (size_t i = 0; i < predicted.size() && shown < kGridColumns; ++i) {
      if (predicted[i] != digit) continue;
      tiles.push_back(samples.narrow(0, static_cast<int64_t>(i), 1));
      ++shown;
    }
    for (; shown < kGridColumns; ++shown) tiles.push_back(empty_tile);
  }
  data::save_image_grid(cat(tiles, 0), path, kGridColumns);
}

void print_table(const std::vector<Row>& rows) {
  std::printf("%-36s %6s %6s %9s %6s %8s\n", "images", "score", "H(y)", "E H(y|x)", "sure", "FID");
  for (const Row& row : rows) {
    const SetQuality& q = row.quality;
    std::printf("%-36s %6.2f %6.3f %9.3f %5.1f%% ", row.name.c_str(), q.score, q.class_entropy, q.sample_entropy,
                100.0 * q.sure);
    if (row.has_frechet) {
      std::printf("%8.2f\n", row.quality.frechet);
    } else {
      std::printf("%8s\n", "-");
    }
  }
  std::printf("score: exp(E_x KL(p(y|x) || p(y))) = exp(H(y) - E H(y|x)), from 1 to 10 (confident and balanced)\n"
              "H(y):  entropy of the predicted class distribution (nats; balanced classes: ln 10 = 2.303)\n"
              "E H(y|x): mean entropy of each image's p(y|x) (nats; 0 when the classifier is certain of every image)\n"
              "sure:  images whose most likely class has p(y|x) >= %.2f\n"
              "FID:   Frechet distance to the real test images' features (the classifier's penultimate layer)\n",
              kSure);
}

// The histogram of predicted classes as bars, one '#' per percent of the
// images (a perfectly balanced set shows ten bars of about 10).
void print_histogram(const Row& row) {
  constexpr int64_t kWidestBar = 40;
  int64_t total = 0;
  for (int64_t count : row.quality.histogram) total += count;
  std::printf("\npredicted classes, %s (# = 1%% of the images):\n", row.name.c_str());
  std::string never;
  for (int64_t k = 0; k < kClasses; ++k) {
    const int64_t count = row.quality.histogram[k];
    const int64_t percent = total ? (100 * count + total / 2) / total : 0;
    std::string bar(static_cast<size_t>(std::min(percent, kWidestBar)), '#');
    if (percent > kWidestBar) bar += '>';
    std::printf("  %lld %-41s %5lld  %5.1f%%\n", static_cast<long long>(k), bar.c_str(), static_cast<long long>(count),
                total ? 100.0 * count / total : 0.0);
    if (count == 0) never += (never.empty() ? "" : " ") + std::to_string(k);
  }
  std::printf("  classes never predicted: %s\n", never.empty() ? "none" : never.c_str());
}

void print_json(const Options& o, const std::string& trained_for, double classifier_accuracy,
                const std::vector<Row>& rows) {
  std::printf("{\"generator\": \"%s\", \"trained_for\": \"%s\", \"classifier\": \"%s\", "
              "\"classifier_test_accuracy\": %.4f, \"samples\": %lld, \"seed\": %llu, \"rows\": [",
              o.generator.c_str(), trained_for.c_str(), o.classifier.c_str(), classifier_accuracy,
              static_cast<long long>(o.samples), static_cast<unsigned long long>(o.seed));
  for (size_t r = 0; r < rows.size(); ++r) {
    const SetQuality& q = rows[r].quality;
    std::printf("%s\n  {\"images\": \"%s\", \"score\": %.8g, \"class_entropy\": %.8g, \"sample_entropy\": %.8g, "
                "\"sure\": %.8g, \"fid\": ",
                r ? "," : "", rows[r].name.c_str(), q.score, q.class_entropy, q.sample_entropy, q.sure);
    if (rows[r].has_frechet) {
      std::printf("%.8g", rows[r].quality.frechet);
    } else {
      std::printf("null");
    }
    std::printf(", \"histogram\": [");
    for (size_t k = 0; k < rows[r].quality.histogram.size(); ++k)
      std::printf("%s%lld", k ? ", " : "", static_cast<long long>(rows[r].quality.histogram[k]));
    std::printf("]}");
  }
  std::printf("\n]}\n");
}

void evaluate(const Options& o) {
  if (o.threads > 0) set_num_threads(o.threads);
  const Device device = device_from_flag(o.device);
  LoadedGenerator generator = load_generator(o.generator, o.weights, device);
  const std::shared_ptr<MnistClassifier> loaded_classifier = load_classifier(o.classifier, device);
  MnistClassifier& classifier = *loaded_classifier;

  const data::Dataset test_set = load_digits(o.dataset, o.data, data::Split::kTest);
  data::Dataset train_set = load_digits(o.dataset, o.data, data::Split::kTrain);
  Generator subset_stream(o.seed + 1);
  const int64_t train_count = std::min(o.samples, train_set.size());
  train_set = train_set.subset(randperm(train_set.size(), subset_stream).narrow(0, 0, train_count));

  // The same latent codes in both modes. Eval mode goes first: sampling in
  // train mode moves the batch-norm running averages.
  std::fprintf(stderr, "drawing 2 x %lld samples (batch norm with running, then with batch statistics) ...\n",
               static_cast<long long>(o.samples));
  const Tensor running_samples = draw_samples(*generator.model, o.samples, o.batch, o.seed, false, device);
  const Tensor batch_samples = draw_samples(*generator.model, o.samples, o.batch, o.seed, true, device);
  std::fprintf(stderr, "classifying them, %lld test and %lld training images ...\n",
               static_cast<long long>(test_set.size()), static_cast<long long>(train_count));
  const ClassifierOutputs test = classify(classifier, test_set.images, device);
  const ClassifierOutputs train = classify(classifier, train_set.images, device);
  const ClassifierOutputs generated_running = classify(classifier, running_samples, device);
  const ClassifierOutputs generated_batch = classify(classifier, batch_samples, device);
  const double classifier_accuracy = accuracy(test.probabilities, test_set.labels);
  const metrics::Gaussian reference = metrics::fit_gaussian(test.features);

  std::vector<Row> rows;
  rows.push_back({"real test images (reference)", measure(test, reference), false});
  rows.push_back({"real training images (" + std::to_string(train_count) + ")", measure(train, reference), true});
  rows.push_back({"generated, BN running statistics", measure(generated_running, reference), true});
  rows.push_back({"generated, BN batch statistics", measure(generated_batch, reference), true});

  fs::create_directories(o.out);
  const std::string running_grid = o.out + "/samples_by_class.png";
  const std::string batch_grid = o.out + "/samples_by_class_bn_batch.png";
  save_samples_by_class(running_samples, generated_running.probabilities, running_grid);
  save_samples_by_class(batch_samples, generated_batch.probabilities, batch_grid);

  if (o.json) {
    print_json(o, generator.trained_for, classifier_accuracy, rows);
    return;
  }
  std::printf("%lld samples of %s (%s weights), trained to %s,\njudged by %s (test accuracy %.2f%%)\n\n",
              static_cast<long long>(o.samples), o.generator.c_str(), generator.weights.c_str(),
              generator.trained_for.c_str(),
              o.classifier.c_str(), 100.0 * classifier_accuracy);
  print_table(rows);
  print_histogram(rows[0]);
  print_histogram(rows[2]);
  print_histogram(rows[3]);
  std::printf("\nsamples by predicted class (row k: the first %lld samples classified as k):\n  %s\n  %s\n",
              static_cast<long long>(kGridColumns), running_grid.c_str(), batch_grid.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"Judge a DCGAN generator with the MNIST classifier: Inception-style score, the histogram of\n"
               "predicted classes (mode coverage) and the Frechet distance in the classifier's feature space\n"
               "(FID), for its samples and, as the reference, for real test and training images. The samples\n"
               "are drawn twice from the same z: with the generator's batch norm using its running averages\n"
               "(eval mode) and using each batch's statistics (train mode, as during training).\n"
               "Writes --out/samples_by_class.png and samples_by_class_bn_batch.png (one row per predicted class)."};
  app.add_option("--generator", o.generator, "a mnist_gan checkpoint (its --out folder's checkpoint.safetensors)")
      ->required();
  app.add_option("--classifier", o.classifier, "a mnist_classifier checkpoint (classifier.safetensors)")->required();
  app.add_option("--samples", o.samples, "how many samples to draw (and real training images to compare)")
      ->check(number_in(2, 10'000'000));
  app.add_option("--batch", o.batch, "samples per generator pass; in the batch-statistics row, the batch whose "
                                     "statistics normalise (64, as in training)")->check(number_in(1, kMaxBatch));
  app.add_option("--seed", o.seed, "seed for the latent codes z (and the choice of training images)");
  app.add_option("--weights", o.weights,
                 "averaged (the moving average of G that mnist_gan samples with; the trained weights if the "
                 "checkpoint has none) or trained")
      ->check(CLI::IsMember({"averaged", "trained"}));
  app.add_flag("--json", o.json, "print the results as JSON instead of a table");
  app.add_option("--device", o.device, kDeviceHelp);
  app.add_option("--threads", o.threads, "CPU threads (0 = all cores)")->check(non_negative_number());
  app.add_option("--data", o.data, "folder holding the dataset's four *-ubyte.gz files (default: found automatically)");
  app.add_option("--dataset", o.dataset, "mnist or fashion (what the generator and classifier were trained on)")
      ->check(CLI::IsMember({"mnist", "fashion"}));
  app.add_option("--out", o.out, "output folder for the picture");
  parse_errors_in_one_line(app, "gan_eval");
  CLI11_PARSE(app, argc, argv);
  return run_reporting_errors("gan_eval", [&] { evaluate(o); });
}
