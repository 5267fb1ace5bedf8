// A dataset held in memory (images and their labels) and a DataLoader that
// walks it in mini-batches, like torch.utils.data.DataLoader:
//
//   DataLoader loader(train, {.batch_size = 64, .shuffle = true, .seed = 1});
//   for (int epoch = 0; epoch < 10; ++epoch)
//     for (const Batch& batch : loader) step(batch.images, batch.labels);
//
// Each pass over the loader is one epoch; with shuffle on, every epoch draws a
// fresh permutation from the loader's Generator, so the whole sequence of
// epochs is reproducible from the seed.
#pragma once
#include <cstdint>
#include <memory>

#include "tensor/generator.h"
#include "tensor/tensor.h"

namespace gs::data {

struct Dataset {
  Tensor images;  // [N, C, H, W] float32
  Tensor labels;  // [N] int64

  int64_t size() const { return labels.defined() ? labels.size(0) : 0; }
  // The examples at `indices` (int64 [k]), copied, in that order.
  Dataset subset(const Tensor& indices) const;
};

struct Batch {
  Tensor images;   // [B, C, H, W]
  Tensor labels;   // [B]
  Tensor indices;  // [B] int64: where each example sits in the dataset (e.g. to look up a label mask)
};

// Copies rows `indices` of `source` (any dtype, first dim indexed) into a new contiguous tensor.
Tensor gather_rows(const Tensor& source, const Tensor& indices);

struct DataLoaderOptions {
  int64_t batch_size = 64;
  bool shuffle = true;
  uint64_t seed = 0;
  bool drop_last = false;  // drop the final batch when it is smaller than batch_size
  bool prefetch = false;   // assemble the next batch on a background thread
};

class DataLoader {
 public:
  DataLoader(Dataset dataset, DataLoaderOptions options = {});

  int64_t num_batches() const;  // per epoch
  const Dataset& dataset() const { return dataset_; }
  const DataLoaderOptions& options() const { return options_; }

  // One epoch in progress. Movable; it owns the prefetch thread, if any.
  class Epoch;
  class Iterator {
   public:
    const Batch& operator*() const;
    const Batch* operator->() const { return &**this; }
    Iterator& operator++();
    bool operator!=(const Iterator& other) const { return epoch_ != other.epoch_; }

   private:
    friend class DataLoader;
    explicit Iterator(Epoch* epoch) : epoch_(epoch) {}
    Epoch* epoch_;  // null once the epoch is over
  };

  // Starts the next epoch (drawing its permutation). Only one epoch of a
  // loader may be in progress at a time.
  Iterator begin();
  Iterator end() { return Iterator(nullptr); }

 private:
  Dataset dataset_;
  DataLoaderOptions options_;
  Generator generator_;
  std::shared_ptr<Epoch> current_;
};

}  // namespace gs::data
