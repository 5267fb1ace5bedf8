// Element-wise CUDA kernels: copy (with dtype conversion), fill, arange,
// unary ops and their derivatives, binary ops, where. One thread per element
// (grid-stride); each finds its element in every operand from the merged
// strided layout (tensor/kernels/strides.h) and applies the formula struct of
// tensor/kernels/unary.h or binary.h that the CPU loops apply.
#include "tensor/cuda/cuda_backend.h"
#include "tensor/cuda/launch.h"
#include "tensor/kernels/binary.h"
#include "tensor/kernels/strides.h"
#include "tensor/kernels/unary.h"

namespace gs::cuda {
namespace {

using kernels::FixedLayout;

// out = f(a)
template <typename TOut, typename TA, typename F>
__global__ void map1_kernel(FixedLayout<2> layout, int64_t count, TOut* out, const TA* a, F f) {
  for (int64_t i = global_thread_index(); i < count; i += grid_stride()) {
    int64_t at[2];
    kernels::strided_offsets<2>(i, layout.ndim, layout.sizes, layout.strides, at);
    out[at[0]] = f(a[at[1]]);
  }
}

// out = f(a, b)
template <typename T, typename F>
__global__ void map2_kernel(FixedLayout<3> layout, int64_t count, T* out, const T* a, const T* b, F f) {
  for (int64_t i = global_thread_index(); i < count; i += grid_stride()) {
    int64_t at[3];
    kernels::strided_offsets<3>(i, layout.ndim, layout.sizes, layout.strides, at);
    out[at[0]] = f(a[at[1]], b[at[2]]);
  }
}

// out = f(a, b, c)
template <typename T, typename F>
__global__ void map3_kernel(FixedLayout<4> layout, int64_t count, T* out, const T* a, const T* b, const T* c, F f) {
  for (int64_t i = global_thread_index(); i < count; i += grid_stride()) {
    int64_t at[4];
    kernels::strided_offsets<4>(i, layout.ndim, layout.sizes, layout.strides, at);
    out[at[0]] = f(a[at[1]], b[at[2]], c[at[3]]);
  }
}

template <typename T>
__global__ void fill_kernel(FixedLayout<1> layout, int64_t count, T* out, T value) {
  for (int64_t i = global_thread_index(); i < count; i += grid_stride()) {
    int64_t at;
    kernels::strided_offsets<1>(i, layout.ndim, layout.sizes, layout.strides, &at);
    out[at] = value;
  }
}

template <typename T>
__global__ void arange_kernel(int64_t count, T* out, double start, double step) {
  for (int64_t i = global_thread_index(); i < count; i += grid_stride()) out[i] = static_cast<T>(start + step * double(i));
}

// The unary structs' two faces as plain functions of their operands.
template <typename F>
struct Forward {
  F f;
  template <typename T>
  GS_HOST_DEVICE T operator()(T x) const { return f.forward(x); }
};
template <typename F>
struct BackwardOf {  // dy f'(v), v = x or y
  F f;
  template <typename T>
  GS_HOST_DEVICE T operator()(T dy, T v) const { return f.backward(dy, v); }
};
template <typename F>
struct BackwardOfNothing {
  F f;
  template <typename T>
  GS_HOST_DEVICE T operator()(T dy) const { return f.backward(dy, T(0)); }
};

template <int N>
FixedLayout<N> layout_of(const char* op, const Tensor& out, const std::array<Shape, N>& strides) {
  return kernels::fixed_layout<N>(kernels::merge_dims<N>(out.shape(), strides), op);
}

// out = f(a) over every element of out.
template <typename TOut, typename TA, typename F>
void map1(int64_t blocks, cudaStream_t stream, const Tensor& out, const Tensor& a, F f) {
  if (out.numel() == 0) return;
  launch("map1_kernel", map1_kernel<TOut, TA, F>, blocks, kBlockSize, 0, stream,
         layout_of<2>("cuda element-wise op", out, {out.strides(), a.strides()}), out.numel(), device_data<TOut>(out),
         device_data<TA>(a), f);
}

}  // namespace

void CudaBackend::copy(const Tensor& in, const Tensor& out) {
  check_on_device("copy", {&in, &out});
  const DeviceGuard guard(device_);
  dispatch_all(out.dtype(), [&](auto out_tag) {
    using TOut = decltype(out_tag);
    dispatch_all(in.dtype(), [&](auto in_tag) {
      using TIn = decltype(in_tag);
      map1<TOut, TIn>(grid_size(out.numel()), stream_, out, in, kernels::Convert<TOut, TIn>{});
    });
  });
}

void CudaBackend::fill(const Tensor& out, double value) {
  check_on_device("fill", {&out});
  if (out.numel() == 0) return;
  const DeviceGuard guard(device_);
  dispatch_all(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    launch("fill_kernel", fill_kernel<T>, grid_size(out.numel()), kBlockSize, 0, stream_,
           layout_of<1>("fill", out, {out.strides()}), out.numel(), device_data<T>(out), static_cast<T>(value));
  });
}

