#include "data/split.h"

#include <algorithm>
#include <vector>

#include "tensor/error.h"
#include "tensor/generator.h"

namespace gs::data {

SemiSupervisedSplit semi_supervised_split(const Tensor& labels, int64_t n_labeled, uint64_t seed) {
  check(labels.dtype() == kInt64 && labels.dim() == 1, "semi_supervised_split: labels must be a 1-D int64 tensor, got ",
        dtype_name(labels.dtype()), " ", shape_str(labels.shape()));
  const std::vector<int64_t> label = labels.to_vector<int64_t>();
  const int64_t n = static_cast<int64_t>(label.size());
  check(n > 0, "semi_supervised_split: no labels");
  const int64_t lowest = *std::min_element(label.begin(), label.end());
  check(lowest >= 0, "semi_supervised_split: labels must be class numbers 0..C-1, found ", lowest);
  const int64_t classes = *std::max_element(label.begin(), label.end()) + 1;
  check(n_labeled > 0 && n_labeled % classes == 0, "semi_supervised_split: ", n_labeled,
        " labeled examples cannot be shared equally among ", classes, " classes; use a multiple of ", classes);
  const int64_t per_class = n_labeled / classes;

  // Walk a random permutation and keep the first per_class examples of each class.
  Generator generator(seed);
  const std::vector<int64_t> order = randperm(n, generator).to_vector<int64_t>();
  std::vector<int64_t> taken(classes, 0);
  std::vector<int64_t> labeled;
  labeled.reserve(n_labeled);
  for (int64_t i : order) {
    if (taken[label[i]] < per_class) {
      ++taken[label[i]];
      labeled.push_back(i);
    }
  }
  for (int64_t c = 0; c < classes; ++c) {
    check(taken[c] == per_class, "semi_supervised_split: class ", c, " has only ", taken[c],
          " examples but ", per_class, " labeled ones per class were asked for");
  }
  std::sort(labeled.begin(), labeled.end());

  std::vector<float> mask(n, 0.0f);
  for (int64_t i : labeled) mask[i] = 1.0f;
  std::vector<int64_t> unlabeled;
  unlabeled.reserve(n - n_labeled);
  for (int64_t i = 0; i < n; ++i) {
    if (mask[i] == 0.0f) unlabeled.push_back(i);
  }
  return {tensor(labeled), tensor(unlabeled), tensor(mask)};
}

}  // namespace gs::data
