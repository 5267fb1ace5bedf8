// Random fills: element i is a pure function of (seed, offset, i) via Philox,
// so the result does not depend on the thread count or the device.
#include <algorithm>
#include <vector>

#include "tensor/cpu/cpu_backend.h"
#include "tensor/profile.h"
#include "tensor/parallel.h"
#include "tensor/kernels/philox.h"

namespace gs::cpu {

namespace {

// Normal fills draw each Philox block once for its 4 elements
// (philox_normals): the same numbers philox_normal gives element by element
// (a test checks it), at an eighth of the Philox work and half the logarithms.
template <typename T>
void normal_fill(T* o, int64_t n, uint64_t seed, uint64_t offset, double mean, double stddev) {
  parallel_for((n + 3) / 4, n * 16, [&](int64_t j) {
    double normals[4];
    philox_normals(seed, offset + static_cast<uint64_t>(j), normals);
    for (int64_t k = 0; k < 4 && 4 * j + k < n; ++k) o[4 * j + k] = static_cast<T>(normal_value(normals[k], mean, stddev));
  });
}

// float32: Box-Muller in float (philox.h: box_muller_float), in two passes
// per chunk, the Philox words first, then a loop of plain float arithmetic
// that the compiler vectorises.
template <>
void normal_fill<float>(float* o, int64_t n, uint64_t seed, uint64_t offset, double mean, double stddev) {
  const int64_t blocks = (n + 3) / 4;
  parallel_for_chunks(blocks, [&](int64_t begin, int64_t end) {
    std::vector<uint32_t> words(4 * (end - begin));
    for (int64_t j = begin; j < end; ++j) {
      const PhiloxBlock block = philox_block(seed, offset + static_cast<uint64_t>(j));
      for (int k = 0; k < 4; ++k) words[4 * (j - begin) + k] = block.word[k];
    }
    std::vector<float> normals(words.size());
    for (size_t i = 0; i < words.size(); i += 2) box_muller_float(words[i], words[i + 1], normals[i], normals[i + 1]);
    const int64_t first = 4 * begin, count = std::min<int64_t>(n - first, static_cast<int64_t>(normals.size()));
    for (int64_t i = 0; i < count; ++i) o[first + i] = static_cast<float>(normal_value(normals[i], mean, stddev));
  });
}

// Uniform and Bernoulli fills likewise compute each Philox block once for its
// four elements (philox_word(seed, offset, i) is word i % 4 of block i / 4).
template <typename T, typename Value>
void block_fill(T* o, int64_t n, uint64_t seed, uint64_t offset, Value value) {
  parallel_for((n + 3) / 4, n * 16, [&](int64_t j) {
    const PhiloxBlock block = philox_block(seed, offset + static_cast<uint64_t>(j));
    for (int64_t k = 0; k < 4 && 4 * j + k < n; ++k) o[4 * j + k] = value(block.word[k]);
  });
}

}  // namespace

void CpuBackend::random(RandomKind kind, const Tensor& out, uint64_t seed, uint64_t offset, double a, double b) {
  ProfileScope scope("random");
  dispatch_floating(out.dtype(), "random", [&](auto tag) {
    using T = decltype(tag);
    T* o = out.data<T>();  // contiguous
    switch (kind) {
      case RandomKind::Normal: return normal_fill(o, out.numel(), seed, offset, a, b);
      case RandomKind::Uniform:
        return block_fill(o, out.numel(), seed, offset,
                          [&](uint32_t word) { return static_cast<T>(uniform_value(word, a, b)); });
      case RandomKind::Bernoulli:
        return block_fill(o, out.numel(), seed, offset,
                          [&](uint32_t word) { return bernoulli_value(word, a) ? T(1) : T(0); });
    }
  });
}

}  // namespace gs::cpu
