// The one loop behind every CPU element-wise kernel. N operands share a shape
// but each has its own strides (0 = broadcast). Adjacent dims that are laid out
// contiguously for every operand are merged first, so the common cases
// (contiguous tensors, a bias broadcast over [N,C,H,W]) become one or two flat
// loops; the innermost dim is handed to the kernel as a run with a stride per operand.
#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include "tensor/parallel.h"
#include "tensor/shape.h"

namespace gs::cpu {

template <int N>
struct Layout {
  std::vector<int64_t> sizes;                  // merged dims, outermost first
  std::array<std::vector<int64_t>, N> strides;  // per operand, per merged dim
};

template <int N>
Layout<N> merge_dims(const Shape& shape, const std::array<Shape, N>& strides) {
  Layout<N> layout;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 1) continue;  // a size-1 dim never moves the pointer
    bool mergeable = !layout.sizes.empty();
    for (int op = 0; op < N && mergeable; ++op)
      mergeable = layout.strides[op].back() == strides[op][d] * shape[d];
    if (mergeable) {
      layout.sizes.back() *= shape[d];
      for (int op = 0; op < N; ++op) layout.strides[op].back() = strides[op][d];
    } else {
      layout.sizes.push_back(shape[d]);
      for (int op = 0; op < N; ++op) layout.strides[op].push_back(strides[op][d]);
    }
  }
  if (layout.sizes.empty()) {  // a single element
    layout.sizes.push_back(1);
    for (int op = 0; op < N; ++op) layout.strides[op].push_back(0);
  }
  return layout;
}

// Calls run(offsets, count, inner_strides) for every innermost run, where
// offsets[op] is the element offset of the run's first element for operand op.
// Runs are processed in parallel when there is enough work.
template <int N, typename Run>
void for_each_run(const Shape& shape, const std::array<Shape, N>& strides, Run run) {
  Layout<N> layout = merge_dims<N>(shape, strides);
  const int ndim = static_cast<int>(layout.sizes.size());
  const int64_t inner = layout.sizes.back();
  std::array<int64_t, N> inner_strides;
  for (int op = 0; op < N; ++op) inner_strides[op] = layout.strides[op].back();
  int64_t rows = 1;
  for (int d = 0; d < ndim - 1; ++d) rows *= layout.sizes[d];

  if (rows == 1) {  // one long run: split it into chunks
    const int64_t chunk = 16384;
    const int64_t chunks = (inner + chunk - 1) / chunk;
    parallel_for(chunks, inner, [&](int64_t c) {
      int64_t start = c * chunk, count = std::min(chunk, inner - start);
      std::array<int64_t, N> offsets;
      for (int op = 0; op < N; ++op) offsets[op] = start * inner_strides[op];
      run(offsets, count, inner_strides);
    });
    return;
  }
  parallel_for(rows, rows * inner, [&](int64_t row) {
    std::array<int64_t, N> offsets{};
    int64_t rest = row;
    for (int d = ndim - 2; d >= 0; --d) {
      int64_t index = rest % layout.sizes[d];
      rest /= layout.sizes[d];
      for (int op = 0; op < N; ++op) offsets[op] += index * layout.strides[op][d];
    }
    run(offsets, inner, inner_strides);
  });
}

}  // namespace gs::cpu
