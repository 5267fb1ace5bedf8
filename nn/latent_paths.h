// Paths through a generator's latent space (apps/latent, tutorials/09-latent-space) between two codes a and b.
//
// Linear interpolation (lerp) cuts straight through the middle. For
// z ~ N(0, I) in D dimensions almost every code has a norm close to sqrt(D)
// (10 for D = 100), but the midpoint of two independent codes has norm about
// sqrt(D / 2): lerp visits a shell the generator practically never saw in
// training. Spherical interpolation (slerp, Shoemake 1985; proposed for GANs
// by White 2016, "Sampling Generative Networks") follows the great circle
// instead: between codes of equal norm every point keeps that norm.
#pragma once
#include <cstdint>

#include "tensor/tensor.h"

namespace gs::latent {

enum class PathKind { kLinear, kSpherical };

// (1 - t) a + t b, for vectors a, b [D].
Tensor lerp(const Tensor& a, const Tensor& b, double t);

// sin((1 - t) omega) / sin(omega) a + sin(t omega) / sin(omega) b, where omega
// is the angle between a and b. Nearly parallel (or opposite) vectors have no
// well-defined great circle; slerp then falls back to lerp.
Tensor slerp(const Tensor& a, const Tensor& b, double t);

// `steps` >= 2 points from a to b, both ends included, as rows [steps, D].
Tensor interpolation_path(const Tensor& a, const Tensor& b, int64_t steps, PathKind kind);

}  // namespace gs::latent
