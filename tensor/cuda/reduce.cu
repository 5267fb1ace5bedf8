// Reductions over any set of dims on the GPU: one block per output element
// (grid-stride over the outputs). The block's threads walk the element's
// slice in a fixed interleaved order, each keeping a partial result, and the
// block combines the partials (tensor/cuda/block_reduce.h) with the combine
// rules of tensor/kernels/reduce.h. Sums accumulate in double, like the CPU's.
#include <limits>

#include "tensor/cuda/block_reduce.h"
#include "tensor/cuda/cuda_backend.h"
#include "tensor/kernels/reduce.h"

namespace gs::cuda {
namespace {

using kernels::FixedLayout;

// The input offset of output o's slice, and of value r within a slice.
__device__ inline int64_t slice_start(const FixedLayout<1>& kept, int64_t o) {
  int64_t offset;
  kernels::strided_offsets<1>(o, kept.ndim, kept.sizes, kept.strides, &offset);
  return offset;
}
__device__ inline int64_t slice_offset(const FixedLayout<1>& reduced, int64_t r) {
  int64_t offset;
  kernels::strided_offsets<1>(r, reduced.ndim, reduced.sizes, reduced.strides, &offset);
  return offset;
}

// Sum, Max, Min: Acc is the accumulator type (double for sums), Combine the rule.
template <typename T, typename Acc, typename Combine>
__global__ void reduce_kernel(FixedLayout<1> kept, FixedLayout<1> reduced, int64_t outputs, int64_t count,
                              const T* in, T* out, Combine combine, Acc identity) {
  Acc* shared = dynamic_shared_memory<Acc>();
  for (int64_t o = blockIdx.x; o < outputs; o += gridDim.x) {
    const T* slice = in + slice_start(kept, o);
    Acc partial = identity;
    for (int64_t r = threadIdx.x; r < count; r += blockDim.x) partial = combine(partial, Acc(slice[slice_offset(reduced, r)]));
    partial = block_reduce(partial, combine, shared);
    if (threadIdx.x == 0) out[o] = static_cast<T>(partial);
    __syncthreads();  // thread 0 is done with `shared` before the next output's partials go in
  }
}

template <typename T>
struct ArgCombine {
  bool want_max;
  GS_HOST_DEVICE ValueIndex<T> operator()(ValueIndex<T> best, ValueIndex<T> candidate) const {
    return kernels::arg_prefers(want_max, candidate.value, candidate.index, best.value, best.index) ? candidate : best;
  }
};

template <typename T>
__global__ void arg_reduce_kernel(FixedLayout<1> kept, FixedLayout<1> reduced, int64_t outputs, int64_t count,
                                  const T* in, int64_t* out, ArgCombine<T> combine, ValueIndex<T> identity) {
  ValueIndex<T>* shared = dynamic_shared_memory<ValueIndex<T>>();
  for (int64_t o = blockIdx.x; o < outputs; o += gridDim.x) {
    const T* slice = in + slice_start(kept, o);
    ValueIndex<T> best = identity;
    for (int64_t r = threadIdx.x; r < count; r += blockDim.x)
      best = combine(best, ValueIndex<T>{slice[slice_offset(reduced, r)], r});
    best = block_reduce(best, combine, shared);
    if (threadIdx.x == 0) out[o] = count == 0 ? 0 : best.index;
    __syncthreads();
  }
}

// A power of two from 32 to kBlockSize, no larger than the slice needs.
int threads_for(int64_t count) {
  int threads = 32;
  while (threads < count && threads < kBlockSize) threads *= 2;
  return threads;
}

}  // namespace

void CudaBackend::reduce(ReduceOp op, const Tensor& in, const std::vector<bool>& reduce_dims, const Tensor& out) {
  check_on_device("reduce", {&in, &out});
  check(out.is_contiguous(), "reduce: the output must be contiguous");
  const kernels::ReduceLayout layout = kernels::reduce_layout(in.shape(), in.strides(), reduce_dims);
  if (layout.outputs == 0) return;
  const DeviceGuard guard(device_);
  const FixedLayout<1> kept = kernels::fixed_layout<1>(layout.kept, "reduce");
  const FixedLayout<1> reduced = kernels::fixed_layout<1>(layout.reduced, "reduce");
  const int threads = threads_for(layout.count);
  const int64_t blocks = std::min<int64_t>(layout.outputs, grid_size(layout.outputs * kBlockSize));
  dispatch_floating(in.dtype(), "reduce", [&](auto tag) {
    using T = decltype(tag);
    const T infinity = std::numeric_limits<T>::infinity();
    if (op == ReduceOp::ArgMax || op == ReduceOp::ArgMin) {
      const bool want_max = op == ReduceOp::ArgMax;
      const ValueIndex<T> identity{want_max ? -infinity : infinity, std::numeric_limits<int64_t>::max()};
      launch("arg_reduce_kernel", arg_reduce_kernel<T>, blocks, threads, threads * sizeof(ValueIndex<T>), stream_,
             kept, reduced, layout.outputs, layout.count, device_data<T>(in), device_data<int64_t>(out),
             ArgCombine<T>{want_max}, identity);
    } else if (op == ReduceOp::Sum) {
      launch("reduce_kernel", reduce_kernel<T, double, kernels::SumCombine>, blocks, threads, threads * sizeof(double),
             stream_, kept, reduced, layout.outputs, layout.count, device_data<T>(in), device_data<T>(out),
             kernels::SumCombine{}, 0.0);
    } else if (op == ReduceOp::Max) {
      launch("reduce_kernel", reduce_kernel<T, T, kernels::MaxCombine<T>>, blocks, threads, threads * sizeof(T),
             stream_, kept, reduced, layout.outputs, layout.count, device_data<T>(in), device_data<T>(out),
             kernels::MaxCombine<T>{}, -infinity);
    } else {
      launch("reduce_kernel", reduce_kernel<T, T, kernels::MinCombine<T>>, blocks, threads, threads * sizeof(T),
             stream_, kept, reduced, layout.outputs, layout.count, device_data<T>(in), device_data<T>(out),
             kernels::MinCombine<T>{}, infinity);
    }
  });
}

}  // namespace gs::cuda
