// The element-wise functions y = f(x) of UnaryOp, each beside its derivative.
// One struct per op: forward(x) = f(x) and backward(dy, v) = dy f'(x), where v
// is x or y = f(x), whichever f' is cheaper in (`reads`), so the backward pass
// reads two arrays, not three. The CPU loops (tensor/cpu/elementwise.cpp) and
// the CUDA kernels (tensor/cuda/elementwise.cu) both apply these structs.
#pragma once
#include "tensor/kernels/host_device.h"
#include "tensor/kernels/kernel_args.h"
#include "tensor/kernels/math.h"

namespace gs::kernels {

// What backward's second argument is.
enum class DerivativeReads { Input, Output, Nothing };

// 1 / (1 + e^-x), exponentiating only non-positive numbers: never overflows.
template <typename T>
GS_HOST_DEVICE T stable_sigmoid(T x) {
  // 1 / (1 + e^-x) for x >= 0, e^x / (1 + e^x) below: one exp of -|x| serves
  // both, so the loop has no branch and runs in vector lanes.
  const T e = kernels::exp(-kernels::abs(x)), denominator = T(1) + e;
  return x >= 0 ? T(1) / denominator : e / denominator;
}

// log(1 + e^x) = max(x, 0) + log1p(e^-|x|): never overflows.
template <typename T>
GS_HOST_DEVICE T stable_softplus(T x) {
  return (x > T(0) ? x : T(0)) + kernels::log1p(kernels::exp(-kernels::abs(x)));
}

// y = -x;  dx = -dy
template <typename T> struct Neg {
  static constexpr DerivativeReads reads = DerivativeReads::Nothing;
  GS_HOST_DEVICE T forward(T x) const { return -x; }
  GS_HOST_DEVICE T backward(T dy, T) const { return -dy; }
};
// y = e^x;  dx = dy y
template <typename T> struct Exp {
  static constexpr DerivativeReads reads = DerivativeReads::Output;
  GS_HOST_DEVICE T forward(T x) const { return kernels::exp(x); }
  GS_HOST_DEVICE T backward(T dy, T y) const { return dy * y; }
};
// y = log x;  dx = dy / x
template <typename T> struct Log {
  static constexpr DerivativeReads reads = DerivativeReads::Input;
  GS_HOST_DEVICE T forward(T x) const { return kernels::log(x); }
  GS_HOST_DEVICE T backward(T dy, T x) const { return dy / x; }
};
// y = sqrt x;  dx = dy / 2y
template <typename T> struct Sqrt {
  static constexpr DerivativeReads reads = DerivativeReads::Output;
  GS_HOST_DEVICE T forward(T x) const { return kernels::sqrt(x); }
  GS_HOST_DEVICE T backward(T dy, T y) const { return dy / (2 * y); }
};
// y = |x|;  dx = dy sign(x)
template <typename T> struct Abs {
  static constexpr DerivativeReads reads = DerivativeReads::Input;
  GS_HOST_DEVICE T forward(T x) const { return kernels::abs(x); }
  GS_HOST_DEVICE T backward(T dy, T x) const { return x > 0 ? dy : (x < 0 ? -dy : T(0)); }
};
// y = tanh x;  dx = dy (1 - y^2)
template <typename T> struct Tanh {
  static constexpr DerivativeReads reads = DerivativeReads::Output;
  GS_HOST_DEVICE T forward(T x) const { return kernels::tanh(x); }
  GS_HOST_DEVICE T backward(T dy, T y) const { return dy * (1 - y * y); }
};
// y = 1 / (1 + e^-x);  dx = dy y (1 - y)
template <typename T> struct Sigmoid {
  static constexpr DerivativeReads reads = DerivativeReads::Output;
  GS_HOST_DEVICE T forward(T x) const { return stable_sigmoid(x); }
  GS_HOST_DEVICE T backward(T dy, T y) const { return dy * y * (1 - y); }
};
// y = max(x, 0);  dx = dy [x > 0]
template <typename T> struct Relu {
  static constexpr DerivativeReads reads = DerivativeReads::Input;
  GS_HOST_DEVICE T forward(T x) const { return x > 0 ? x : T(0); }
  GS_HOST_DEVICE T backward(T dy, T x) const { return x > 0 ? dy : T(0); }
};
// y = x for x > 0, slope x otherwise;  dx = dy or slope dy
template <typename T> struct LeakyRelu {
  T slope;
  static constexpr DerivativeReads reads = DerivativeReads::Input;
  GS_HOST_DEVICE T forward(T x) const { return x > 0 ? x : slope * x; }
  GS_HOST_DEVICE T backward(T dy, T x) const { return x > 0 ? dy : slope * dy; }
};
// y = log(1 + e^x);  dx = dy sigmoid(x)
template <typename T> struct Softplus {
  static constexpr DerivativeReads reads = DerivativeReads::Input;
  GS_HOST_DEVICE T forward(T x) const { return stable_softplus(x); }
  GS_HOST_DEVICE T backward(T dy, T x) const { return dy * stable_sigmoid(x); }
};
// y = x + c;  dx = dy
template <typename T> struct AddScalar {
  T addend;
  static constexpr DerivativeReads reads = DerivativeReads::Nothing;
  GS_HOST_DEVICE T forward(T x) const { return x + addend; }
  GS_HOST_DEVICE T backward(T dy, T) const { return dy; }
};
// y = c x;  dx = c dy
template <typename T> struct MulScalar {
  T factor;
  static constexpr DerivativeReads reads = DerivativeReads::Nothing;
  GS_HOST_DEVICE T forward(T x) const { return x * factor; }
  GS_HOST_DEVICE T backward(T dy, T) const { return dy * factor; }
};
// y = x^p;  dx = dy p x^(p-1)
template <typename T> struct PowScalar {
  T exponent;
  static constexpr DerivativeReads reads = DerivativeReads::Input;
  GS_HOST_DEVICE T forward(T x) const { return kernels::pow(x, exponent); }
  GS_HOST_DEVICE T backward(T dy, T x) const { return dy * exponent * kernels::pow(x, exponent - 1); }
};
// y = min(max(x, low), high);  dx = dy inside [low, high], 0 outside
template <typename T> struct Clamp {
  T low, high;
  static constexpr DerivativeReads reads = DerivativeReads::Input;
  GS_HOST_DEVICE T forward(T x) const {
    const T raised = x < low ? low : x;
    return high < raised ? high : raised;
  }
  GS_HOST_DEVICE T backward(T dy, T x) const { return x >= low && x <= high ? dy : T(0); }
};
// y = sign(x) in {-1, 0, 1};  dx = 0
template <typename T> struct Sign {
  static constexpr DerivativeReads reads = DerivativeReads::Nothing;
  GS_HOST_DEVICE T forward(T x) const { return T((x > 0) - (x < 0)); }
  GS_HOST_DEVICE T backward(T, T) const { return T(0); }
};
// y = x^2;  dx = dy 2x
template <typename T> struct Square {
  static constexpr DerivativeReads reads = DerivativeReads::Input;
  GS_HOST_DEVICE T forward(T x) const { return x * x; }
  GS_HOST_DEVICE T backward(T dy, T x) const { return dy * 2 * x; }
};
// y = 1 / x;  dx = -dy y^2
template <typename T> struct Reciprocal {
  static constexpr DerivativeReads reads = DerivativeReads::Output;
  GS_HOST_DEVICE T forward(T x) const { return T(1) / x; }
  GS_HOST_DEVICE T backward(T dy, T y) const { return -dy * y * y; }
};

// Calls visit(f) with the struct of `op`, its parameters set from `params`.
// A host function: each backend's visit launches its own loop or kernel.
template <typename T, typename Visit>
void visit_unary(UnaryOp op, UnaryParams params, Visit visit) {
  const T a = static_cast<T>(params.a), b = static_cast<T>(params.b);
  switch (op) {
    case UnaryOp::Neg: return visit(Neg<T>{});
    case UnaryOp::Exp: return visit(Exp<T>{});
    case UnaryOp::Log: return visit(Log<T>{});
    case UnaryOp::Sqrt: return visit(Sqrt<T>{});
    case UnaryOp::Abs: return visit(Abs<T>{});
    case UnaryOp::Tanh: return visit(Tanh<T>{});
    case UnaryOp::Sigmoid: return visit(Sigmoid<T>{});
    case UnaryOp::Relu: return visit(Relu<T>{});
    case UnaryOp::LeakyRelu: return visit(LeakyRelu<T>{a});
    case UnaryOp::Softplus: return visit(Softplus<T>{});
    case UnaryOp::AddScalar: return visit(AddScalar<T>{a});
    case UnaryOp::MulScalar: return visit(MulScalar<T>{a});
    case UnaryOp::PowScalar: return visit(PowScalar<T>{a});
    case UnaryOp::Clamp: return visit(Clamp<T>{a, b});
    case UnaryOp::Sign: return visit(Sign<T>{});
    case UnaryOp::Square: return visit(Square<T>{});
    case UnaryOp::Reciprocal: return visit(Reciprocal<T>{});
  }
}

}  // namespace gs::kernels
