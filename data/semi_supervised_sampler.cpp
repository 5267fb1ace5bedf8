#include "data/semi_supervised_sampler.h"

#include <algorithm>
#include <vector>

#include "data/dataset.h"
#include "tensor/generator.h"

namespace gs::data {
namespace {

// Stream `stream` of epoch `epoch`: an independent Philox stream per pair.
Generator epoch_stream(uint64_t seed, int64_t epoch, uint64_t stream) {
  Generator generator(seed * 0x9E3779B97F4A7C15ull + stream);
  generator.set_state(generator.seed(), static_cast<uint64_t>(epoch) << 32);
  return generator;
}

// The first iterations * batch entries of a random permutation of `indices`, as [iterations, batch].
Tensor permuted_batches(const Tensor& indices, int64_t iterations, int64_t batch, Generator& generator) {
  return gather_rows(indices, randperm(indices.size(0), generator).narrow(0, 0, iterations * batch))
      .reshape({iterations, batch});
}

}  // namespace

SemiSupervisedSampler::SemiSupervisedSampler(Tensor labeled_indices, int64_t dataset_size, int64_t batch_size,
                                             uint64_t seed, bool labeled_only, int64_t iterations_per_epoch)
    : labeled_indices_(labeled_indices.contiguous()),
      dataset_size_(dataset_size),
      batch_size_(batch_size),
      seed_(seed),
      labeled_only_(labeled_only) {
  check(labeled_indices_.dtype() == kInt64 && labeled_indices_.dim() == 1 && labeled_indices_.numel() > 0,
        "SemiSupervisedSampler: labeled_indices must be a non-empty int64 vector, got ",
        shape_str(labeled_indices_.shape()));
  check(batch_size > 0, "SemiSupervisedSampler: batch_size must be positive, got ", batch_size);
  for (int64_t index : labeled_indices_.to_vector<int64_t>())
    check(index >= 0 && index < dataset_size, "SemiSupervisedSampler: labeled index ", index,
          " is outside the dataset of ", dataset_size, " examples");
  check(iterations_per_epoch >= 0, "SemiSupervisedSampler: iterations_per_epoch must be >= 0, got ",
        iterations_per_epoch);
  iterations_per_epoch_ = iterations_per_epoch > 0 ? iterations_per_epoch : dataset_size / batch_size;
  check(iterations_per_epoch_ > 0, "SemiSupervisedSampler: the dataset (", dataset_size,
        " examples) is smaller than one batch of ", batch_size);
  check(labeled_only || iterations_per_epoch_ * batch_size <= dataset_size, "SemiSupervisedSampler: ",
        iterations_per_epoch_, " batches of ", batch_size, " need more than the ", dataset_size,
        " examples one permutation holds");
}

SemiSupervisedEpoch SemiSupervisedSampler::epoch(int64_t epoch_index) const {
  SemiSupervisedEpoch epoch;
  Generator labeled_stream = epoch_stream(seed_, epoch_index, 1);
  const int64_t needed = iterations_per_epoch_ * batch_size_;
  const std::vector<int64_t> labeled = labeled_indices_.to_vector<int64_t>();
  std::vector<int64_t> stream;
  while (static_cast<int64_t>(stream.size()) < needed)
    for (int64_t position : randperm(labeled_indices_.numel(), labeled_stream).to_vector<int64_t>())
      stream.push_back(labeled[position]);
  stream.resize(needed);
  epoch.labeled = tensor(stream, {iterations_per_epoch_, batch_size_});
  if (labeled_only_) return epoch;
  const Tensor everything = arange(dataset_size_, kInt64);
  Generator unlabeled_stream = epoch_stream(seed_, epoch_index, 2), matching_stream = epoch_stream(seed_, epoch_index, 3);
  epoch.unlabeled = permuted_batches(everything, iterations_per_epoch_, batch_size_, unlabeled_stream);
  epoch.matching = permuted_batches(everything, iterations_per_epoch_, batch_size_, matching_stream);
  return epoch;
}

}  // namespace gs::data
