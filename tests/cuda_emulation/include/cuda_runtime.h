// Test equipment: the part of the CUDA runtime that gradschool's kernels use,
// emulated on the CPU, so the very sources of tensor/cuda/*.cu compile with
// g++ and run in `make test` on a machine without a GPU
// (../shared/design/cuda-without-a-gpu.md). Users never see it: only the test
// build puts this folder on the include path, ahead of the CUDA toolkit's.
//
// What it models:
//  - a launch runs every block of the grid; a block's threads are fibers on
//    one OS thread (tests/cuda_emulation/scheduler.cpp), __syncthreads is a
//    real barrier among them, and the threads run in a different order
//    (forward, then reversed) after every barrier, so a missing barrier shows;
//  - dynamic shared memory, filled with NaN bytes (0xFF) before each block;
//  - warp shuffles and __syncwarp as exchanges among the 32 lanes of a warp;
//  - device memory in its own arena per device, kept inaccessible (PROT_NONE)
//    except while a kernel, copy or cuBLAS call of that device runs, so host
//    code that dereferences a device pointer gets a segmentation fault;
//  - copies that check their direction and that they stay inside one allocation;
//  - two devices, so cuda:1 can be told apart from cuda:0.
// Everything runs synchronously; streams and events keep order trivially.
#pragma once
#include <math.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <tuple>
#include <type_traits>
#include <utility>

// ---- the language extensions, as plain C++ ----
#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
// __shared__ variables are not emulated: the kernels take their shared memory
// from dynamic_shared_memory() (tensor/cuda/launch.h), which is.

struct uint3 {
  unsigned int x, y, z;
};
struct dim3 {
  unsigned int x = 1, y = 1, z = 1;
  dim3(unsigned int vx = 1, unsigned int vy = 1, unsigned int vz = 1) : x(vx), y(vy), z(vz) {}
};

constexpr int warpSize = 32;

// ---- errors ----
enum cudaError_t {
  cudaSuccess = 0,
  cudaErrorInvalidValue = 1,
  cudaErrorMemoryAllocation = 2,
  cudaErrorInitializationError = 3,
  cudaErrorInvalidConfiguration = 9,
  cudaErrorInvalidDevicePointer = 17,
  cudaErrorInvalidMemcpyDirection = 21,
  cudaErrorInsufficientDriver = 35,
  cudaErrorNoDevice = 100,
  cudaErrorInvalidDevice = 101,
  cudaErrorIllegalAddress = 700,
  cudaErrorLaunchFailure = 719,
};
const char* cudaGetErrorString(cudaError_t error);
const char* cudaGetErrorName(cudaError_t error);
cudaError_t cudaGetLastError();
cudaError_t cudaPeekAtLastError();

// ---- devices ----
struct cudaDeviceProp {
  char name[256];
  size_t totalGlobalMem;
  int multiProcessorCount;
  int major, minor;
};
enum cudaDeviceAttr { cudaDevAttrMultiProcessorCount = 16 };
cudaError_t cudaGetDeviceCount(int* count);
cudaError_t cudaSetDevice(int device);
cudaError_t cudaGetDevice(int* device);
cudaError_t cudaGetDeviceProperties(cudaDeviceProp* properties, int device);
cudaError_t cudaDeviceGetAttribute(int* value, cudaDeviceAttr attribute, int device);
cudaError_t cudaDeviceSynchronize();
cudaError_t cudaDriverGetVersion(int* version);
cudaError_t cudaRuntimeGetVersion(int* version);

// ---- memory ----
enum cudaMemcpyKind {
  cudaMemcpyHostToHost = 0,
  cudaMemcpyHostToDevice = 1,
  cudaMemcpyDeviceToHost = 2,
  cudaMemcpyDeviceToDevice = 3,
  cudaMemcpyDefault = 4,
};
cudaError_t cudaMalloc(void** pointer, size_t bytes);
template <typename T>
cudaError_t cudaMalloc(T** pointer, size_t bytes) {
  return cudaMalloc(reinterpret_cast<void**>(pointer), bytes);
}
cudaError_t cudaFree(void* pointer);
cudaError_t cudaMemGetInfo(size_t* free_bytes, size_t* total_bytes);

// ---- streams and events ----
struct CUstream_st;
typedef CUstream_st* cudaStream_t;
struct CUevent_st;
typedef CUevent_st* cudaEvent_t;
constexpr unsigned int cudaStreamNonBlocking = 1;
cudaError_t cudaStreamCreate(cudaStream_t* stream);
cudaError_t cudaStreamCreateWithFlags(cudaStream_t* stream, unsigned int flags);
cudaError_t cudaStreamDestroy(cudaStream_t stream);
cudaError_t cudaStreamSynchronize(cudaStream_t stream);
cudaError_t cudaEventCreate(cudaEvent_t* event);
cudaError_t cudaEventDestroy(cudaEvent_t event);
cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t stream = nullptr);
cudaError_t cudaEventSynchronize(cudaEvent_t event);
cudaError_t cudaEventElapsedTime(float* ms, cudaEvent_t start, cudaEvent_t end);

