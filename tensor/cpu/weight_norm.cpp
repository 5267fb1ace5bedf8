// Weight normalisation kernels (the formulas are tensor/kernels/weight_norm.h;
// the op is nn/weight_norm.cpp). Each output unit is one task that walks its
// row of v twice while it sits in cache: forward sums the squares, then
// writes w; backward sums dW v, then writes dv. The composed version
// (tensor/backend_defaults.cpp) makes about ten passes through main memory.
#include <algorithm>

#include "tensor/cpu/cpu_backend.h"
#include "tensor/cpu/partial_sums.h"
#include "tensor/kernels/weight_norm.h"
#include "tensor/parallel.h"
#include "tensor/profile.h"

namespace gs::cpu {

void CpuBackend::weight_norm_forward(const Tensor& v, const Tensor& g, const Tensor& w, const Tensor& norm) {
  ProfileScope scope("weight_norm_forward");
  const int64_t units = v.size(0), fan_in = v.numel() / std::max<int64_t>(units, 1);
  dispatch_floating(v.dtype(), "weight_norm", [&](auto zero) {
    using T = decltype(zero);
    const T* direction = v.data<T>();
    const T* length = g.data<T>();
    T* out = w.data<T>();
    T* norms = norm.data<T>();
    parallel_for(units, 2 * v.numel(), [&](int64_t unit) {
      const T* row = direction + unit * fan_in;
      const double squares = partial_sums(fan_in, [row](int64_t k) { return double(row[k] * row[k]); });
      const kernels::WeightNormForward<T> normalize = kernels::weight_norm_forward<T>(squares, length[unit]);
      norms[unit] = normalize.norm;
      T* out_row = out + unit * fan_in;
      for (int64_t k = 0; k < fan_in; ++k) out_row[k] = normalize(row[k]);
    });
  });
}

void CpuBackend::weight_norm_backward(const Tensor& grad_w, const Tensor& v, const Tensor& g, const Tensor& norm,
                                      const Tensor& grad_v, const Tensor& grad_g) {
  ProfileScope scope("weight_norm_backward");
  const int64_t units = v.size(0), fan_in = v.numel() / std::max<int64_t>(units, 1);
  dispatch_floating(v.dtype(), "weight_norm backward", [&](auto zero) {
    using T = decltype(zero);
    const T* dw = grad_w.data<T>();
    const T* direction = v.data<T>();
    const T* length = g.data<T>();
    const T* norms = norm.data<T>();
    T* dv = data_or_null<T>(grad_v);
    T* dg = data_or_null<T>(grad_g);
    parallel_for(units, 3 * v.numel(), [&](int64_t unit) {
      const T* row = direction + unit * fan_in;
      const T* dw_row = dw + unit * fan_in;
      const double dot = partial_sums(fan_in, [row, dw_row](int64_t k) { return double(dw_row[k] * row[k]); });
      const kernels::WeightNormBackward<T> backward = kernels::weight_norm_backward<T>(norms[unit], length[unit], dot);
      if (dg) dg[unit] = backward.grad_g;
      if (!dv) return;
      T* dv_row = dv + unit * fan_in;
      for (int64_t k = 0; k < fan_in; ++k) dv_row[k] = backward(dw_row[k], row[k]);
    });
  });
}

}  // namespace gs::cpu
