// Semi-supervised learning trains on a few labeled examples plus many
// unlabeled ones (Salimans et al. 2016, "Improved Techniques for Training
// GANs": 100 labels for MNIST, 1000 for SVHN). This picks the labeled few.
#pragma once
#include <cstdint>

#include "tensor/tensor.h"

namespace gs::data {

struct SemiSupervisedSplit {
  Tensor labeled_indices;    // [n_labeled] int64, ascending
  Tensor unlabeled_indices;  // [N - n_labeled] int64, ascending: every other example
  Tensor labeled_mask;       // [N] float32, 1 where the label may be used, 0 where it must not:
                             // multiply it into per-example cross-entropy to hide the rest
};

// Class-balanced: n_labeled / C examples of each of the C classes (C = largest
// label + 1), chosen at random; the same seed gives the same split.
// gs::Error when n_labeled is not a multiple of C or a class has too few examples.
SemiSupervisedSplit semi_supervised_split(const Tensor& labels, int64_t n_labeled, uint64_t seed);

}  // namespace gs::data