cudaError_t cudaMemcpy(void* dst, const void* src, size_t bytes, cudaMemcpyKind kind);
cudaError_t cudaMemcpyAsync(void* dst, const void* src, size_t bytes, cudaMemcpyKind kind,
                            cudaStream_t stream = nullptr);
cudaError_t cudaMemset(void* pointer, int value, size_t bytes);
cudaError_t cudaMemsetAsync(void* pointer, int value, size_t bytes, cudaStream_t stream = nullptr);

// ---- the execution model (tests/cuda_emulation/scheduler.cpp) ----
namespace gs::emulation {

// The running thread's coordinates (set by the scheduler before it switches to a thread).
struct ThreadCoordinates {
  uint3 thread, block;
  dim3 block_dim, grid_dim;
  void* shared_memory = nullptr;
};
extern ThreadCoordinates current;

// Runs `thread_body` once for every thread of the grid; a failure inside
// (a divergent barrier, bad configuration) is returned as an error.
cudaError_t launch(dim3 grid, dim3 block, size_t shared_bytes, cudaStream_t stream,
                   const std::function<void()>& thread_body);

void sync_threads();                 // __syncthreads
void sync_warp(unsigned int mask);   // __syncwarp
// Every lane of the warp in `mask` deposits `value`; returns the value of lane `source_lane`.
uint64_t warp_exchange(unsigned int mask, uint64_t value, int source_lane);
int lane_id();

}  // namespace gs::emulation

#define threadIdx (::gs::emulation::current.thread)
#define blockIdx (::gs::emulation::current.block)
#define blockDim (::gs::emulation::current.block_dim)
#define gridDim (::gs::emulation::current.grid_dim)

inline void __syncthreads() { gs::emulation::sync_threads(); }
inline void __syncwarp(unsigned int mask = 0xffffffffu) { gs::emulation::sync_warp(mask); }

namespace gs::emulation {
template <typename T>
uint64_t to_bits(T value) {
  static_assert(sizeof(T) <= 8 && std::is_trivially_copyable<T>::value, "a shuffle moves at most 8 bytes");
  uint64_t bits = 0;
  std::memcpy(&bits, &value, sizeof(T));
  return bits;
}
template <typename T>
T from_bits(uint64_t bits) {
  T value;
  std::memcpy(&value, &bits, sizeof(T));
  return value;
}
}  // namespace gs::emulation

// The lane `delta` above (down) or `lane_mask`-xored (xor); past the warp's end a lane keeps its own value.
template <typename T>
T __shfl_down_sync(unsigned int mask, T value, unsigned int delta, int width = warpSize) {
  const int lane = gs::emulation::lane_id();
  const int source = (lane % width) + int(delta) < width ? lane + int(delta) : lane;
  return gs::emulation::from_bits<T>(gs::emulation::warp_exchange(mask, gs::emulation::to_bits(value), source));
}
template <typename T>
T __shfl_xor_sync(unsigned int mask, T value, int lane_mask, int width = warpSize) {
  const int lane = gs::emulation::lane_id();
  const int source = ((lane % width) ^ lane_mask) < width ? lane ^ lane_mask : lane;
  return gs::emulation::from_bits<T>(gs::emulation::warp_exchange(mask, gs::emulation::to_bits(value), source));
}

// Atomics: the fibers of the emulation never run at the same time, so a plain
// read-modify-write is atomic; each returns the old value, as CUDA's do.
inline unsigned long long atomicMin(unsigned long long* address, unsigned long long value) {
  const unsigned long long old = *address;
  if (value < old) *address = value;
  return old;
}
inline int atomicAdd(int* address, int value) {
  const int old = *address;
  *address = old + value;
  return old;
}

// The runtime's launch entry point (its C++ template form): the arguments
// arrive as pointers, and each thread of the grid receives its own copies.
namespace gs::emulation {
template <typename... Params, size_t... I>
std::tuple<std::decay_t<Params>...> unpack_arguments(void** args, std::index_sequence<I...>) {
  return std::tuple<std::decay_t<Params>...>(*static_cast<std::decay_t<Params>*>(args[I])...);
}
}  // namespace gs::emulation

template <typename... Params>
cudaError_t cudaLaunchKernel(void (*kernel)(Params...), dim3 grid, dim3 block, void** args, size_t shared_bytes = 0,
                             cudaStream_t stream = nullptr) {
  const auto arguments =
      gs::emulation::unpack_arguments<Params...>(args, std::index_sequence_for<Params...>{});
  return gs::emulation::launch(grid, block, shared_bytes, stream, [&] {
    auto copies = arguments;  // by value, like a kernel's parameters
    std::apply(kernel, copies);
  });
}
