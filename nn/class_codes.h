// Where each class lives in a generator's latent space (apps/latent,
// tutorials/09-latent-space). Draw many codes z ~ N(0, I), let a classifier
// label the images G(z), keep only the codes whose image it is confident
// about, and summarise each class by the mean of its codes and their spread
// (per-dimension standard deviation). Radford et al. (2016, "Unsupervised
// Representation Learning with Deep Convolutional GANs") averaged a few codes
// per concept the same way to do vector arithmetic with them.
//
// Sampling near a class mean then gives labeled synthetic data from a
// generator that never saw a label:
//   z = mean_c + noise_scale * spread_c * eps,   eps ~ N(0, I),
// kept, labeled c, only when the classifier confirms G(z) is a c.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "tensor/generator.h"
#include "tensor/tensor.h"

namespace gs::latent {

// A batch in, a batch out, no graph: the generator (codes [B, D] -> images)
// or the classifier (images -> class probabilities [B, K]).
using Network = std::function<Tensor(const Tensor&)>;
// Called after each batch with the items done so far.
using ProgressCallback = std::function<void(int64_t done)>;

struct CodeLabels {
  Tensor labels;      // [M] int64, the classifier's most probable class of G(z)
  Tensor confidence;  // [M] float64, its probability
};

// Labels the codes z [M, D] by classifier(generator(z)), `batch` codes at a time.
CodeLabels label_codes(const Network& generator, const Network& classifier, const Tensor& codes, int64_t batch,
                       const ProgressCallback& progress = nullptr);

struct ClassCodes {
  Tensor means;                 // [K, D] float64: mean code of each class
  Tensor spreads;               // [K, D] float64: per-dimension standard deviation of its codes
  std::vector<int64_t> counts;  // codes behind each row
};

// Class statistics of the codes z [M, D] whose confidence is at least
// `threshold`. A class with fewer than 2 such codes is a gs::Error (the
// generator does not seem to draw it, or the threshold is too strict).
ClassCodes class_mean_codes(const Tensor& codes, const CodeLabels& labels, double threshold, int64_t classes);

// The classes of an expression like "7-1+4" in order, with their signs: {{7, +1}, {1, -1}, {4, +1}}.
std::vector<std::pair<int64_t, int>> parse_class_expression(const std::string& expression, int64_t classes);
// Its code: mean(7) - mean(1) + mean(4).
Tensor class_arithmetic(const ClassCodes& class_codes, const std::string& expression);

// Saved as safetensors (class_means, class_spreads, class_counts).
void save_class_codes(const ClassCodes& class_codes, const std::string& path);
ClassCodes load_class_codes(const std::string& path);

struct SynthesisSettings {
  int64_t count = 40000;     // images in all, split evenly over the classes (the first ones get the remainder)
  double threshold = 0.9;    // the classifier's confidence needed to keep an image
  double noise_scale = 1.0;  // 1: the class's own spread
  int64_t batch = 250;
  int64_t max_draws_per_image = 50;  // give up on a class that needs more draws than this per kept image
};

struct SyntheticImages {
  Tensor images;                  // [count, ...] as the generator makes them, class by class
  Tensor labels;                  // [count] int64
  std::vector<int64_t> drawn;     // per class: codes generated
  std::vector<int64_t> rejected;  // per class: of those, the ones the classifier did not confirm
};

// Class-conditional sampling with rejection (see the top of this file).
SyntheticImages synthesize(const Network& generator, const Network& classifier, const ClassCodes& class_codes,
                           const SynthesisSettings& settings, Generator& noise,
                           const ProgressCallback& progress = nullptr);

}  // namespace gs::latent
