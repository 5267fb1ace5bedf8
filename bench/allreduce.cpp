// All-reduce time against message size on this machine's ranks, for the
// cost model of data parallelism (README, "Several processes"):
//   mpirun -np 2 build/bench/allreduce
// Prints, per size, the median time and the bus bandwidth of a ring
// all-reduce, 2 (R - 1) / R x bytes / time (the rate each link carries).
#include <cstdio>

#include "bench/bench_util.h"
#include "tensor/distributed.h"
#include "tensor/tensor.h"

using namespace gs;

int main() {
  ProcessGroup& group = process_group();
  if (group.size() == 1) {
    std::printf("allreduce: one process (start it with mpirun -np 2 to measure the all-reduce)\n");
    return 0;
  }
  const int ranks = group.size();
  if (group.rank() == 0) std::printf("%12s %12s %14s\n", "float32s", "median ms", "bus GB/s");
  for (int64_t count = 256; count <= (int64_t(1) << 24); count *= 4) {
    Tensor t = ones({count});
    const double ms = bench::median_ms([&] { group.all_reduce(t, ReduceKind::Sum); }, 7, 2);
    const double bus = 2.0 * (ranks - 1) / ranks * static_cast<double>(count) * 4 / (ms * 1e-3) / 1e9;
    if (group.rank() == 0) std::printf("%12lld %12.3f %14.2f\n", static_cast<long long>(count), ms, bus);
  }
  return 0;
}
