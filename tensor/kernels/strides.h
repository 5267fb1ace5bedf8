// Strided and broadcast indexing, shared by every element-wise kernel. N
// operands share a shape but each has its own strides (a stride of 0
// broadcasts). Element (i0, i1, ...) of operand op sits at
//   offset[op] = sum_d i_d * stride[op][d],
// and a row-major linear index is turned into the digits i_d by div/mod by the
// sizes, last dim fastest (strided_offsets). Adjacent dims laid out
// contiguously for every operand are merged first (merge_dims), so contiguous
// tensors and a bias broadcast over [N, C, H, W] become one or two flat dims.
#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include "tensor/error.h"
#include "tensor/kernels/host_device.h"
#include "tensor/shape.h"

namespace gs::kernels {

// One dim's stride in each of N operands.
template <int N>
struct OperandStrides {
  int64_t of[N];
};

// The offsets (in elements) in each operand of the element whose row-major
// index over the first `ndim` dims is `index`.
template <int N>
GS_HOST_DEVICE inline void strided_offsets(int64_t index, int ndim, const int64_t* sizes,
                                           const OperandStrides<N>* strides, int64_t* offsets) {
  for (int op = 0; op < N; ++op) offsets[op] = 0;
  for (int d = ndim - 1; d >= 0; --d) {
    const int64_t digit = index % sizes[d];
    index /= sizes[d];
    for (int op = 0; op < N; ++op) offsets[op] += digit * strides[d].of[op];
  }
}

// Merged dims, outermost first (host side).
template <int N>
struct StridedLayout {
  std::vector<int64_t> sizes;
  std::vector<OperandStrides<N>> strides;
  int ndim() const { return static_cast<int>(sizes.size()); }
};

// Drops size-1 dims and merges a dim into the one before it when every
// operand steps over it contiguously. A single element gives one dim of size
// 1; no element (any dim of size 0) one dim of size 0, so that no loop walks
// the other dims' millions of empty rows.
template <int N>
StridedLayout<N> merge_dims(const Shape& shape, const std::array<Shape, N>& strides) {
  StridedLayout<N> layout;
  for (int64_t size : shape) {
    if (size != 0) continue;
    layout.sizes.push_back(0);
    layout.strides.push_back(OperandStrides<N>{});
    return layout;
  }
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 1) continue;  // a size-1 dim never moves the pointer
    bool mergeable = !layout.sizes.empty();
    for (int op = 0; op < N && mergeable; ++op)
      mergeable = layout.strides.back().of[op] == strides[op][d] * shape[d];
    if (mergeable) {
      layout.sizes.back() *= shape[d];
      for (int op = 0; op < N; ++op) layout.strides.back().of[op] = strides[op][d];
    } else {
      OperandStrides<N> step;
      for (int op = 0; op < N; ++op) step.of[op] = strides[op][d];
      layout.sizes.push_back(shape[d]);
      layout.strides.push_back(step);
    }
  }
  if (layout.sizes.empty()) {  // a single element
    layout.sizes.push_back(1);
    layout.strides.push_back(OperandStrides<N>{});
  }
  return layout;
}

// The same layout in fixed arrays, to pass to a GPU kernel by value.
constexpr int kMaxDims = 12;
template <int N>
struct FixedLayout {
  int ndim = 0;
  int64_t sizes[kMaxDims] = {};
  OperandStrides<N> strides[kMaxDims] = {};
};

template <int N>
FixedLayout<N> fixed_layout(const StridedLayout<N>& layout, const char* op) {
  check(layout.ndim() <= kMaxDims, op, ": tensors of ", layout.ndim(),
        " dims (after merging contiguous ones) exceed the ", kMaxDims, " a device kernel takes");
  FixedLayout<N> fixed;
  fixed.ndim = layout.ndim();
  for (int d = 0; d < fixed.ndim; ++d) {
    fixed.sizes[d] = layout.sizes[d];
    fixed.strides[d] = layout.strides[d];
  }
  return fixed;
}

}  // namespace gs::kernels