void CudaBackend::arange(const Tensor& out, double start, double step) {
  check_on_device("arange", {&out});
  if (out.numel() == 0) return;
  const DeviceGuard guard(device_);
  dispatch_all(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    launch("arange_kernel", arange_kernel<T>, grid_size(out.numel()), kBlockSize, 0, stream_, out.numel(),
           device_data<T>(out), start, step);
  });
}

void CudaBackend::unary(UnaryOp op, const Tensor& in, const Tensor& out, UnaryParams params) {
  check_on_device("unary op", {&in, &out});
  const DeviceGuard guard(device_);
  dispatch_floating(in.dtype(), "unary op", [&](auto tag) {
    using T = decltype(tag);
    kernels::visit_unary<T>(op, params, [&](auto f) {
      map1<T, T>(grid_size(out.numel()), stream_, out, in, Forward<decltype(f)>{f});
    });
  });
}

void CudaBackend::unary_backward(UnaryOp op, const Tensor& in, const Tensor& out, const Tensor& grad_out,
                                 const Tensor& grad_in, UnaryParams params) {
  check_on_device("unary op backward", {&in, &out, &grad_out, &grad_in});
  if (grad_in.numel() == 0) return;
  const DeviceGuard guard(device_);
  dispatch_floating(in.dtype(), "unary op backward", [&](auto tag) {
    using T = decltype(tag);
    kernels::visit_unary<T>(op, params, [&](auto f) {
      using F = decltype(f);
      using Reads = kernels::DerivativeReads;
      if constexpr (F::reads == Reads::Nothing) {
        map1<T, T>(grid_size(grad_in.numel()), stream_, grad_in, grad_out, BackwardOfNothing<F>{f});
      } else {
        const Tensor& v = F::reads == Reads::Input ? in : out;
        launch("map2_kernel", map2_kernel<T, BackwardOf<F>>, grid_size(grad_in.numel()), kBlockSize, 0, stream_,
               layout_of<3>("unary op backward", grad_in, {grad_in.strides(), grad_out.strides(), v.strides()}),
               grad_in.numel(), device_data<T>(grad_in), device_data<T>(grad_out), device_data<T>(v),
               BackwardOf<F>{f});
      }
    });
  });
}

void CudaBackend::binary(BinaryOp op, const Tensor& a, const Tensor& b, const Tensor& out) {
  check_on_device("binary op", {&a, &b, &out});
  if (out.numel() == 0) return;
  const DeviceGuard guard(device_);
  dispatch_floating(a.dtype(), "binary op", [&](auto tag) {
    using T = decltype(tag);
    kernels::visit_binary<T>(op, [&](auto f) {
      launch("map2_kernel", map2_kernel<T, decltype(f)>, grid_size(out.numel()), kBlockSize, 0, stream_,
             layout_of<3>("binary op", out, {out.strides(), a.strides(), b.strides()}), out.numel(),
             device_data<T>(out), device_data<T>(a), device_data<T>(b), f);
    });
  });
}

void CudaBackend::where(const Tensor& condition, const Tensor& a, const Tensor& b, const Tensor& out) {
  check_on_device("where", {&condition, &a, &b, &out});
  if (out.numel() == 0) return;
  const DeviceGuard guard(device_);
  dispatch_floating(a.dtype(), "where", [&](auto tag) {
    using T = decltype(tag);
    launch("map3_kernel", map3_kernel<T, kernels::Select<T>>, grid_size(out.numel()), kBlockSize, 0, stream_,
           layout_of<4>("where", out, {out.strides(), condition.strides(), a.strides(), b.strides()}), out.numel(),
           device_data<T>(out), device_data<T>(condition), device_data<T>(a), device_data<T>(b), kernels::Select<T>{});
  });
}

}  // namespace gs::cuda
