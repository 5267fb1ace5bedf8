// Random fills: element i is a pure function of (seed, offset, i) via Philox,
// so the result does not depend on the thread count or the device.
#include "tensor/cpu/cpu_backend.h"
#include "tensor/profile.h"
#include "tensor/parallel.h"
#include "tensor/philox.h"

namespace gs::cpu {

void CpuBackend::random(RandomKind kind, const Tensor& out, uint64_t seed, uint64_t offset, double a, double b) {
  ProfileScope scope("random");
  dispatch_floating(out.dtype(), "random", [&](auto tag) {
    using T = decltype(tag);
    T* o = out.data<T>();  // contiguous
    parallel_for(out.numel(), out.numel() * 16, [&](int64_t i) {
      switch (kind) {
        case RandomKind::Uniform: o[i] = static_cast<T>(a + (b - a) * philox_uniform(philox_word(seed, offset, i))); break;
        case RandomKind::Normal: o[i] = static_cast<T>(a + b * philox_normal(seed, offset, i)); break;
        case RandomKind::Bernoulli: o[i] = philox_uniform(philox_word(seed, offset, i)) < a ? T(1) : T(0); break;
      }
    });
  });
}

}  // namespace gs::cpu
