// Processes that train together (data parallelism, nn/data_parallel.h): a
// process group on MPI (OpenMPI). `mpirun -np N program ...` starts N ranks;
// a program started without mpirun is a group of one and never touches MPI.
//   ProcessGroup& group = process_group();
//   group.all_reduce(gradient, ReduceMean);   // every rank ends with the mean
//   group.broadcast(weights, 0);              // every rank ends with rank 0's
// Tensors on a CUDA device are staged through host memory.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace gs {

enum class ReduceKind { Sum, Mean };

class ProcessGroup {
 public:
  int rank() const { return rank_; }
  int size() const { return size_; }
  bool is_distributed() const { return size_ > 1; }

  // In place, on every rank: the elementwise sum (or mean) over all ranks.
  // All ranks call it with tensors of the same shape and dtype, in the same order.
  void all_reduce(Tensor& t, ReduceKind kind = ReduceKind::Sum);
  // The same for one number (a loss for the log, a count).
  double all_reduce(double value, ReduceKind kind = ReduceKind::Sum);
  // The largest of one integer over all ranks (agreeing on a decision).
  int64_t all_reduce_max(int64_t value);
  // In place: every rank ends with `root`'s values.
  void broadcast(Tensor& t, int root = 0);
  void barrier();
  // Ends every rank of the job, with `code` (an error on one rank must not
  // leave the others waiting in a collective forever).
  [[noreturn]] void abort(int code);

  // How many all-reduces and bytes so far, and their time (for benchmarks).
  struct Statistics {
    int64_t all_reduces = 0, bytes = 0;
    double seconds = 0;
  };
  const Statistics& statistics() const { return statistics_; }

 private:
  friend ProcessGroup& process_group();
  ProcessGroup();
  int rank_ = 0, size_ = 1;
  Statistics statistics_;
};

// How tensors on another device type are reduced across ranks without a trip
// through host memory: the CUDA backend registers NCCL (tensor/cuda/collectives.cu).
// Without one, a device tensor is copied to the host, reduced by MPI and copied back.
struct DeviceCollectives {
  void (*all_reduce_sum)(const Tensor& t, ProcessGroup& group) = nullptr;  // in place
  void (*broadcast)(const Tensor& t, int root, ProcessGroup& group) = nullptr;
  const char* name = "";  // "NCCL"
};
void register_device_collectives(DeviceType type, DeviceCollectives collectives);
// The name of what reduces `type`'s tensors: "MPI" (through the host) or the registered one.
std::string collectives_name(DeviceType type);

// The group of this process: MPI_COMM_WORLD when started by mpirun (OpenMPI's
// OMPI_COMM_WORLD_SIZE, or PMI/PMIx variables, are set), else a group of one.
ProcessGroup& process_group();

}  // namespace gs
