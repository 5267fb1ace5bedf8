// Element-wise CPU kernels: copy, fill, unary ops and their derivatives, binary
// ops, where. Each op's formula is a struct of tensor/kernels/ (unary.h,
// binary.h) that map1/map2/map3 apply over strided operands; a run whose
// strides are all 1 gets a plain loop the compiler can vectorise.
#include "tensor/cpu/cpu_backend.h"
#include "tensor/cpu/strided_loop.h"
#include "tensor/kernels/binary.h"
#include "tensor/kernels/unary.h"
#include "tensor/profile.h"

namespace gs::cpu {
namespace {

// out = f(a)
template <typename TOut, typename TA, typename F>
void map1(const Tensor& out, const Tensor& a, F f) {
  TOut* o = out.data<TOut>();
  const TA* x = a.data<TA>();
  for_each_run<2>(out.shape(), {out.strides(), a.strides()},
                  [&](const std::array<int64_t, 2>& at, int64_t count, const std::array<int64_t, 2>& step) {
    const F fn = f;  // a local copy: stores to po cannot alias its captures, so the loop vectorises
    TOut* po = o + at[0];
    const TA* px = x + at[1];
    if (step[0] == 1 && step[1] == 1) {
      for (int64_t i = 0; i < count; ++i) po[i] = fn(px[i]);
    } else {
      for (int64_t i = 0; i < count; ++i) po[i * step[0]] = fn(px[i * step[1]]);
    }
  });
}

// out = f(a, b)
template <typename T, typename F>
void map2(const Tensor& out, const Tensor& a, const Tensor& b, F f) {
  T* o = out.data<T>();
  const T* x = a.data<T>();
  const T* y = b.data<T>();
  for_each_run<3>(out.shape(), {out.strides(), a.strides(), b.strides()},
                  [&](const std::array<int64_t, 3>& at, int64_t count, const std::array<int64_t, 3>& step) {
    const F fn = f;  // see map1
    T* po = o + at[0];
    const T* px = x + at[1];
    const T* py = y + at[2];
    if (step[0] == 1 && step[1] == 1 && step[2] == 1) {
      for (int64_t i = 0; i < count; ++i) po[i] = fn(px[i], py[i]);
    } else if (step[0] == 1 && step[1] == 1 && step[2] == 0) {  // tensor (op) broadcast scalar run
      const T scalar = *py;
      for (int64_t i = 0; i < count; ++i) po[i] = fn(px[i], scalar);
    } else {
      for (int64_t i = 0; i < count; ++i) po[i * step[0]] = fn(px[i * step[1]], py[i * step[2]]);
    }
  });
}

// out = f(a, b, c)
template <typename T, typename F>
void map3(const Tensor& out, const Tensor& a, const Tensor& b, const Tensor& c, F f) {
  T* o = out.data<T>();
  const T* x = a.data<T>();
  const T* y = b.data<T>();
  const T* z = c.data<T>();
  for_each_run<4>(out.shape(), {out.strides(), a.strides(), b.strides(), c.strides()},
                  [&](const std::array<int64_t, 4>& at, int64_t count, const std::array<int64_t, 4>& step) {
    for (int64_t i = 0; i < count; ++i)
      o[at[0] + i * step[0]] = f(x[at[1] + i * step[1]], y[at[2] + i * step[2]], z[at[3] + i * step[3]]);
  });
}

}  // namespace

void CpuBackend::copy(const Tensor& in, const Tensor& out) {
  ProfileScope scope("copy");
  dispatch_all(out.dtype(), [&](auto out_tag) {
    using TOut = decltype(out_tag);
    dispatch_all(in.dtype(), [&](auto in_tag) {
      using TIn = decltype(in_tag);
      map1<TOut, TIn>(out, in, kernels::Convert<TOut, TIn>{});
    });
  });
}

void CpuBackend::fill(const Tensor& out, double value) {
  ProfileScope scope("fill");
  dispatch_all(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T v = static_cast<T>(value);
    T* o = out.data<T>();
    for_each_run<1>(out.shape(), {out.strides()},
                    [&](const std::array<int64_t, 1>& at, int64_t count, const std::array<int64_t, 1>& step) {
      for (int64_t i = 0; i < count; ++i) o[at[0] + i * step[0]] = v;
    });
  });
}

void CpuBackend::arange(const Tensor& out, double start, double step) {
  dispatch_all(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* o = out.data<T>();  // contiguous, one-dimensional
    for (int64_t i = 0; i < out.numel(); ++i) o[i] = static_cast<T>(start + step * static_cast<double>(i));
  });
}

void CpuBackend::unary(UnaryOp op, const Tensor& in, const Tensor& out, UnaryParams params) {
  ProfileScope scope("unary");
  dispatch_floating(in.dtype(), "unary op", [&](auto tag) {
    using T = decltype(tag);
    kernels::visit_unary<T>(op, params, [&](auto f) { map1<T, T>(out, in, [f](T x) { return f.forward(x); }); });
  });
}

// grad_in = grad_out * f'(x), reading whichever of x and y = f(x) f' is written in.
void CpuBackend::unary_backward(UnaryOp op, const Tensor& in, const Tensor& out, const Tensor& grad_out,
                                const Tensor& grad_in, UnaryParams params) {
  ProfileScope scope("unary backward");
  dispatch_floating(in.dtype(), "unary op backward", [&](auto tag) {
    using T = decltype(tag);
    kernels::visit_unary<T>(op, params, [&](auto f) {
      using Reads = kernels::DerivativeReads;
      constexpr Reads reads = decltype(f)::reads;
      if constexpr (reads == Reads::Nothing) {
        map1<T, T>(grad_in, grad_out, [f](T dy) { return f.backward(dy, T(0)); });
      } else {
        map2<T>(grad_in, grad_out, reads == Reads::Input ? in : out, [f](T dy, T v) { return f.backward(dy, v); });
      }
    });
  });
}

void CpuBackend::binary(BinaryOp op, const Tensor& a, const Tensor& b, const Tensor& out) {
  ProfileScope scope("binary");
  dispatch_floating(a.dtype(), "binary op", [&](auto tag) {
    using T = decltype(tag);
    kernels::visit_binary<T>(op, [&](auto f) { map2<T>(out, a, b, f); });
  });
}

void CpuBackend::where(const Tensor& condition, const Tensor& a, const Tensor& b, const Tensor& out) {
  ProfileScope scope("where");
  dispatch_floating(a.dtype(), "where", [&](auto tag) {
    using T = decltype(tag);
    map3<T>(out, condition, a, b, kernels::Select<T>{});
  });
}

}  // namespace gs::cpu
