// Random fills: element i is a pure function of (seed, offset, i) via Philox,
// so the result does not depend on the thread count or the device.
#include "tensor/cpu/cpu_backend.h"
#include "tensor/profile.h"
#include "tensor/parallel.h"
#include "tensor/philox.h"

namespace gs::cpu {

namespace {

// Normal fills draw each Philox block once for its 4 elements: Box-Muller turns
// words (0, 1) into elements 4j, 4j+1 and words (2, 3) into 4j+2, 4j+3. These
// are exactly the numbers philox_normal gives element by element (a test checks
// it), at an eighth of the Philox work and half the logarithms.
template <typename T>
void normal_fill(T* o, int64_t n, uint64_t seed, uint64_t offset, double mean, double stddev) {
  parallel_for((n + 3) / 4, n * 16, [&](int64_t j) {
    const uint64_t counter = offset + static_cast<uint64_t>(j);
    const PhiloxBlock block = philox4x32_10(static_cast<uint32_t>(counter), static_cast<uint32_t>(counter >> 32), 0,
                                            0, static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32));
    for (int64_t pair = 0; pair < 2; ++pair) {
      const int64_t i = 4 * j + 2 * pair;
      const double u1 = philox_uniform(block.word[2 * pair]), u2 = philox_uniform(block.word[2 * pair + 1]);
      const double radius = __builtin_sqrt(-2.0 * __builtin_log(u1));
      const double angle = 6.283185307179586 * u2;
      if (i < n) o[i] = static_cast<T>(mean + stddev * (radius * __builtin_cos(angle)));
      if (i + 1 < n) o[i + 1] = static_cast<T>(mean + stddev * (radius * __builtin_sin(angle)));
    }
  });
}

}  // namespace

void CpuBackend::random(RandomKind kind, const Tensor& out, uint64_t seed, uint64_t offset, double a, double b) {
  ProfileScope scope("random");
  dispatch_floating(out.dtype(), "random", [&](auto tag) {
    using T = decltype(tag);
    T* o = out.data<T>();  // contiguous
    if (kind == RandomKind::Normal) return normal_fill(o, out.numel(), seed, offset, a, b);
    parallel_for(out.numel(), out.numel() * 16, [&](int64_t i) {
      switch (kind) {
        case RandomKind::Uniform: o[i] = static_cast<T>(a + (b - a) * philox_uniform(philox_word(seed, offset, i))); break;
        case RandomKind::Normal: break;  // normal_fill
        case RandomKind::Bernoulli: o[i] = philox_uniform(philox_word(seed, offset, i)) < a ? T(1) : T(0); break;
      }
    });
  });
}

}  // namespace gs::cpu
