// Batch normalisation's per-channel and per-element formulas (Ioffe & Szegedy
// 2015; the op is nn/batch_norm.cpp). Over the M values of a channel c:
//   mean, variance (biased), inverse_std = 1 / sqrt(variance + eps),
//   y = gamma (x - mean) inverse_std + beta = x scale + shift.
// Backward, closed form, with xhat = (x - mean) inverse_std:
//   grad_beta = sum dY,   grad_gamma = sum dY xhat,
//   dX = gamma inverse_std (dY - grad_beta / M - xhat grad_gamma / M)
//      = a dY + b (x - mean) + d.
// The backends compute the channel sums (in double) their own way and call these.
#pragma once
#include "tensor/kernels/host_device.h"
#include "tensor/kernels/math.h"

namespace gs::kernels {

// The terms of the channel sums: (x - mean)^2 for the variance, dY (x - mean)
// for the backward (each rounded in T, then accumulated in double).
template <typename T>
GS_HOST_DEVICE double squared_deviation(T x, T mean) {
  const T centered = x - mean;
  return double(centered * centered);
}
template <typename T>
GS_HOST_DEVICE double grad_times_deviation(T dy, T x, T mean) {
  return double(dy * (x - mean));
}

template <typename T>
struct BatchNormForward {
  T mean, variance, inverse_std;  // the statistics the op saves
  T scale, shift;                 // y = x scale + shift
  GS_HOST_DEVICE T operator()(T x) const { return x * scale + shift; }
};

// From the channel's sum of x and sum of (x - mean)^2 over `count` values;
// gamma and beta are 1 and 0 when the layer has none. The mean is rounded
// to T before the squares are taken around it (the two-pass variance).
template <typename T>
GS_HOST_DEVICE T batch_norm_mean(double sum, double count) {
  return T(sum / count);
}

template <typename T>
GS_HOST_DEVICE BatchNormForward<T> batch_norm_forward(T mean, double squares, double count, double eps, T gamma,
                                                      T beta) {
  const double variance = squares / count;
  const T inverse_std = T(1.0 / kernels::sqrt(variance + eps));
  const T scale = gamma * inverse_std;
  return {mean, T(variance), inverse_std, scale, beta - mean * scale};
}

template <typename T>
struct BatchNormBackward {
  T grad_gamma, grad_beta;
  T mean, a, b, d;  // dX = a dY + b (x - mean) + d
  GS_HOST_DEVICE T operator()(T dy, T x) const { return a * dy + b * (x - mean) + d; }
};

// From the channel's sum of dY and sum of dY (x - mean) over `count` values.
template <typename T>
GS_HOST_DEVICE BatchNormBackward<T> batch_norm_backward(T mean, T inverse_std, T gamma, double sum_dy,
                                                        double sum_dy_centered, double count) {
  const double sum_dy_xhat = sum_dy_centered * inverse_std;
  const T a = gamma * inverse_std;
  const T b = T(-double(a) * inverse_std * sum_dy_xhat / count);
  const T d = T(-double(a) * sum_dy / count);
  return {T(sum_dy_xhat), T(sum_dy), mean, a, b, d};
}

}  // namespace gs::kernels
