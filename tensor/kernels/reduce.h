// Reductions over any set of dims. Every output element reduces its own
// slice of the input: the kept dims choose the slice, the reduced dims walk
// it (reduce_layout). How two partial results combine is written once here;
// the CPU walks a slice in order, a GPU block combines its threads' partials
// as a tree, and both give the same result up to the order of float adds.
#pragma once
#include <vector>

#include "tensor/kernels/host_device.h"
#include "tensor/kernels/strides.h"

namespace gs::kernels {

// in's dims split into the kept ones (the output, row-major) and the reduced
// ones, each merged where contiguous. outputs = numel of the output, count =
// values per slice (0 when a reduced dim is empty).
struct ReduceLayout {
  StridedLayout<1> kept, reduced;
  int64_t outputs = 1, count = 1;
};

inline ReduceLayout reduce_layout(const Shape& shape, const Shape& strides, const std::vector<bool>& reduce_dims) {
  Shape kept_sizes, kept_strides, reduced_sizes, reduced_strides;
  for (size_t d = 0; d < shape.size(); ++d) {
    (reduce_dims[d] ? reduced_sizes : kept_sizes).push_back(shape[d]);
    (reduce_dims[d] ? reduced_strides : kept_strides).push_back(strides[d]);
  }
  ReduceLayout layout;
  layout.kept = merge_dims<1>(kept_sizes, {kept_strides});
  layout.reduced = merge_dims<1>(reduced_sizes, {reduced_strides});
  layout.outputs = numel(kept_sizes);
  layout.count = numel(reduced_sizes);
  return layout;
}

// Sums accumulate in double: float32 sums of millions of terms keep their digits.
struct SumCombine {
  GS_HOST_DEVICE double operator()(double total, double value) const { return total + value; }
};
// Max and min keep the running best (identity -inf / +inf, given by the host).
template <typename T> struct MaxCombine {
  GS_HOST_DEVICE T operator()(T best, T value) const { return best < value ? value : best; }
};
template <typename T> struct MinCombine {
  GS_HOST_DEVICE T operator()(T best, T value) const { return value < best ? value : best; }
};

// ArgMax/ArgMin keep (value, index): a candidate wins when it is strictly
// better, or equal at a smaller index, so the first occurrence wins whatever
// the order in which partial results meet.
template <typename T>
GS_HOST_DEVICE inline bool arg_prefers(bool want_max, T candidate, int64_t candidate_index, T best,
                                       int64_t best_index) {
  if (want_max ? candidate > best : candidate < best) return true;
  return candidate == best && candidate_index < best_index;
}

}  // namespace gs::kernels
