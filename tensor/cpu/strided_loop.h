// The one loop behind every CPU element-wise kernel. N operands share a shape
// but each has its own strides (0 = broadcast); the dims are merged first
// (tensor/kernels/strides.h), so the common cases (contiguous tensors, a bias
// broadcast over [N,C,H,W]) become one or two flat loops; the innermost dim is
// handed to the kernel as a run with a stride per operand.
#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include "tensor/kernels/strides.h"
#include "tensor/parallel.h"
#include "tensor/shape.h"

namespace gs::cpu {

// Calls run(offsets, count, inner_strides) for every innermost run, where
// offsets[op] is the element offset of the run's first element for operand op.
// Runs are processed in parallel when there is enough work.
template <int N, typename Run>
void for_each_run(const Shape& shape, const std::array<Shape, N>& strides, Run run) {
  const kernels::StridedLayout<N> layout = kernels::merge_dims<N>(shape, strides);
  const int ndim = layout.ndim();
  const int64_t inner = layout.sizes.back();
  std::array<int64_t, N> inner_strides;
  for (int op = 0; op < N; ++op) inner_strides[op] = layout.strides.back().of[op];
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
    std::array<int64_t, N> offsets;  // of the row's first element: the outer dims' digits
    kernels::strided_offsets<N>(row, ndim - 1, layout.sizes.data(), layout.strides.data(), offsets.data());
    run(offsets, inner, inner_strides);
  });
}

}  // namespace gs::cpu
