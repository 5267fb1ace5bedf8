// The element-wise functions out = f(a, b) of BinaryOp, and where's select.
// Comparisons give 1 where true and 0 elsewhere, in the operands' type. Their
// derivatives are ordinary ops (autograd/ops/arithmetic.cpp), so only the
// forward formulas live here; both backends apply these structs.
#pragma once
#include "tensor/kernels/host_device.h"
#include "tensor/kernels/kernel_args.h"

namespace gs::kernels {

template <typename T> struct Add { GS_HOST_DEVICE T operator()(T x, T y) const { return x + y; } };
template <typename T> struct Sub { GS_HOST_DEVICE T operator()(T x, T y) const { return x - y; } };
template <typename T> struct Mul { GS_HOST_DEVICE T operator()(T x, T y) const { return x * y; } };
template <typename T> struct Div { GS_HOST_DEVICE T operator()(T x, T y) const { return x / y; } };
// Ties go to x (the gradient of maximum/minimum follows the same rule).
template <typename T> struct Maximum { GS_HOST_DEVICE T operator()(T x, T y) const { return x >= y ? x : y; } };
template <typename T> struct Minimum { GS_HOST_DEVICE T operator()(T x, T y) const { return x <= y ? x : y; } };
template <typename T> struct Equal { GS_HOST_DEVICE T operator()(T x, T y) const { return T(x == y); } };
template <typename T> struct NotEqual { GS_HOST_DEVICE T operator()(T x, T y) const { return T(x != y); } };
template <typename T> struct Less { GS_HOST_DEVICE T operator()(T x, T y) const { return T(x < y); } };
template <typename T> struct LessEqual { GS_HOST_DEVICE T operator()(T x, T y) const { return T(x <= y); } };
template <typename T> struct Greater { GS_HOST_DEVICE T operator()(T x, T y) const { return T(x > y); } };
template <typename T> struct GreaterEqual { GS_HOST_DEVICE T operator()(T x, T y) const { return T(x >= y); } };

// where: out = condition != 0 ? x : y
template <typename T> struct Select {
  GS_HOST_DEVICE T operator()(T condition, T x, T y) const { return condition != 0 ? x : y; }
};

// copy between dtypes: C++'s conversion (float to int truncates toward zero)
template <typename TOut, typename TIn> struct Convert {
  GS_HOST_DEVICE TOut operator()(TIn x) const { return static_cast<TOut>(x); }
};

// Calls visit(f) with the struct of `op` (a host function, as visit_unary).
template <typename T, typename Visit>
void visit_binary(BinaryOp op, Visit visit) {
  switch (op) {
    case BinaryOp::Add: return visit(Add<T>{});
    case BinaryOp::Sub: return visit(Sub<T>{});
    case BinaryOp::Mul: return visit(Mul<T>{});
    case BinaryOp::Div: return visit(Div<T>{});
    case BinaryOp::Maximum: return visit(Maximum<T>{});
    case BinaryOp::Minimum: return visit(Minimum<T>{});
    case BinaryOp::Equal: return visit(Equal<T>{});
    case BinaryOp::NotEqual: return visit(NotEqual<T>{});
    case BinaryOp::Less: return visit(Less<T>{});
    case BinaryOp::LessEqual: return visit(LessEqual<T>{});
    case BinaryOp::Greater: return visit(Greater<T>{});
    case BinaryOp::GreaterEqual: return visit(GreaterEqual<T>{});
  }
}

}  // namespace gs::kernels
