// Random fills: element i is a pure function of (seed, offset, i) via Philox,
// so the result does not depend on the thread count or the device.
#include <algorithm>

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

// float32: Box-Muller in float (philox.h: box_muller_float), one tile of 512
// blocks per task (a noise layer's few thousand blocks still split across
// the threads), in separate loops that the compiler vectorises: the Philox
// words (word k of every block in array k), the two Box-Muller pairs, then
// the scaled values into their places 4j + k. A tile's words and normals
// stay in L1.
template <>
void normal_fill<float>(float* o, int64_t n, uint64_t seed, uint64_t offset, double mean, double stddev) {
  constexpr int64_t kTile = 512;
  const int64_t blocks = (n + 3) / 4, tiles = (blocks + kTile - 1) / kTile;
  parallel_for(tiles, n * 16, [&](int64_t t) {
    const int64_t first = t * kTile, count = std::min(kTile, blocks - first);
    uint32_t words[4][kTile];
    float normals[4][kTile];
    for (int64_t j = 0; j < count; ++j) {
      const PhiloxBlock block = philox_block(seed, offset + static_cast<uint64_t>(first + j));
      for (int k = 0; k < 4; ++k) words[k][j] = block.word[k];
    }
    for (int64_t j = 0; j < count; ++j) box_muller_float(words[0][j], words[1][j], normals[0][j], normals[1][j]);
    for (int64_t j = 0; j < count; ++j) box_muller_float(words[2][j], words[3][j], normals[2][j], normals[3][j]);
    float* out = o + 4 * first;
    const int64_t whole = std::min(count, n / 4 - first);  // blocks whose four elements all lie in o
    for (int64_t j = 0; j < whole; ++j)
      for (int k = 0; k < 4; ++k) out[4 * j + k] = static_cast<float>(normal_value(normals[k][j], mean, stddev));
    for (int64_t i = 4 * whole; i < std::min(n - 4 * first, 4 * count); ++i)  // the last block's first n % 4
      out[i] = static_cast<float>(normal_value(normals[i % 4][i / 4], mean, stddev));
  });
}

// Uniform and Bernoulli fills likewise compute each Philox block once for its
// four elements (philox_word(seed, offset, i) is word i % 4 of block i / 4),
// a tile of 512 blocks per task: the words in element order in one loop, the
// values from them in another, both of which the compiler vectorises.
template <typename T, typename Value>
void block_fill(T* o, int64_t n, uint64_t seed, uint64_t offset, Value value) {
  constexpr int64_t kTile = 512;
  const int64_t blocks = (n + 3) / 4, tiles = (blocks + kTile - 1) / kTile;
  parallel_for(tiles, n * 16, [&](int64_t t) {
    const int64_t first = t * kTile, count = std::min(kTile, blocks - first);
    uint32_t words[4 * kTile];
    for (int64_t j = 0; j < count; ++j) {
      const PhiloxBlock block = philox_block(seed, offset + static_cast<uint64_t>(first + j));
      for (int k = 0; k < 4; ++k) words[4 * j + k] = block.word[k];
    }
    T* out = o + 4 * first;
    const int64_t elements = std::min(n - 4 * first, 4 * count);
    for (int64_t i = 0; i < elements; ++i) out[i] = value(words[i]);
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
