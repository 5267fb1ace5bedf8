// Random fills on the GPU: element i is the same pure function of
// (seed, offset, i) as on the CPU (tensor/kernels/philox.h), so uniform and
// Bernoulli draws (dropout masks) are bit-identical on both devices, and
// normal draws agree to the last bits of the device's sin, cos and log.
#include <type_traits>

#include "tensor/cuda/cuda_backend.h"
#include "tensor/cuda/launch.h"
#include "tensor/kernels/philox.h"

namespace gs::cuda {
namespace {

template <typename T>
__global__ void uniform_kernel(int64_t count, T* out, uint64_t seed, uint64_t offset, double low, double high) {
  for (int64_t i = global_thread_index(); i < count; i += grid_stride())
    out[i] = static_cast<T>(uniform_value(philox_word(seed, offset, i), low, high));
}

template <typename T>
__global__ void bernoulli_kernel(int64_t count, T* out, uint64_t seed, uint64_t offset, double p) {
  for (int64_t i = global_thread_index(); i < count; i += grid_stride())
    out[i] = bernoulli_value(philox_word(seed, offset, i), p) ? T(1) : T(0);
}

// One thread per Philox block: its four normals go to elements 4j .. 4j+3
// (float32 in float, box_muller_float, as the CPU does).
template <typename T>
__global__ void normal_kernel(int64_t count, T* out, uint64_t seed, uint64_t offset, double mean, double stddev) {
  const int64_t blocks = (count + 3) / 4;
  for (int64_t j = global_thread_index(); j < blocks; j += grid_stride()) {
    double normals[4];
    if constexpr (std::is_same_v<T, float>) {
      const PhiloxBlock block = philox_block(seed, offset + static_cast<uint64_t>(j));
      float pair[4];
      box_muller_float(block.word[0], block.word[1], pair[0], pair[1]);
      box_muller_float(block.word[2], block.word[3], pair[2], pair[3]);
      for (int k = 0; k < 4; ++k) normals[k] = pair[k];
    } else {
      philox_normals(seed, offset + static_cast<uint64_t>(j), normals);
    }
    for (int64_t k = 0; k < 4 && 4 * j + k < count; ++k) out[4 * j + k] = static_cast<T>(normal_value(normals[k], mean, stddev));
  }
}

}  // namespace

void CudaBackend::random(RandomKind kind, const Tensor& out, uint64_t seed, uint64_t offset, double a, double b) {
  check_on_device("random", {&out});
  check(out.is_contiguous(), "random: the output must be contiguous");
  const int64_t count = out.numel();
  if (count == 0) return;
  const DeviceGuard guard(device_);
  dispatch_floating(out.dtype(), "random", [&](auto tag) {
    using T = decltype(tag);
    switch (kind) {
      case RandomKind::Uniform:
        launch("uniform_kernel", uniform_kernel<T>, grid_size(count), kBlockSize, 0, stream_, count,
               device_data<T>(out), seed, offset, a, b);
        break;
      case RandomKind::Bernoulli:
        launch("bernoulli_kernel", bernoulli_kernel<T>, grid_size(count), kBlockSize, 0, stream_, count,
               device_data<T>(out), seed, offset, a);
        break;
      case RandomKind::Normal:
        launch("normal_kernel", normal_kernel<T>, grid_size((count + 3) / 4), kBlockSize, 0, stream_, count,
               device_data<T>(out), seed, offset, a, b);
        break;
    }
  });
}

}  // namespace gs::cuda
