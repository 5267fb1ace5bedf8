// Threading for the CPU kernels. One pool serves both our loops and OpenBLAS:
// we link the OpenMP build of OpenBLAS (libopenblas0-openmp), so a GEMM called
// inside one of our parallel loops runs single-threaded instead of fighting it
// for the cores (see shared/yardstick/README.md, "OpenMP spin-waiting").
#pragma once
#include <algorithm>
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

// Runs body(begin, end) over consecutive chunks of [0, count), in parallel when
// count is large enough. Element-wise kernels use it so that the loop over a
// chunk sits inside one function call, where the compiler sees that the
// scalars it copied to locals cannot alias the output and vectorises the loop.
template <typename Body>
void parallel_for_chunks(int64_t count, Body body) {
  constexpr int64_t kChunk = 16384;
  const int64_t chunks = (count + kChunk - 1) / kChunk;
  parallel_for(chunks, count, [&](int64_t c) { body(c * kChunk, std::min(count, (c + 1) * kChunk)); });
}

}  // namespace gs
