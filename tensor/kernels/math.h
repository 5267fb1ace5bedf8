// The math functions the kernels use, one overload per float type. They
// forward to the C library's names (expf for float, exp for double), which
// exist on the host and, under nvcc, in device code, so a formula written with
// kernels::exp compiles unchanged for both backends.
#pragma once
#include <math.h>

#include "tensor/kernels/host_device.h"

namespace gs::kernels {

GS_HOST_DEVICE inline float exp(float x) { return ::expf(x); }
GS_HOST_DEVICE inline double exp(double x) { return ::exp(x); }
GS_HOST_DEVICE inline float log(float x) { return ::logf(x); }
GS_HOST_DEVICE inline double log(double x) { return ::log(x); }
GS_HOST_DEVICE inline float log1p(float x) { return ::log1pf(x); }
GS_HOST_DEVICE inline double log1p(double x) { return ::log1p(x); }
GS_HOST_DEVICE inline float sqrt(float x) { return ::sqrtf(x); }
GS_HOST_DEVICE inline double sqrt(double x) { return ::sqrt(x); }
GS_HOST_DEVICE inline float tanh(float x) { return ::tanhf(x); }
GS_HOST_DEVICE inline double tanh(double x) { return ::tanh(x); }
GS_HOST_DEVICE inline float pow(float x, float p) { return ::powf(x, p); }
GS_HOST_DEVICE inline double pow(double x, double p) { return ::pow(x, p); }
GS_HOST_DEVICE inline float abs(float x) { return ::fabsf(x); }
GS_HOST_DEVICE inline double abs(double x) { return ::fabs(x); }
GS_HOST_DEVICE inline double sin(double x) { return ::sin(x); }
GS_HOST_DEVICE inline double cos(double x) { return ::cos(x); }
GS_HOST_DEVICE inline float fma(float a, float b, float c) { return ::fmaf(a, b, c); }
GS_HOST_DEVICE inline double fma(double a, double b, double c) { return ::fma(a, b, c); }

}  // namespace gs::kernels
