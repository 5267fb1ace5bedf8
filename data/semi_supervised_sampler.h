// Which examples each iteration of semi-supervised GAN training reads, epoch
// by epoch (the schedule of Salimans et al. 2016's code): every iteration
// takes one batch from each of
//   labeled     the few labeled examples, cycled: the epoch's stream is
//               back-to-back random permutations of the labeled set, so each
//               labeled example appears equally often;
//   unlabeled   a random permutation of the whole training set (labels unused),
//               for the discriminator's real/fake loss;
//   matching    a second, independent permutation, the real batch whose mean
//               features the generator matches.
// An epoch has dataset_size / batch_size iterations. In labeled-only mode (the
// supervised baseline) the sampler is given only the labeled examples' indices
// and has no unlabeled streams at all: unlabeled data cannot leak in.
// Every epoch's order is a function of (seed, epoch), so a resumed run draws
// exactly the batches the uninterrupted run would have drawn.
#pragma once
#include <cstdint>

#include "tensor/tensor.h"

namespace gs::data {

struct SemiSupervisedEpoch {
  Tensor labeled;    // [iterations, batch] int64 indices into the dataset
  Tensor unlabeled;  // [iterations, batch], undefined in labeled-only mode
  Tensor matching;   // [iterations, batch], undefined in labeled-only mode
};

class SemiSupervisedSampler {
 public:
  // labeled_indices: int64 [n_labeled] into a dataset of dataset_size
  // examples. labeled_only: draw nothing but those (the baseline).
  // iterations_per_epoch 0: dataset_size / batch_size (the baseline passes the
  // GAN's count, so that its epochs take as many steps).
  SemiSupervisedSampler(Tensor labeled_indices, int64_t dataset_size, int64_t batch_size, uint64_t seed,
                        bool labeled_only, int64_t iterations_per_epoch = 0);

  int64_t iterations_per_epoch() const { return iterations_per_epoch_; }
  bool labeled_only() const { return labeled_only_; }
  SemiSupervisedEpoch epoch(int64_t epoch_index) const;

 private:
  Tensor labeled_indices_;
  int64_t dataset_size_, batch_size_, iterations_per_epoch_;
  uint64_t seed_;
  bool labeled_only_;
};

}  // namespace gs::data
