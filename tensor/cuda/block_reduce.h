// Combining one value per thread of a block (the reductions and batch norm's
// channel sums): a tree in shared memory down to one warp's worth of values,
// then warp shuffles within that warp. The order of combination is fixed by
// the thread numbering, never by timing, so results are reproducible (no
// float atomics). Every thread of the block must call these (they contain
// __syncthreads); blockDim.x is a power of two from 32 to 1024.
#pragma once
#include <cstdint>

#include "tensor/cuda/launch.h"

namespace gs::cuda {

// A value and where it came from (ArgMax/ArgMin).
template <typename T>
struct ValueIndex {
  T value;
  int64_t index;
};

template <typename T>
__device__ inline T shuffle_down(T value, int offset) {
  return __shfl_down_sync(0xffffffffu, value, offset);
}
template <typename T>
__device__ inline ValueIndex<T> shuffle_down(ValueIndex<T> pair, int offset) {
  return {__shfl_down_sync(0xffffffffu, pair.value, offset),
          static_cast<int64_t>(__shfl_down_sync(0xffffffffu, static_cast<long long>(pair.index), offset))};
}

// The combination of every thread's `value`, valid in thread 0. `shared`
// holds blockDim.x values.
template <typename T, typename Combine>
__device__ T block_reduce(T value, Combine combine, T* shared) {
  const int t = static_cast<int>(threadIdx.x);
  shared[t] = value;
  __syncthreads();
  for (int half = static_cast<int>(blockDim.x) / 2; half >= warpSize; half /= 2) {
    if (t < half) shared[t] = combine(shared[t], shared[t + half]);
    __syncthreads();
  }
  if (t < warpSize) {  // the last 32 values: one warp, no barriers
    value = shared[t];
    for (int offset = warpSize / 2; offset > 0; offset /= 2) value = combine(value, shuffle_down(value, offset));
  }
  return value;
}

// The same, handed to every thread of the block.
template <typename T, typename Combine>
__device__ T block_all_reduce(T value, Combine combine, T* shared) {
  value = block_reduce(value, combine, shared);
  if (threadIdx.x == 0) shared[0] = value;
  __syncthreads();
  value = shared[0];
  __syncthreads();  // all have read before `shared` is used again
  return value;
}

}  // namespace gs::cuda
