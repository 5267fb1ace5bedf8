// Element-wise CPU kernels: copy, fill, unary ops and their derivatives, binary
// ops, where. Each op is a scalar function that map1/map2/map3 apply over
// strided operands; a run whose strides are all 1 gets a plain loop the
// compiler can vectorise.
#include <cmath>

#include "tensor/cpu/cpu_backend.h"
#include "tensor/profile.h"
#include "tensor/cpu/strided_loop.h"

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

template <typename T>
T stable_sigmoid(T x) {
  if (x >= 0) return T(1) / (T(1) + std::exp(-x));
  T e = std::exp(x);
  return e / (T(1) + e);
}

// log(1 + e^x) = max(x, 0) + log1p(e^-|x|): never overflows.
template <typename T>
T stable_softplus(T x) {
  return std::max(x, T(0)) + std::log1p(std::exp(-std::abs(x)));
}

}  // namespace

void CpuBackend::copy(const Tensor& in, const Tensor& out) {
  ProfileScope scope("copy");
  dispatch_all(out.dtype(), [&](auto out_tag) {
    using TOut = decltype(out_tag);
    dispatch_all(in.dtype(), [&](auto in_tag) {
      using TIn = decltype(in_tag);
      map1<TOut, TIn>(out, in, [](TIn v) { return static_cast<TOut>(v); });
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

void CpuBackend::unary(UnaryOp op, const Tensor& in, const Tensor& out, UnaryParams p) {
  ProfileScope scope("unary");
  dispatch_floating(in.dtype(), "unary op", [&](auto tag) {
    using T = decltype(tag);
    const T a = static_cast<T>(p.a), b = static_cast<T>(p.b);
    switch (op) {
      case UnaryOp::Neg: map1<T, T>(out, in, [](T x) { return -x; }); break;
      case UnaryOp::Exp: map1<T, T>(out, in, [](T x) { return std::exp(x); }); break;
      case UnaryOp::Log: map1<T, T>(out, in, [](T x) { return std::log(x); }); break;
      case UnaryOp::Sqrt: map1<T, T>(out, in, [](T x) { return std::sqrt(x); }); break;
      case UnaryOp::Abs: map1<T, T>(out, in, [](T x) { return std::abs(x); }); break;
      case UnaryOp::Tanh: map1<T, T>(out, in, [](T x) { return std::tanh(x); }); break;
      case UnaryOp::Sigmoid: map1<T, T>(out, in, [](T x) { return stable_sigmoid(x); }); break;
      case UnaryOp::Relu: map1<T, T>(out, in, [](T x) { return x > 0 ? x : T(0); }); break;
      case UnaryOp::LeakyRelu: map1<T, T>(out, in, [a](T x) { return x > 0 ? x : a * x; }); break;
      case UnaryOp::Softplus: map1<T, T>(out, in, [](T x) { return stable_softplus(x); }); break;
      case UnaryOp::AddScalar: map1<T, T>(out, in, [a](T x) { return x + a; }); break;
      case UnaryOp::MulScalar: map1<T, T>(out, in, [a](T x) { return x * a; }); break;
      case UnaryOp::PowScalar: map1<T, T>(out, in, [a](T x) { return std::pow(x, a); }); break;
      case UnaryOp::Clamp: map1<T, T>(out, in, [a, b](T x) { return std::min(std::max(x, a), b); }); break;
      case UnaryOp::Sign: map1<T, T>(out, in, [](T x) { return T((x > 0) - (x < 0)); }); break;
      case UnaryOp::Square: map1<T, T>(out, in, [](T x) { return x * x; }); break;
      case UnaryOp::Reciprocal: map1<T, T>(out, in, [](T x) { return T(1) / x; }); break;
    }
  });
}

// grad_in = grad_out * f'(x), written with whichever of x and y = f(x) is cheaper.
void CpuBackend::unary_backward(UnaryOp op, const Tensor& in, const Tensor& out, const Tensor& grad_out,
                                const Tensor& grad_in, UnaryParams p) {
  ProfileScope scope("unary backward");
  dispatch_floating(in.dtype(), "unary op backward", [&](auto tag) {
    using T = decltype(tag);
    const T a = static_cast<T>(p.a), b = static_cast<T>(p.b);
    const Tensor& g = grad_out;
    switch (op) {
      case UnaryOp::Neg: map1<T, T>(grad_in, g, [](T dy) { return -dy; }); break;
      case UnaryOp::Exp: map2<T>(grad_in, g, out, [](T dy, T y) { return dy * y; }); break;
      case UnaryOp::Log: map2<T>(grad_in, g, in, [](T dy, T x) { return dy / x; }); break;
      case UnaryOp::Sqrt: map2<T>(grad_in, g, out, [](T dy, T y) { return dy / (2 * y); }); break;
      case UnaryOp::Abs: map2<T>(grad_in, g, in, [](T dy, T x) { return x > 0 ? dy : (x < 0 ? -dy : T(0)); }); break;
      case UnaryOp::Tanh: map2<T>(grad_in, g, out, [](T dy, T y) { return dy * (1 - y * y); }); break;
      case UnaryOp::Sigmoid: map2<T>(grad_in, g, out, [](T dy, T y) { return dy * y * (1 - y); }); break;
      case UnaryOp::Relu: map2<T>(grad_in, g, in, [](T dy, T x) { return x > 0 ? dy : T(0); }); break;
      case UnaryOp::LeakyRelu: map2<T>(grad_in, g, in, [a](T dy, T x) { return x > 0 ? dy : a * dy; }); break;
      case UnaryOp::Softplus: map2<T>(grad_in, g, in, [](T dy, T x) { return dy * stable_sigmoid(x); }); break;
      case UnaryOp::AddScalar: map1<T, T>(grad_in, g, [](T dy) { return dy; }); break;
      case UnaryOp::MulScalar: map1<T, T>(grad_in, g, [a](T dy) { return dy * a; }); break;
      case UnaryOp::PowScalar:
        map2<T>(grad_in, g, in, [a](T dy, T x) { return dy * a * std::pow(x, a - 1); });
        break;
      case UnaryOp::Clamp: map2<T>(grad_in, g, in, [a, b](T dy, T x) { return x >= a && x <= b ? dy : T(0); }); break;
      case UnaryOp::Sign: map1<T, T>(grad_in, g, [](T) { return T(0); }); break;
      case UnaryOp::Square: map2<T>(grad_in, g, in, [](T dy, T x) { return dy * 2 * x; }); break;
      case UnaryOp::Reciprocal: map2<T>(grad_in, g, out, [](T dy, T y) { return -dy * y * y; }); break;
    }
  });
}

void CpuBackend::binary(BinaryOp op, const Tensor& a, const Tensor& b, const Tensor& out) {
  ProfileScope scope("binary");
  dispatch_floating(a.dtype(), "binary op", [&](auto tag) {
    using T = decltype(tag);
    switch (op) {
      case BinaryOp::Add: map2<T>(out, a, b, [](T x, T y) { return x + y; }); break;
      case BinaryOp::Sub: map2<T>(out, a, b, [](T x, T y) { return x - y; }); break;
      case BinaryOp::Mul: map2<T>(out, a, b, [](T x, T y) { return x * y; }); break;
      case BinaryOp::Div: map2<T>(out, a, b, [](T x, T y) { return x / y; }); break;
      case BinaryOp::Maximum: map2<T>(out, a, b, [](T x, T y) { return x >= y ? x : y; }); break;
      case BinaryOp::Minimum: map2<T>(out, a, b, [](T x, T y) { return x <= y ? x : y; }); break;
      case BinaryOp::Equal: map2<T>(out, a, b, [](T x, T y) { return T(x == y); }); break;
      case BinaryOp::NotEqual: map2<T>(out, a, b, [](T x, T y) { return T(x != y); }); break;
      case BinaryOp::Less: map2<T>(out, a, b, [](T x, T y) { return T(x < y); }); break;
      case BinaryOp::LessEqual: map2<T>(out, a, b, [](T x, T y) { return T(x <= y); }); break;
      case BinaryOp::Greater: map2<T>(out, a, b, [](T x, T y) { return T(x > y); }); break;
      case BinaryOp::GreaterEqual: map2<T>(out, a, b, [](T x, T y) { return T(x >= y); }); break;
    }
  });
}

void CpuBackend::where(const Tensor& condition, const Tensor& a, const Tensor& b, const Tensor& out) {
  ProfileScope scope("where");
  dispatch_floating(a.dtype(), "where", [&](auto tag) {
    using T = decltype(tag);
    map3<T>(out, condition, a, b, [](T c, T x, T y) { return c != 0 ? x : y; });
  });
}

}  // namespace gs::cpu
