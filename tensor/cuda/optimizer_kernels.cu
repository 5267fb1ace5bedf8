// Fused optimizer updates on the GPU: one thread per parameter element runs
// the step of tensor/kernels/optimizer_steps.h that the CPU loop runs.
#include "tensor/cuda/cuda_backend.h"
#include "tensor/cuda/launch.h"
#include "tensor/kernels/optimizer_steps.h"

namespace gs::cuda {
namespace {

template <typename T>
__global__ void sgd_kernel(int64_t count, T* param, const T* grad, T* buffer, kernels::SgdStep<T> step) {
  for (int64_t i = global_thread_index(); i < count; i += grid_stride()) {
    T unused = 0;  // without momentum the step never touches its buffer
    step(param[i], grad[i], buffer ? buffer[i] : unused);
  }
}

template <typename T>
__global__ void adam_kernel(int64_t count, T* param, const T* grad, T* exp_avg, T* exp_avg_sq,
                            kernels::AdamStep<T> step) {
  for (int64_t i = global_thread_index(); i < count; i += grid_stride()) step(param[i], grad[i], exp_avg[i], exp_avg_sq[i]);
}

}  // namespace

void CudaBackend::sgd_update(const Tensor& param, const Tensor& grad, const Tensor& momentum_buffer,
                             const SgdUpdate& update) {
  check_on_device("sgd_update", {&param, &grad, &momentum_buffer});
  if (param.numel() == 0) return;
  const DeviceGuard guard(device_);
  dispatch_floating(param.dtype(), "sgd_update", [&](auto zero) {
    using T = decltype(zero);
    T* buffer = update.momentum != 0 ? device_data<T>(momentum_buffer) : nullptr;
    launch("sgd_kernel", sgd_kernel<T>, grid_size(param.numel()), kBlockSize, 0, stream_, param.numel(),
           device_data<T>(param), device_data<T>(grad), buffer, kernels::sgd_step<T>(update));
  });
}

void CudaBackend::adam_update(const Tensor& param, const Tensor& grad, const Tensor& exp_avg,
                              const Tensor& exp_avg_sq, const AdamUpdate& update) {
  check_on_device("adam_update", {&param, &grad, &exp_avg, &exp_avg_sq});
  if (param.numel() == 0) return;
  const DeviceGuard guard(device_);
  dispatch_floating(param.dtype(), "adam_update", [&](auto zero) {
    using T = decltype(zero);
    launch("adam_kernel", adam_kernel<T>, grid_size(param.numel()), kBlockSize, 0, stream_, param.numel(),
           device_data<T>(param), device_data<T>(grad), device_data<T>(exp_avg), device_data<T>(exp_avg_sq),
           kernels::adam_step<T>(update));
  });
}

}  // namespace gs::cuda
