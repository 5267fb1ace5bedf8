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
    parallel_for(param.numel(), param.numel(), [&](int64_t i) {
      T step = g[i] + T(u.weight_decay) * p[i];
      if (buf) {
        buf[i] = u.first_step ? step : T(u.momentum) * buf[i] + T(1 - u.dampening) * step;
        step = u.nesterov ? step + T(u.momentum) * buf[i] : buf[i];
      }
      p[i] -= T(u.lr) * step;
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
    const T beta1 = T(u.beta1), beta2 = T(u.beta2), eps = T(u.eps), lr = T(u.lr), decay = T(u.weight_decay);
    const T inv_correction1 = T(1 / bias_correction1), inv_correction2 = T(1 / bias_correction2);
    parallel_for(param.numel(), param.numel(), [&](int64_t i) {
      T gi = g[i] + decay * p[i];
      m[i] = beta1 * m[i] + (1 - beta1) * gi;
      v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
      T m_hat = m[i] * inv_correction1;
      T v_hat = v[i] * inv_correction2;
      T denominator = u.eps_inside_sqrt ? std::sqrt(v_hat + eps) : std::sqrt(v_hat) + eps;
      p[i] -= lr * m_hat / denominator;
    });
  });
}

}  // namespace gs::cpu
