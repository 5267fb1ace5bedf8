// Fused optimizer updates: one pass over a parameter's memory per step
// instead of a chain of element-wise ops with temporaries. The formulas are in
// tensor/backend.h next to SgdUpdate and AdamUpdate.
#include <cmath>

#include "tensor/cpu/cpu_backend.h"
#include "tensor/profile.h"
#include "tensor/parallel.h"

namespace gs::cpu {

void CpuBackend::sgd_update(const Tensor& param, const Tensor& grad, const Tensor& momentum_buffer,
                            const SgdUpdate& u) {
  ProfileScope scope("sgd_update");
  dispatch_floating(param.dtype(), "sgd_update", [&](auto zero) {
    using T = decltype(zero);
    T* p = param.data<T>();
    const T* g = grad.data<T>();
    T* buf = u.momentum != 0 ? momentum_buffer.data<T>() : nullptr;
    parallel_for_chunks(param.numel(), [&](int64_t begin, int64_t end) {
      const T lr = T(u.lr), decay = T(u.weight_decay), momentum = T(u.momentum), keep = T(1 - u.dampening);
      const bool first_step = u.first_step, nesterov = u.nesterov;
      for (int64_t i = begin; i < end; ++i) {
        T step = g[i] + decay * p[i];
        if (buf) {
          buf[i] = first_step ? step : momentum * buf[i] + keep * step;
          step = nesterov ? step + momentum * buf[i] : buf[i];
        }
        p[i] -= lr * step;
      }
    });
  });
}

void CpuBackend::adam_update(const Tensor& param, const Tensor& grad, const Tensor& exp_avg, const Tensor& exp_avg_sq,
                             const AdamUpdate& u) {
  ProfileScope scope("adam_update");
  const double bias_correction1 = 1 - std::pow(u.beta1, double(u.step));
  const double bias_correction2 = 1 - std::pow(u.beta2, double(u.step));
  dispatch_floating(param.dtype(), "adam_update", [&](auto zero) {
    using T = decltype(zero);
    T* p = param.data<T>();
    const T* g = grad.data<T>();
    T* m = exp_avg.data<T>();
    T* v = exp_avg_sq.data<T>();
    parallel_for_chunks(param.numel(), [&](int64_t begin, int64_t end) {
      const T beta1 = T(u.beta1), beta2 = T(u.beta2), eps = T(u.eps), lr = T(u.lr), decay = T(u.weight_decay);
      const T inv_correction1 = T(1 / bias_correction1), inv_correction2 = T(1 / bias_correction2);
      const bool eps_inside_sqrt = u.eps_inside_sqrt;
      for (int64_t i = begin; i < end; ++i) {
        T gi = g[i] + decay * p[i];
        m[i] = beta1 * m[i] + (1 - beta1) * gi;
        v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
        T m_hat = m[i] * inv_correction1;
        T v_hat = v[i] * inv_correction2;
        T denominator = eps_inside_sqrt ? std::sqrt(v_hat + eps) : std::sqrt(v_hat) + eps;
        p[i] -= lr * m_hat / denominator;
      }
    });
  });
}

}  // namespace gs::cpu
