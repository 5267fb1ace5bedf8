// Fused optimizer updates on the CPU: the per-element steps of
// tensor/kernels/optimizer_steps.h over a parameter's memory, in parallel chunks.
#include "tensor/cpu/cpu_backend.h"
#include "tensor/kernels/optimizer_steps.h"
#include "tensor/parallel.h"
#include "tensor/profile.h"

namespace gs::cpu {

void CpuBackend::sgd_update(const Tensor& param, const Tensor& grad, const Tensor& momentum_buffer,
                            const SgdUpdate& update) {
  ProfileScope scope("sgd_update");
  dispatch_floating(param.dtype(), "sgd_update", [&](auto zero) {
    using T = decltype(zero);
    T* p = param.data<T>();
    const T* g = grad.data<T>();
    T* buffer = update.momentum != 0 ? momentum_buffer.data<T>() : nullptr;
    parallel_for_chunks(param.numel(), [&](int64_t begin, int64_t end) {
      const kernels::SgdStep<T> step = kernels::sgd_step<T>(update);
      if (buffer) {
        for (int64_t i = begin; i < end; ++i) step(p[i], g[i], buffer[i]);
      } else {
        T unused = 0;  // no momentum: the step never touches its buffer
        for (int64_t i = begin; i < end; ++i) step(p[i], g[i], unused);
      }
    });
  });
}

void CpuBackend::adam_update(const Tensor& param, const Tensor& grad, const Tensor& exp_avg, const Tensor& exp_avg_sq,
                             const AdamUpdate& update) {
  ProfileScope scope("adam_update");
  dispatch_floating(param.dtype(), "adam_update", [&](auto zero) {
    using T = decltype(zero);
    T* p = param.data<T>();
    const T* g = grad.data<T>();
    T* m = exp_avg.data<T>();
    T* v = exp_avg_sq.data<T>();
    const kernels::AdamStep<T> shared_step = kernels::adam_step<T>(update);
    parallel_for_chunks(param.numel(), [&](int64_t begin, int64_t end) {
      const kernels::AdamStep<T> step = shared_step;  // a local copy: the loop vectorises
      for (int64_t i = begin; i < end; ++i) step(p[i], g[i], m[i], v[i]);
    });
  });
}

}  // namespace gs::cpu
