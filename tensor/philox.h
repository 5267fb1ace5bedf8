// Philox-4x32-10, the counter-based generator of Salmon, Moraes, Dror and Shaw,
// "Parallel Random Numbers: As Easy as 1, 2, 3" (SC 2011).
// Output block = a bijection of (counter, key) after 10 rounds, so element i of
// any random tensor depends only on (seed, offset, i): the CPU and the GPU
// produce the same numbers without sharing state.
#pragma once
#include <cstdint>

#if defined(__CUDACC__)
#define GS_HOST_DEVICE __host__ __device__
#else
#define GS_HOST_DEVICE
#endif

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

// The convention shared by every device: element i of a random tensor drawn at
// generator offset `offset` reads word i % 4 of the block whose counter is the
// 64-bit number offset + i / 4, keyed by the 64-bit seed.
GS_HOST_DEVICE inline uint32_t philox_word(uint64_t seed, uint64_t offset, uint64_t index) {
  uint64_t counter = offset + index / 4;
  PhiloxBlock block = philox4x32_10(static_cast<uint32_t>(counter), static_cast<uint32_t>(counter >> 32), 0, 0,
                                    static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32));
  return block.word[index % 4];
}

// A uniform number strictly inside (0, 1): safe to take the log of.
GS_HOST_DEVICE inline double philox_uniform(uint32_t word) { return (word + 0.5) * (1.0 / 4294967296.0); }

// Standard normal by Box-Muller from the uniform pair (2j, 2j+1) of the same block:
// even elements take the cosine, odd ones the sine.
GS_HOST_DEVICE inline double philox_normal(uint64_t seed, uint64_t offset, uint64_t index) {
  uint64_t pair = index & ~uint64_t(1);
  double u1 = philox_uniform(philox_word(seed, offset, pair));
  double u2 = philox_uniform(philox_word(seed, offset, pair + 1));
  double radius = __builtin_sqrt(-2.0 * __builtin_log(u1));
  double angle = 6.283185307179586 * u2;
  return (index & 1) ? radius * __builtin_sin(angle) : radius * __builtin_cos(angle);
}

}  // namespace gs
