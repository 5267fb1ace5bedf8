// Philox-4x32-10, the counter-based generator of Salmon, Moraes, Dror and Shaw,
// "Parallel Random Numbers: As Easy as 1, 2, 3" (SC 2011).
// Output block = a bijection of (counter, key) after 10 rounds, so element i of
// any random tensor depends only on (seed, offset, i): the CPU and the GPU
// produce the same numbers without sharing state.
#pragma once
#include <cstdint>
#include <cstring>

#include "tensor/kernels/host_device.h"
#include "tensor/kernels/math.h"

namespace gs {

struct PhiloxBlock {
  uint32_t word[4];
};

GS_HOST_DEVICE inline void philox_mulhilo(uint32_t a, uint32_t b, uint32_t& hi, uint32_t& lo) {
  uint64_t product = static_cast<uint64_t>(a) * b;
  hi = static_cast<uint32_t>(product >> 32);
  lo = static_cast<uint32_t>(product);
}

// counter = (c0, c1, c2, c3), key = (k0, k1).
GS_HOST_DEVICE inline PhiloxBlock philox4x32_10(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3,
                                                uint32_t k0, uint32_t k1) {
  const uint32_t kMul0 = 0xD2511F53u, kMul1 = 0xCD9E8D57u;  // round multipliers
  const uint32_t kWeyl0 = 0x9E3779B9u, kWeyl1 = 0xBB67AE85u;  // key schedule (golden ratio, sqrt 3)
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      k0 += kWeyl0;
      k1 += kWeyl1;
    }
    uint32_t hi0, lo0, hi1, lo1;
    philox_mulhilo(kMul0, c0, hi0, lo0);
    philox_mulhilo(kMul1, c2, hi1, lo1);
    uint32_t n0 = hi1 ^ c1 ^ k0, n1 = lo1, n2 = hi0 ^ c3 ^ k1, n3 = lo0;
    c0 = n0; c1 = n1; c2 = n2; c3 = n3;
  }
  return {{c0, c1, c2, c3}};
}

// The block whose counter is the 64-bit number `counter`, keyed by the 64-bit seed.
GS_HOST_DEVICE inline PhiloxBlock philox_block(uint64_t seed, uint64_t counter) {
  return philox4x32_10(static_cast<uint32_t>(counter), static_cast<uint32_t>(counter >> 32), 0, 0,
                       static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32));
}

// The convention shared by every device: element i of a random tensor drawn at
// generator offset `offset` reads word i % 4 of block offset + i / 4.
GS_HOST_DEVICE inline uint32_t philox_word(uint64_t seed, uint64_t offset, uint64_t index) {
  return philox_block(seed, offset + index / 4).word[index % 4];
}

// A uniform number strictly inside (0, 1): safe to take the log of.
GS_HOST_DEVICE inline double philox_uniform(uint32_t word) { return (word + 0.5) * (1.0 / 4294967296.0); }

// Uniform in [low, high). The explicit fused multiply-add rounds once on every
// device (a compiler may fuse a + (b - a) u on one and not on another), so
// uniform draws are bit-identical on the CPU and the GPU.
GS_HOST_DEVICE inline double uniform_value(uint32_t word, double low, double high) {
  return kernels::fma(high - low, philox_uniform(word), low);
}

// 1 with probability p (a comparison: bit-identical on every device).
GS_HOST_DEVICE inline bool bernoulli_value(uint32_t word, double p) { return philox_uniform(word) < p; }

// Box-Muller: two independent standard normals from two uniforms in (0, 1).
GS_HOST_DEVICE inline void box_muller(uint32_t word1, uint32_t word2, double& cosine, double& sine) {
  const double radius = kernels::sqrt(-2.0 * kernels::log(philox_uniform(word1)));
  const double angle = 6.283185307179586 * philox_uniform(word2);
  cosine = radius * kernels::cos(angle);
  sine = radius * kernels::sin(angle);
}

// The four normals of one block: words (0, 1) give elements 4j and 4j + 1,
// words (2, 3) give 4j + 2 and 4j + 3 (j = block counter - offset). Fills
// draw each block once this way.
GS_HOST_DEVICE inline void philox_normals(uint64_t seed, uint64_t counter, double normals[4]) {
  const PhiloxBlock block = philox_block(seed, counter);
  box_muller(block.word[0], block.word[1], normals[0], normals[1]);
  box_muller(block.word[2], block.word[3], normals[2], normals[3]);
}

