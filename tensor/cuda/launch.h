// Launching kernels, and the few device-side helpers every kernel uses.
// launch() passes the arguments through cudaLaunchKernel, the runtime's
// launch call, so the same source runs on a GPU and in the CPU emulation of
// the tests (tests/cuda_emulation/); every launch is checked.
//
// Kernels loop grid-stride: thread t of a grid of G threads handles elements
// t, t + G, t + 2G, ...; the grid is capped at a few blocks per multiprocessor
// (grid_size), so any size runs with one launch and sizes that are not
// multiples of the block size end in a partly idle last round.
#pragma once
#include <cstdint>
#include <tuple>
#include <utility>

#include "tensor/cuda/cuda_check.h"

namespace gs::cuda {

constexpr int kBlockSize = 256;  // threads per block (a multiple of the warp size)

__device__ inline int64_t global_thread_index() { return int64_t(blockIdx.x) * blockDim.x + threadIdx.x; }
__device__ inline int64_t grid_stride() { return int64_t(gridDim.x) * blockDim.x; }

// The block's dynamic shared memory (the size given to launch()).
template <typename T>
__device__ inline T* dynamic_shared_memory() {
#if defined(__CUDACC__)
  extern __shared__ __align__(16) unsigned char gs_shared_memory[];
  return reinterpret_cast<T*>(gs_shared_memory);
#else  // the emulation (tests/cuda_emulation) hands each block its own buffer
  return static_cast<T*>(::gs::emulation::current.shared_memory);
#endif
}

// Launches kernel<<<blocks, threads, shared_bytes, stream>>>(args...); the
// arguments are converted to the kernel's parameter types first, as a direct
// launch would. A bad configuration is a gs::Error naming the kernel.
template <typename... Params, typename... Args>
void launch(const char* kernel_name, void (*kernel)(Params...), int64_t blocks, int threads, size_t shared_bytes,
            cudaStream_t stream, Args&&... args) {
  static_assert(sizeof...(Params) == sizeof...(Args), "launch: wrong number of kernel arguments");
  std::tuple<Params...> values(std::forward<Args>(args)...);
  std::apply(
      [&](auto&... value) {
        void* pointers[] = {static_cast<void*>(&value)...};
        const cudaError_t error = cudaLaunchKernel(kernel, dim3(static_cast<unsigned int>(blocks)),
                                                   dim3(static_cast<unsigned int>(threads)), pointers, shared_bytes,
                                                   stream);
        if (error != cudaSuccess) fail_cuda_call(kernel_name, __FILE__, __LINE__, error);
      },
      values);
}

}  // namespace gs::cuda
