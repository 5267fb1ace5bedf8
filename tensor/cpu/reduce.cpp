// Reductions over any set of dims (the layout and the combine rules are
// tensor/kernels/reduce.h): every output element walks its own slice of the
// input, one innermost run at a time. Sums accumulate in double.
#include <limits>

#include "tensor/cpu/cpu_backend.h"
#include "tensor/cpu/partial_sums.h"
#include "tensor/kernels/reduce.h"
#include "tensor/parallel.h"
#include "tensor/profile.h"

namespace gs::cpu {
namespace {

// Calls visit(offset, count, stride) for each innermost run of the slice that
// starts at element `base`.
template <typename Visit>
void for_each_slice_run(const kernels::StridedLayout<1>& reduced, int64_t base, Visit visit) {
  const int ndim = reduced.ndim();
  int64_t rows = 1;
  for (int d = 0; d < ndim - 1; ++d) rows *= reduced.sizes[d];
  for (int64_t row = 0; row < rows; ++row) {
    int64_t offset;
    kernels::strided_offsets<1>(row, ndim - 1, reduced.sizes.data(), reduced.strides.data(), &offset);
    visit(base + offset, reduced.sizes.back(), reduced.strides.back().of[0]);
  }
}

}  // namespace

void CpuBackend::reduce(ReduceOp op, const Tensor& in, const std::vector<bool>& reduce_dims, const Tensor& out) {
  ProfileScope scope("reduce");
  const kernels::ReduceLayout layout = kernels::reduce_layout(in.shape(), in.strides(), reduce_dims);
  auto slice_start = [&](int64_t o) {  // input offset of output element o's slice
    int64_t offset;
    kernels::strided_offsets<1>(o, layout.kept.ndim(), layout.kept.sizes.data(), layout.kept.strides.data(), &offset);
    return in.offset() + offset;
  };
  dispatch_floating(in.dtype(), "reduce", [&](auto tag) {
    using T = decltype(tag);
    const T* x = static_cast<const T*>(in.storage()->data());
    if (op == ReduceOp::ArgMax || op == ReduceOp::ArgMin) {
      int64_t* o = out.data<int64_t>();
      const bool want_max = op == ReduceOp::ArgMax;
      parallel_for(layout.outputs, in.numel(), [&](int64_t i) {
        int64_t best = 0;
        for_each_slice_run(layout.reduced, slice_start(i), [&](int64_t at, int64_t count, int64_t step) {
          for (int64_t k = 1; k < count; ++k)
            if (kernels::arg_prefers(want_max, x[at + k * step], k, x[at + best * step], best)) best = k;
        });
        o[i] = best;
      });
      return;
    }
    T* o = out.data<T>();
    if (op == ReduceOp::Sum) {
      parallel_for(layout.outputs, in.numel(), [&](int64_t i) {
        double total = 0;
        for_each_slice_run(layout.reduced, slice_start(i), [&](int64_t at, int64_t count, int64_t step) {
          if (step == 1) {
            total += partial_sums(count, [x = x + at](int64_t k) { return double(x[k]); });
          } else {
            for (int64_t k = 0; k < count; ++k) total = kernels::SumCombine{}(total, x[at + k * step]);
          }
        });
        o[i] = static_cast<T>(total);
      });
      return;
    }
    const auto extreme = [&](auto combine, T identity) {
      parallel_for(layout.outputs, in.numel(), [&](int64_t i) {
        T best = identity;
        for_each_slice_run(layout.reduced, slice_start(i), [&](int64_t at, int64_t count, int64_t step) {
          for (int64_t k = 0; k < count; ++k) best = combine(best, x[at + k * step]);
        });
        o[i] = best;
      });
    };
    const T infinity = std::numeric_limits<T>::infinity();
    if (op == ReduceOp::Max) extreme(kernels::MaxCombine<T>{}, -infinity);
    else extreme(kernels::MinCombine<T>{}, infinity);
  });
}

}  // namespace gs::cpu