// ---- single precision, for float32 fills ----
// The same uniforms, but log, sine and cosine as short polynomials in plain
// float arithmetic: a compiler runs many lanes of them at once, where the
// double-precision library calls run one by one (about 14x faster on a CPU).
// Every multiply-add is an explicit fma, so a compiler has none left to fuse
// its own way: vector and scalar code, CPU and GPU, give the same bits. They
// agree with the double formula to about 2e-5 (the float uniform's rounding
// near 1, where the normal is near 0).

// The natural log of u in (0, 1]: u = m 2^e with m in [sqrt(1/2), sqrt(2)),
// log m = 2 atanh(z), z = (m - 1) / (m + 1), |z| < 0.172: five terms of its series.
GS_HOST_DEVICE inline float log_of_unit(float u) {
  uint32_t bits;
  memcpy(&bits, &u, sizeof bits);
  float exponent = static_cast<float>(static_cast<int>(bits >> 23) - 127);
  const uint32_t mantissa_bits = (bits & 0x7fffffu) | 0x3f800000u;  // m in [1, 2)
  float m;
  memcpy(&m, &mantissa_bits, sizeof m);
  const bool above = m > 1.41421356f;
  m = above ? 0.5f * m : m;
  exponent = above ? exponent + 1.0f : exponent;
  const float z = (m - 1.0f) / (m + 1.0f), z2 = z * z;
  using kernels::fma;
  const float series = fma(z2, fma(z2, fma(z2, fma(z2, 1.0f / 9, 1.0f / 7), 1.0f / 5), 1.0f / 3), 1.0f);
  return fma(exponent, 0.693147181f, (2.0f * z) * series);
}

// sin and cos of 2 pi t: t reduced to a quarter turn k / 4 plus y in
// [-1/8, 1/8], Taylor polynomials of p = 2 pi y (|p| <= pi / 4) to p^9 and p^8,
// then rotated by k quarter turns.
GS_HOST_DEVICE inline void sincos_of_turns(float t, float& sine, float& cosine) {
  using kernels::fma;
  const float x = t - rintf(t), quarter = rintf(4.0f * x), y = fma(-0.25f, quarter, x);
  const float p = 6.28318531f * y, p2 = p * p;
  const float sin_p =
      p * fma(p2, fma(p2, fma(p2, fma(p2, 1.0f / 362880, -1.0f / 5040), 1.0f / 120), -1.0f / 6), 1.0f);
  const float cos_p = fma(p2, fma(p2, fma(p2, fma(p2, 1.0f / 40320, -1.0f / 720), 1.0f / 24), -0.5f), 1.0f);
  const int k = static_cast<int>(quarter) & 3;  // sin(p + k pi/2), cos(p + k pi/2)
  const float a = (k & 1) ? cos_p : sin_p, b = (k & 1) ? sin_p : cos_p;
  sine = (k & 2) ? -a : a;
  cosine = ((k + 1) & 2) ? -b : b;
}

// Box-Muller in float on the words of one pair.
GS_HOST_DEVICE inline void box_muller_float(uint32_t word1, uint32_t word2, float& cosine, float& sine) {
  const float scale = 2.3283064e-10f;  // 2^-32
  const float u1 = (static_cast<float>(word1) + 0.5f) * scale, u2 = (static_cast<float>(word2) + 0.5f) * scale;
  const float radius = kernels::sqrt(-2.0f * log_of_unit(u1));
  sincos_of_turns(u2, sine, cosine);
  cosine *= radius;
  sine *= radius;
}

// A normal with the given mean and standard deviation from a standard one
// (fused, like uniform_value, so every device rounds it the same way).
GS_HOST_DEVICE inline double normal_value(double standard, double mean, double stddev) {
  return kernels::fma(stddev, standard, mean);
}

// Element `index` of a standard normal draw at `offset` (the reference that
// philox_normals is tested against): even elements take the cosine of the
// pair (2j, 2j+1), odd ones its sine.
GS_HOST_DEVICE inline double philox_normal(uint64_t seed, uint64_t offset, uint64_t index) {
  const uint64_t pair = index & ~uint64_t(1);
  double cosine, sine;
  box_muller(philox_word(seed, offset, pair), philox_word(seed, offset, pair + 1), cosine, sine);
  return (index & 1) ? sine : cosine;
}

}  // namespace gs
