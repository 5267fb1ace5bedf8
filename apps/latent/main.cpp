// latent: what a trained DCGAN generator has learned, explored through its
// latent space z (100 numbers in, one 28x28 image out):
//   interpolate          paths between codes, linear vs spherical
//   attributes           the mean code of each class and arithmetic with them
//   synthesize           a labeled synthetic training set, written as IDX files
//   train-on-synthetic   how well a classifier trained only on that set does on real digits
// Example:
//   build/apps/latent interpolate --generator out/mnist_gan/checkpoint.safetensors --gif
#include <CLI/CLI.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>

#include "apps/common/cli.h"
#include "apps/common/device_flag.h"
#include "apps/common/mnist_data.h"
#include "apps/common/progress.h"
#include "apps/latent/classifier_training.h"
#include "apps/common/trained_models.h"
#include "apps/latent/networks.h"
#include "data/gif.h"
#include "data/idx.h"
#include "data/image.h"
#include "data/mnist.h"
#include "data/split.h"
#include "nn/class_codes.h"
#include "nn/latent_paths.h"
#include "tensor/file_io.h"

namespace fs = std::filesystem;
using namespace gs;
using namespace gs::apps;
using namespace gs::latent;

namespace {

constexpr int64_t kClasses = 10;
constexpr int64_t kCandidates = 64;  // the numbered codes of candidates.png that --pair picks from

struct Options {
  std::string device = "cpu";
  int threads = 0;
  std::string generator, classifier, out = "out/latent", data, dataset = "mnist";
  uint64_t seed = 1;
  int64_t batch = 250;
  // interpolate
  int64_t steps = 10, pairs = 8;
  std::vector<std::string> chosen_pairs;
  bool gif = false;
  // attributes and synthesize
  int64_t draws = 10000;
  double threshold = 0.9;
  std::vector<std::string> expressions{"7-1+4", "9-7+1", "8-3+5"};
  std::string codes;
  int64_t count = 40000;
  double noise_scale = 1.0;
  // train-on-synthetic
  std::string synthetic = "out/latent/synthetic";  // synthesize's --out, train-on-synthetic's --synthetic
  int64_t epochs = 3, labels = 100, train_batch = 64;
};

Device setup(const Options& o) {
  if (o.threads > 0) set_num_threads(o.threads);
  return device_from_flag(o.device);
}

// generator(codes), `batch` codes at a time, on the CPU.
Tensor generate(const Network& generator, const Tensor& codes, int64_t batch) {
  std::vector<Tensor> images;
  for (int64_t start = 0; start < codes.size(0); start += batch)
    images.push_back(generator(codes.narrow(0, start, std::min(batch, codes.size(0) - start))).to(Device::cpu()));
  return cat(images, 0);
}

double norm(const Tensor& vector) { return std::sqrt(sum(vector * vector).item()); }

// ---- interpolate ------------------------------------------------------------

std::pair<int64_t, int64_t> parse_pair(const std::string& text) {
  const size_t comma = text.find(',');
  int64_t first = -1, second = -1;
  try {
    if (comma != std::string::npos) {
      first = std::stoll(text.substr(0, comma));
      second = std::stoll(text.substr(comma + 1));
    }
  } catch (const std::exception&) {
  }
  check(first >= 0 && first < kCandidates && second >= 0 && second < kCandidates && first != second, "--pair ", text,
        ": expected two different numbers I,J from 0 to ", kCandidates - 1, " (the codes numbered in candidates.png)");
  return {first, second};
}

// Grid bytes [H, W, 1] -> a GIF frame [1, scale H, scale W] in [0, 1], each pixel a scale x scale block.
data::GifFrame gif_frame(const Tensor& images, int64_t columns, int64_t scale) {
  const Tensor grid = data::make_image_grid(images, columns).to(kFloat32) / 255.0;
  const int64_t h = grid.size(0), w = grid.size(1);
  const Tensor blocks = grid.reshape({1, h, 1, w, 1}).expand({1, h, scale, w, scale}).contiguous();
  return {blocks.reshape({1, h * scale, w * scale}), 8};
}

void interpolate(const Options& o) {
  const Device device = setup(o);
  const Network generator = generator_network(load_generator(o.generator, "averaged", device).model, device);
  fs::create_directories(o.out);
  Generator code_stream(o.seed);
  const Tensor candidates = randn({kCandidates, kLatentSize}, code_stream, kFloat64);
  data::save_image_grid(generate(generator, candidates, o.batch), o.out + "/candidates.png", 8);

  std::vector<std::pair<int64_t, int64_t>> pairs;
  for (const std::string& text : o.chosen_pairs) pairs.push_back(parse_pair(text));
  if (pairs.empty()) {
    check(o.pairs <= kCandidates / 2, "--pairs: at most ", kCandidates / 2, " random pairs, not ", o.pairs);
    for (int64_t i = 0; i < o.pairs; ++i) pairs.emplace_back(2 * i, 2 * i + 1);
  }
  std::vector<Tensor> linear, spherical;
  double end_norms = 0, linear_middle = 0, spherical_middle = 0;
  for (const auto& [first, second] : pairs) {
    const Tensor a = candidates.select(0, first), b = candidates.select(0, second);
    linear.push_back(interpolation_path(a, b, o.steps, PathKind::kLinear));
    spherical.push_back(interpolation_path(a, b, o.steps, PathKind::kSpherical));
    end_norms += (norm(a) + norm(b)) / 2;
    linear_middle += norm(lerp(a, b, 0.5));
    spherical_middle += norm(slerp(a, b, 0.5));
  }
  const Tensor linear_images = generate(generator, cat(linear, 0), o.batch);
  const Tensor spherical_images = generate(generator, cat(spherical, 0), o.batch);
  data::save_image_grid(linear_images, o.out + "/lerp.png", o.steps);
  data::save_image_grid(spherical_images, o.out + "/slerp.png", o.steps);
  const double n = static_cast<double>(pairs.size());
  std::printf("%zu paths of %lld steps; mean |z| at the ends %.2f, halfway: lerp %.2f, slerp %.2f\n", pairs.size(),
              static_cast<long long>(o.steps), end_norms / n, linear_middle / n, spherical_middle / n);
  std::printf("codes:  %s/candidates.png (codes 0..63, row by row; pick two with --pair I,J)\n", o.out.c_str());
  std::printf("paths:  %s/lerp.png and %s/slerp.png (one path per row)\n", o.out.c_str(), o.out.c_str());
  if (o.gif) {
    // Each frame: every path at the same step, lerp on top, slerp below; forth and back.
    const int64_t count = static_cast<int64_t>(pairs.size());
    std::vector<data::GifFrame> frames;
    for (int64_t frame = 0; frame < 2 * (o.steps - 1); ++frame) {
      const int64_t step = frame < o.steps ? frame : 2 * (o.steps - 1) - frame;
      std::vector<int64_t> rows;
      for (int64_t p = 0; p < count; ++p) rows.push_back(p * o.steps + step);
      const Tensor at_step = cat({data::gather_rows(linear_images, tensor(rows)),
                                  data::gather_rows(spherical_images, tensor(rows))}, 0);
      frames.push_back(gif_frame(at_step, count, 3));
    }
    data::save_gif(o.out + "/interpolation.gif", frames);
    std::printf("gif:    %s/interpolation.gif (top row lerp, bottom row slerp)\n", o.out.c_str());
  }
}

// ---- attributes ---------------------------------------------------------------

ClassCodes find_class_codes(const Network& generator, const Network& classifier, const Options& o) {
  Generator code_stream(o.seed);
  const Tensor codes = randn({o.draws, kLatentSize}, code_stream);
  Progress progress(o.draws);
  const CodeLabels labels = label_codes(generator, classifier, codes, o.batch, [&](int64_t done) {
    progress.update(done, "labelling G(z)", "");
  });
  progress.finish();
  ClassCodes class_codes = class_mean_codes(codes, labels, o.threshold, kClasses);
  int64_t kept = 0;
  for (int64_t count : class_codes.counts) kept += count;
  std::printf("%lld of %lld codes drew an image the classifier labels with confidence >= %.2f:\n",
              static_cast<long long>(kept), static_cast<long long>(o.draws), o.threshold);
  std::printf("  class      ");
  for (int64_t c = 0; c < kClasses; ++c) std::printf("%6lld", static_cast<long long>(c));
  std::printf("\n  codes      ");
  for (int64_t count : class_codes.counts) std::printf("%6lld", static_cast<long long>(count));
  std::printf("\n  |mean|     ");
  for (int64_t c = 0; c < kClasses; ++c) std::printf("%6.2f", norm(class_codes.means.select(0, c)));
  std::printf("\n  mean spread");
  for (int64_t c = 0; c < kClasses; ++c) std::printf("%6.2f", mean(class_codes.spreads.select(0, c)).item());
  std::printf("\n");
  return class_codes;
}

// The classifier's verdict on each image, "7 (0.98)".
std::vector<std::string> verdicts(const Network& classifier, const Tensor& images) {
  const Tensor probabilities = classifier(images).to(Device::cpu()).to(kFloat64);
  const std::vector<int64_t> labels = argmax(probabilities, 1).to_vector<int64_t>();
  const std::vector<double> confidence = max(probabilities, {1}).to_vector<double>();
  std::vector<std::string> result;
  for (size_t i = 0; i < labels.size(); ++i) {
    char text[32];
    std::snprintf(text, sizeof text, "%lld (%.2f)", static_cast<long long>(labels[i]), confidence[i]);
    result.push_back(text);
  }
  return result;
}

void attributes(const Options& o) {
  const Device device = setup(o);
  const Network generator = generator_network(load_generator(o.generator, "averaged", device).model, device);
  const Network classifier = classifier_network(load_classifier(o.classifier, device), device);
  for (const std::string& expression : o.expressions) parse_class_expression(expression, kClasses);  // fail early
  fs::create_directories(o.out);
  const ClassCodes class_codes = find_class_codes(generator, classifier, o);
  save_class_codes(class_codes, o.out + "/class_codes.safetensors");

  const Tensor mean_images = generate(generator, class_codes.means, o.batch);
  data::save_image_grid(mean_images, o.out + "/class_means.png", kClasses);
  std::printf("G(mean code) is classified as:");
  for (const std::string& verdict : verdicts(classifier, mean_images)) std::printf("  %s", verdict.c_str());
  std::printf("\n");

  // One row per expression: the terms' images, then the result's (blank tiles pad shorter rows).
  size_t widest = 0;
  for (const std::string& expression : o.expressions)
    widest = std::max(widest, parse_class_expression(expression, kClasses).size() + 1);
  std::vector<Tensor> rows;
  for (const std::string& expression : o.expressions) {
    std::vector<Tensor> codes;
    for (const auto& [label, sign] : parse_class_expression(expression, kClasses))
      codes.push_back(class_codes.means.select(0, label));
    codes.push_back(class_arithmetic(class_codes, expression));
    const Tensor images = generate(generator, stack(codes, 0), o.batch);
    const std::vector<std::string> verdict = verdicts(classifier, images.narrow(0, images.size(0) - 1, 1));
    std::printf("G(%s) is classified as %s\n", expression.c_str(), verdict[0].c_str());
    rows.push_back(images);
    if (codes.size() < widest) rows.push_back(full({static_cast<int64_t>(widest - codes.size()), 1, 28, 28}, -1.0));
  }
  data::save_image_grid(cat(rows, 0), o.out + "/arithmetic.png", static_cast<int64_t>(widest));

  // Walks from the mean of each class c to that of c + 1, with what the classifier sees at each step.
  // Class means are short codes (averaging cancels what the class does not fix), and the straight
  // line between two of them is shorter still, down where G only makes faint strokes; slerp keeps the norm.
  std::vector<Tensor> walks;
  for (int64_t c = 0; c < kClasses; ++c)
    walks.push_back(interpolation_path(class_codes.means.select(0, c), class_codes.means.select(0, (c + 1) % kClasses),
                                       o.steps, PathKind::kSpherical));
  const Tensor walk_images = generate(generator, cat(walks, 0), o.batch);
  data::save_image_grid(walk_images, o.out + "/walks.png", o.steps);
  const std::vector<int64_t> seen = argmax(classifier(walk_images).to(Device::cpu()), 1).to_vector<int64_t>();
  std::printf("slerp walks between class means, the classifier's label at each step:\n");
  for (int64_t c = 0; c < kClasses; ++c) {
    std::printf("  %lld -> %lld: ", static_cast<long long>(c), static_cast<long long>((c + 1) % kClasses));
    for (int64_t s = 0; s < o.steps; ++s) std::printf(" %lld", static_cast<long long>(seen[c * o.steps + s]));
    std::printf("\n");
  }
  std::printf("pictures: %s/class_means.png, %s/arithmetic.png, %s/walks.png\n", o.out.c_str(), o.out.c_str(),
              o.out.c_str());
  std::printf("codes:    %s/class_codes.safetensors (for `latent synthesize --codes`)\n", o.out.c_str());
}

// ---- synthesize ----------------------------------------------------------------

void synthesize_command(const Options& o) {
  const Device device = setup(o);
  const Network generator = generator_network(load_generator(o.generator, "averaged", device).model, device);
  const Network classifier = classifier_network(load_classifier(o.classifier, device), device);
  const ClassCodes class_codes = o.codes.empty() ? find_class_codes(generator, classifier, o) : load_class_codes(o.codes);
  check(class_codes.means.size(0) == kClasses && class_codes.means.size(1) == kLatentSize, o.codes,
        ": holds codes for ", class_codes.means.size(0), " classes of size ", class_codes.means.size(1), ", not ",
        kClasses, " of size ", kLatentSize);
  fs::create_directories(o.synthetic);

  SynthesisSettings settings;
  settings.count = o.count;
  settings.threshold = o.threshold;
  settings.noise_scale = o.noise_scale;
  settings.batch = o.batch;
  Generator noise(o.seed + 1);  // not the stream the class codes were found with
  Progress progress(o.count);
  const SyntheticImages set = synthesize(generator, classifier, class_codes, settings, noise, [&](int64_t done) {
    progress.update(done, "synthesizing", "");
  });
  progress.finish();
  const data::Dataset ordered{set.images, set.labels};
  const data::Dataset synthetic = ordered.subset(randperm(ordered.size(), noise));  // classes mixed, as in MNIST

  data::save_idx_images(o.synthetic + "/train-images-idx3-ubyte.gz", synthetic.images);
  data::save_idx_labels(o.synthetic + "/train-labels-idx1-ubyte.gz", synthetic.labels);
  // A preview: the first ten images of each class, one class per row.
  const std::vector<int64_t> labels = synthetic.labels.to_vector<int64_t>();
  std::vector<int64_t> preview;
  for (int64_t c = 0; c < kClasses; ++c) {
    int64_t taken = 0;
    for (size_t i = 0; i < labels.size() && taken < 10; ++i)
      if (labels[i] == c) preview.push_back(static_cast<int64_t>(i)), ++taken;
  }
  data::save_image_grid(data::gather_rows(synthetic.images, tensor(preview)), o.synthetic + "/preview.png", 10);

  int64_t drawn = 0, rejected = 0;
  std::printf("class     drawn  rejected\n");
  for (int64_t c = 0; c < kClasses; ++c) {
    std::printf("%5lld  %8lld  %8lld (%.1f%%)\n", static_cast<long long>(c), static_cast<long long>(set.drawn[c]),
                static_cast<long long>(set.rejected[c]), 100.0 * set.rejected[c] / set.drawn[c]);
    drawn += set.drawn[c];
    rejected += set.rejected[c];
  }
  std::printf("total  %8lld  %8lld (%.1f%%) rejected by the classifier (confidence < %.2f or another class)\n",
              static_cast<long long>(drawn), static_cast<long long>(rejected), 100.0 * rejected / drawn,
              o.threshold);
  std::printf("wrote %lld labeled images: %s/train-{images-idx3,labels-idx1}-ubyte.gz, preview %s/preview.png\n",
              static_cast<long long>(synthetic.size()), o.synthetic.c_str(), o.synthetic.c_str());
  // With the real test files beside them the folder reads as a dataset of its
  // own: any MNIST tool given --data <folder> trains on synthetic digits and tests on real ones.
  const std::string real_dir =
      o.dataset == "fashion" ? data::find_fashion_mnist_dir(o.data) : data::find_mnist_dir(o.data);
  if (real_dir.empty()) {
    std::printf("(the real %s test set was not found, so none was copied beside them)\n", o.dataset.c_str());
    return;
  }
  for (const char* stem : {"t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"}) {
    const std::string source = fs::exists(real_dir + "/" + stem + ".gz") ? real_dir + "/" + stem + ".gz"
                                                                         : real_dir + "/" + stem;
    write_file_atomic(o.synthetic + "/" + fs::path(source).filename().string(), read_file(source));
  }
  std::printf("copied the real test set from %s beside them: --data %s makes it a dataset for any MNIST tool\n",
              real_dir.c_str(), o.synthetic.c_str());
}

// ---- train-on-synthetic ----------------------------------------------------------

void train_on_synthetic(const Options& o) {
  const Device device = setup(o);
  const std::string images_path = o.synthetic + "/train-images-idx3-ubyte.gz";
  const std::string labels_path = o.synthetic + "/train-labels-idx1-ubyte.gz";
  check(fs::is_regular_file(images_path) && fs::is_regular_file(labels_path), "--synthetic ", o.synthetic,
        ": no train-images-idx3-ubyte.gz and train-labels-idx1-ubyte.gz there (make them with `latent synthesize`)");
  const data::Dataset synthetic{data::load_idx_images(images_path), data::load_idx_labels(labels_path)};
  check(synthetic.images.size(0) == synthetic.size(), images_path, " holds ", synthetic.images.size(0),
        " images but ", labels_path, " holds ", synthetic.size(), " labels");
  const data::Dataset real_train = load_digits(o.dataset, o.data, data::Split::kTrain);
  const data::Dataset real_test = load_digits(o.dataset, o.data, data::Split::kTest);
  const int64_t size = std::min(synthetic.size(), real_train.size());
  Generator subset_stream(o.seed + 3);
  const data::Dataset real_same_size = real_train.subset(randperm(real_train.size(), subset_stream).narrow(0, 0, size));
  const data::Dataset few_labels =
      real_train.subset(data::semi_supervised_split(real_train.labels, o.labels, o.seed + 4).labeled_indices);

  ClassifierTraining settings;
  settings.batch = o.train_batch;
  settings.steps = std::max<int64_t>(1, o.epochs * size / o.train_batch);
  settings.seed = o.seed;
  settings.device = device;
  std::printf("training three MnistClassifiers for %lld steps each (batch %lld), testing on the %lld real test "
              "images\n", static_cast<long long>(settings.steps), static_cast<long long>(o.train_batch),
              static_cast<long long>(real_test.size()));
  struct Run {
    std::string name;
    const data::Dataset* train;
    double accuracy = 0;
  };
  std::vector<Run> runs{{"synthetic only", &synthetic},
                        {"real, same number", &real_same_size},
                        {"real, " + std::to_string(few_labels.size()) + " labels", &few_labels}};
  for (Run& run : runs) {
    Progress progress(settings.steps);
    run.accuracy = train_and_test_classifier(*run.train, real_test, settings, [&](int64_t step) {
      progress.update(step, run.name, "");
    });
    progress.finish();
    std::printf("  %-20s %6lld images  test accuracy %.2f%%\n", run.name.c_str(),
                static_cast<long long>(run.train->size()), 100.0 * run.accuracy);
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"Explore a trained DCGAN generator's latent space: interpolation, class-mean arithmetic, and\n"
               "labeled synthetic data good enough to train a classifier on. Run `latent COMMAND --help`."};
  app.require_subcommand(1);
  app.option_defaults()->always_capture_default();  // --help shows every default
  app.add_option("--device", o.device, kDeviceHelp);
  app.add_option("--threads", o.threads, "CPU threads (0 = all cores)")->check(non_negative_number());

  auto add_generator = [&](CLI::App* command) {
    command->add_option("--generator", o.generator, "a mnist_gan checkpoint (its --out folder's checkpoint.safetensors)")
        ->required();
  };
  auto add_classifier = [&](CLI::App* command) {
    command->add_option("--classifier", o.classifier,
                        "a mnist_classifier checkpoint: labels the generated images")->required();
  };
  auto add_common = [&](CLI::App* command, std::string& out) {
    command->add_option("--out", out, "output folder");
    command->add_option("--seed", o.seed, "seed of the random codes: the same seed draws the same codes");
    command->add_option("--batch", o.batch, "codes per generator (and classifier) batch")->check(number_in(1, kMaxBatch));
  };
  auto add_class_code_search = [&](CLI::App* command) {
    command->add_option("--draws", o.draws, "random codes to label when finding the class means")
        ->check(number_in(int64_t{20}, int64_t{10000000}));
    command->add_option("--threshold", o.threshold, "the classifier confidence a generated image needs to count")
        ->check(number_in(0.0, 1.0));
  };

  CLI::App* interpolate_command = app.add_subcommand(
      "interpolate", "Paths between codes, linear (lerp) and spherical (slerp): candidates.png, lerp.png, slerp.png");
  add_generator(interpolate_command);
  add_common(interpolate_command, o.out);
  interpolate_command->add_option("--steps", o.steps, "images along each path, both ends included")
      ->check(number_in(int64_t{2}, int64_t{64}));
  interpolate_command->add_option("--pairs", o.pairs, "random paths (codes 0-1, 2-3, ... of candidates.png)")
      ->check(number_in(int64_t{1}, kCandidates / 2));
  interpolate_command->add_option("--pair", o.chosen_pairs,
                                  "I,J: a path between codes I and J of candidates.png (repeatable; replaces --pairs)");
  interpolate_command->add_flag("--gif", o.gif, "also animate the paths: interpolation.gif");

  CLI::App* attributes_command = app.add_subcommand(
      "attributes", "Mean code of each class, class arithmetic like mean(7) - mean(1) + mean(4), walks between means");
  add_generator(attributes_command);
  add_classifier(attributes_command);
  add_common(attributes_command, o.out);
  add_class_code_search(attributes_command);
  attributes_command->add_option("--expression", o.expressions, "class arithmetic to show, e.g. 7-1+4 (repeatable)")
      ;
  attributes_command->add_option("--steps", o.steps, "images along each walk between class means")
      ->check(number_in(int64_t{2}, int64_t{64}));

  CLI::App* synthesize_cmd = app.add_subcommand(
      "synthesize", "A labeled synthetic training set: G(class mean + noise), confirmed by the classifier, as IDX files");
  add_generator(synthesize_cmd);
  add_classifier(synthesize_cmd);
  add_common(synthesize_cmd, o.synthetic);
  add_class_code_search(synthesize_cmd);
  synthesize_cmd->add_option("--codes", o.codes, "class_codes.safetensors of `latent attributes` (default: find "
                                                  "the class means now, from --draws codes)");
  synthesize_cmd->add_option("--data", o.data, "folder of the real dataset, whose test files are copied beside "
                                              "the synthetic ones (default: found automatically)");
  synthesize_cmd->add_option("--dataset", o.dataset, "mnist or fashion")->check(CLI::IsMember({"mnist", "fashion"}));
  synthesize_cmd->add_option("--count", o.count, "images to write, split evenly over the classes")
      ->check(number_in(int64_t{10}, int64_t{10000000}));
  synthesize_cmd->add_option("--noise-scale", o.noise_scale,
                             "noise around the class mean, in units of the class's own spread")
      ->check(non_negative_number());

  CLI::App* train_command = app.add_subcommand(
      "train-on-synthetic", "Train a classifier on the synthetic set only and test it on real digits, next to one "
                            "trained on as many real images and one trained on --labels real labels");
  train_command->add_option("--synthetic", o.synthetic, "the folder `latent synthesize` wrote");
  train_command->add_option("--data", o.data, "folder holding the real dataset's four *-ubyte.gz files "
                                              "(default: found automatically)");
  train_command->add_option("--dataset", o.dataset, "mnist or fashion (the real data to compare with)")
      ->check(CLI::IsMember({"mnist", "fashion"}));
  train_command->add_option("--epochs", o.epochs, "passes over the synthetic set; every classifier takes that many "
                                                  "steps")->check(positive_number());
  train_command->add_option("--batch", o.train_batch, "images per training step")->check(number_in(1, kMaxBatch));
  train_command->add_option("--labels", o.labels, "size of the small real labeled set (a multiple of 10)")
      ->check(number_in(int64_t{10}, int64_t{60000}));
  train_command->add_option("--seed", o.seed, "seed of the weights, the data order and the real subsets");

  parse_errors_in_one_line(app, "latent");
  CLI11_PARSE(app, argc, argv);
  return run_reporting_errors("latent", [&] {
    if (*interpolate_command) interpolate(o);
    if (*attributes_command) attributes(o);
    if (*synthesize_cmd) synthesize_command(o);
    if (*train_command) {
      check(o.labels % kClasses == 0, "--labels ", o.labels, ": must be a multiple of ", kClasses,
            " (the same number of each class)");
      train_on_synthetic(o);
    }
  });
}
