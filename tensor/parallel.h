// Threading for the CPU kernels. One pool serves both our loops and OpenBLAS:
// we link the OpenMP build of OpenBLAS (libopenblas0-openmp), so a GEMM called
// inside one of our parallel loops runs single-threaded instead of fighting it
// for the cores (see shared/yardstick/README.md, "OpenMP spin-waiting").
#pragma once
#include <cstdint>

namespace gs {

int num_threads();
void set_num_threads(int threads);  // our loops and OpenBLAS

// Runs body(i) for i in [0, count), in parallel when `work` (elements touched)
// is large enough to pay for waking the threads.
template <typename Body>
void parallel_for(int64_t count, int64_t work, Body body) {
  constexpr int64_t kMinParallelWork = 32768;
  if (count > 1 && work >= kMinParallelWork) {
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < count; ++i) body(i);
  } else {
    for (int64_t i = 0; i < count; ++i) body(i);
  }
}

}  // namespace gs
