// Weight normalisation's per-unit and per-element formulas (Salimans & Kingma
// 2016; the op is nn/weight_norm.cpp). Over the K values of one output unit's
// direction v (a row of v viewed as [out, K]):
//   norm = ||v||,   w = (g / norm) v = scale v.
// Backward, with dot = sum dW v over the unit:
//   dg = dot / norm,   dv = (g / norm) (dW - (dot / norm^2) v) = scale (dW - coefficient v).
// The backends compute the two sums (in double) their own way and call these.
#pragma once
#include "tensor/kernels/host_device.h"
#include "tensor/kernels/math.h"

namespace gs::kernels {

template <typename T>
struct WeightNormForward {
  T norm, scale;  // ||v|| (the op saves it) and g / ||v||
  GS_HOST_DEVICE T operator()(T v) const { return v * scale; }
};

// From the unit's sum of squares of v and its length g.
template <typename T>
GS_HOST_DEVICE WeightNormForward<T> weight_norm_forward(double squares, T g) {
  const T norm = T(kernels::sqrt(squares));
  return {norm, g / norm};
}

template <typename T>
struct WeightNormBackward {
  T grad_g, scale, coefficient;  // dv = scale (dW - coefficient v)
  GS_HOST_DEVICE T operator()(T dw, T v) const { return scale * (dw - coefficient * v); }
};

// From the saved norm, the length g and the unit's sum of dW v.
template <typename T>
GS_HOST_DEVICE WeightNormBackward<T> weight_norm_backward(T norm, T g, double dot) {
  return {T(dot / norm), g / norm, T(dot / (double(norm) * norm))};
}

}  // namespace gs::kernels
