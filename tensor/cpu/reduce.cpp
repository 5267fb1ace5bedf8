// Reductions over any set of dims: every output element walks its own slice of
// the input (the reduced dims, merged where contiguous). Sums accumulate in
// double, so float32 sums of millions of terms keep their digits.
#include <limits>

#include "tensor/cpu/cpu_backend.h"
#include "tensor/profile.h"
#include "tensor/cpu/partial_sums.h"
#include "tensor/cpu/strided_loop.h"

namespace gs::cpu {
namespace {

struct Split {
  Shape kept_sizes, kept_strides;      // dims that survive, in order
  Shape reduced_sizes, reduced_strides;  // dims summed away (merged)
};

Split split_dims(const Tensor& in, const std::vector<bool>& reduce_dims) {
  Split s;
  Shape sizes, strides;
  for (int64_t d = 0; d < in.dim(); ++d) {
    if (reduce_dims[d]) {
      sizes.push_back(in.size(d));
      strides.push_back(in.stride(d));
    } else {
      s.kept_sizes.push_back(in.size(d));
      s.kept_strides.push_back(in.stride(d));
    }
  }
  Layout<1> merged = merge_dims<1>(sizes, {strides});
  s.reduced_sizes = merged.sizes;
  s.reduced_strides = merged.strides[0];
  return s;
}

// Calls visit(offset, count, stride) for each innermost run of the slice that
// starts at element `base`.
template <typename Visit>
void for_each_slice_run(const Split& s, int64_t base, Visit visit) {
  const int ndim = static_cast<int>(s.reduced_sizes.size());
  int64_t rows = 1;
  for (int d = 0; d < ndim - 1; ++d) rows *= s.reduced_sizes[d];
  for (int64_t row = 0; row < rows; ++row) {
    int64_t offset = base, rest = row;
    for (int d = ndim - 2; d >= 0; --d) {
      offset += (rest % s.reduced_sizes[d]) * s.reduced_strides[d];
      rest /= s.reduced_sizes[d];
    }
    visit(offset, s.reduced_sizes.back(), s.reduced_strides.back());
  }
}

}  // namespace

void CpuBackend::reduce(ReduceOp op, const Tensor& in, const std::vector<bool>& reduce_dims, const Tensor& out) {
  ProfileScope scope("reduce");
  const Split s = split_dims(in, reduce_dims);
  const int64_t outputs = numel(s.kept_sizes);
  auto base_offset = [&](int64_t o) {  // input offset of output element o's slice
    int64_t offset = in.offset(), rest = o;
    for (int64_t d = static_cast<int64_t>(s.kept_sizes.size()) - 1; d >= 0; --d) {
      offset += (rest % s.kept_sizes[d]) * s.kept_strides[d];
      rest /= s.kept_sizes[d];
    }
    return offset;
  };
  dispatch_floating(in.dtype(), "reduce", [&](auto tag) {
    using T = decltype(tag);
    const T* x = static_cast<const T*>(in.storage()->data());
    if (op == ReduceOp::ArgMax || op == ReduceOp::ArgMin) {
      int64_t* o = out.data<int64_t>();
      const bool want_max = op == ReduceOp::ArgMax;
      parallel_for(outputs, in.numel(), [&](int64_t i) {
        int64_t best = 0;
        for_each_slice_run(s, base_offset(i), [&](int64_t at, int64_t count, int64_t step) {
          for (int64_t k = 1; k < count; ++k) {
            T v = x[at + k * step], current = x[at + best * step];
            if (want_max ? v > current : v < current) best = k;
          }
        });
        o[i] = best;
      });
      return;
    }
    T* o = out.data<T>();
    parallel_for(outputs, in.numel(), [&](int64_t i) {
      if (op == ReduceOp::Sum) {
        double total = 0;
        for_each_slice_run(s, base_offset(i), [&](int64_t at, int64_t count, int64_t step) {
          if (step == 1) {
            total += partial_sums(count, [x = x + at](int64_t k) { return double(x[k]); });
          } else {
            for (int64_t k = 0; k < count; ++k) total += x[at + k * step];
          }
        });
        o[i] = static_cast<T>(total);
      } else {
        const bool want_max = op == ReduceOp::Max;
        T best = want_max ? -std::numeric_limits<T>::infinity() : std::numeric_limits<T>::infinity();
        for_each_slice_run(s, base_offset(i), [&](int64_t at, int64_t count, int64_t step) {
          for (int64_t k = 0; k < count; ++k) {
            T v = x[at + k * step];
            best = want_max ? std::max(best, v) : std::min(best, v);
          }
        });
        o[i] = best;
      }
    });
  });
}

}  // namespace gs::cpu
