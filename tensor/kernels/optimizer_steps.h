// One optimizer step on one parameter element, in place. Both backends run
// these over every element of a parameter (one pass over its memory per step
// instead of a chain of element-wise ops with temporaries).
#pragma once
#include "tensor/kernels/host_device.h"
#include "tensor/kernels/kernel_args.h"
#include "tensor/kernels/math.h"

namespace gs::kernels {

// SGD with PyTorch's semantics:
//   g = grad + weight_decay p
//   buf = first_step ? g : momentum buf + (1 - dampening) g      (when momentum != 0)
//   g = nesterov ? g + momentum buf : buf
//   p -= lr g
template <typename T>
struct SgdStep {
  T lr, weight_decay, momentum, keep;  // keep = 1 - dampening
  bool uses_momentum, first_step, nesterov;
  GS_HOST_DEVICE void operator()(T& p, T grad, T& buffer) const {
    T step = grad + weight_decay * p;
    if (uses_momentum) {
      buffer = first_step ? step : momentum * buffer + keep * step;
      step = nesterov ? step + momentum * buffer : buffer;
    }
    p -= lr * step;
  }
};

template <typename T>
SgdStep<T> sgd_step(const SgdUpdate& u) {
  return {T(u.lr), T(u.weight_decay), T(u.momentum), T(1 - u.dampening), u.momentum != 0, u.first_step, u.nesterov};
}

// Bias-corrected Adam (Kingma & Ba 2015), step t = 1, 2, ...:
//   g = grad + weight_decay p
//   m = beta1 m + (1 - beta1) g,   v = beta2 v + (1 - beta2) g^2
//   m_hat = m / (1 - beta1^t),     v_hat = v / (1 - beta2^t)
//   p -= lr m_hat / (sqrt(v_hat) + eps)       or, with eps_inside_sqrt,
//   p -= lr m_hat / sqrt(v_hat + eps)         (Salimans et al.'s code)
template <typename T>
struct AdamStep {
  T lr, beta1, beta2, eps, weight_decay;
  T inverse_correction1, inverse_correction2;  // 1 / (1 - beta^t)
  bool eps_inside_sqrt;
  GS_HOST_DEVICE void operator()(T& p, T grad, T& m, T& v) const {
    const T g = grad + weight_decay * p;
    m = beta1 * m + (1 - beta1) * g;
    v = beta2 * v + (1 - beta2) * g * g;
    const T m_hat = m * inverse_correction1;
    const T v_hat = v * inverse_correction2;
    const T denominator = eps_inside_sqrt ? kernels::sqrt(v_hat + eps) : kernels::sqrt(v_hat) + eps;
    p -= lr * m_hat / denominator;
  }
};

template <typename T>
AdamStep<T> adam_step(const AdamUpdate& u) {
  const double correction1 = 1 - ::pow(u.beta1, double(u.step));
  const double correction2 = 1 - ::pow(u.beta2, double(u.step));
  return {T(u.lr), T(u.beta1), T(u.beta2), T(u.eps), T(u.weight_decay), T(1 / correction1), T(1 / correction2),
          u.eps_inside_sqrt};
}

}  // namespace gs::kernels
