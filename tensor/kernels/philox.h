// Philox-4x32-10, the counter-based generator of Salmon, Moraes, Dror and Shaw,
// "Parallel Random Numbers: As Easy as 1, 2, 3" (SC 2011).
// Output block = a bijection of (counter, key) after 10 rounds, so element i of
// any random tensor depends only on (seed, offset, i): the CPU and the GPU
// produce the same numbers without sharing state.
#pragma once
#include <cstdint>

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
