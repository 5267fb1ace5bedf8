// Data parallelism across processes, in the style of PyTorch's
// DistributedDataParallel: every rank (`mpirun -np N program`) holds the
// whole model and takes its contiguous slice of every global batch, and
// after backward the gradients are averaged over the ranks, so that every
// rank's optimizer takes the same step. Started without mpirun, a program
// is one rank and all of this does nothing.
//
//   nn::DataParallel parallel;                       // the group of mpirun's ranks
//   parallel.broadcast_state(model);                 // rank 0's weights everywhere
//   Tensor images = parallel.shard(global_images);   // this rank's rows
//   { nn::GlobalBatchStep global(parallel);          // batch statistics of the global batch
//     loss = F::cross_entropy(model.forward(images), labels); loss.backward(); }
//   parallel.average_gradients(model.parameters());  // mean over ranks, in buckets
//   optimizer.step();
//
// Exactly like one process: the loss on rank r is the mean over its n rows,
// so the mean over ranks of the gradients is the gradient of the mean over
// all R n rows. What depends on the whole batch is made global inside a
// GlobalBatchStep: batch norm's statistics (all-reduced per channel, forward
// and backward), F::batch_mean (feature matching), and random draws (each
// rank draws its rows of the global draw: tensor/generator.h).
#pragma once
#include <cstdint>
#include <vector>

#include "nn/module.h"
#include "tensor/distributed.h"
#include "tensor/generator.h"

namespace gs::nn {

class DataParallel {
 public:
  explicit DataParallel(ProcessGroup& group = process_group()) : group_(group) {}

  int rank() const { return group_.rank(); }
  int ranks() const { return group_.size(); }
  bool is_main() const { return group_.rank() == 0; }
  ProcessGroup& group() const { return group_; }

  // The rows of a global batch of `global_batch` this rank takes; a batch
  // that does not split evenly over the ranks is a gs::Error naming `flag`.
  int64_t local_batch(int64_t global_batch, const char* flag = "--batch") const;
  // This rank's contiguous slice of the rows of a global batch.
  Tensor shard(const Tensor& global_rows) const;

  // Every rank ends with rank 0's parameters and buffers.
  void broadcast_state(Module& module) const;
  // After backward: each defined gradient becomes its mean over the ranks.
  // Gradients travel in buckets of about kBucketBytes (one all-reduce each),
  // last parameters first, as backward produces them.
  void average_gradients(const std::vector<Tensor>& parameters) const;
  // Numbers (a step's losses and accuracies, for the log) averaged over the
  // ranks, all in one all-reduce.
  std::vector<double> mean(std::vector<double> values) const;

  static constexpr int64_t kBucketBytes = 1 << 20;

 private:
  ProcessGroup& group_;
};

// While alive, the model works on this rank's share of a global batch:
// random draws are sharded (tensor/generator.h: ShardedDraws), batch norm in
// training mode uses the global batch's statistics, and F::batch_mean is the
// global batch's mean. `segments` as in ShardedDraws.
class GlobalBatchStep {
 public:
  explicit GlobalBatchStep(const DataParallel& parallel, std::vector<int64_t> segments = {});
  ~GlobalBatchStep();
  GlobalBatchStep(const GlobalBatchStep&) = delete;
  GlobalBatchStep& operator=(const GlobalBatchStep&) = delete;

 private:
  ShardedDraws draws_;
  ProcessGroup* outer_;
};

// The group whose global batch a batch statistic covers right now: the
// innermost GlobalBatchStep's when it has several ranks, else null (this
// process's batch is the whole batch).
ProcessGroup* global_batch_group();

}  // namespace gs::nn
