// Batch normalisation on the GPU (the formulas are tensor/kernels/batch_norm.h,
// the op nn/batch_norm.cpp): one block per channel, over x as [N, C, S]. The
// block's threads sum the channel's N*S values (in double) and combine their
// sums as a tree (tensor/cuda/block_reduce.h): forward takes the mean, then
// the squares around it (the two-pass variance), then writes y; backward
// takes sum dY and sum dY (x - mean), then writes dX. The same passes and
// formulas as the CPU kernel, in a fixed order: reproducible results.
#include "tensor/cuda/block_reduce.h"
#include "tensor/cuda/cuda_backend.h"
#include "tensor/kernels/batch_norm.h"
#include "tensor/kernels/reduce.h"

namespace gs::cuda {
namespace {

// Channel c's values are N runs of S contiguous elements.
struct ChannelLayout {
  int64_t batch, channels, spatial;
  GS_HOST_DEVICE int64_t count() const { return batch * spatial; }
  GS_HOST_DEVICE int64_t at(int64_t c, int64_t e) const { return ((e / spatial) * channels + c) * spatial + e % spatial; }
};

ChannelLayout channel_layout(const Tensor& x) {
  int64_t spatial = 1;
  for (int64_t d = 2; d < x.dim(); ++d) spatial *= x.size(d);
  return {x.size(0), x.size(1), spatial};
}

template <typename T>
__global__ void batch_norm_forward_kernel(ChannelLayout layout, const T* x, const T* gamma, const T* beta, double eps,
                                          T* y, T* mean, T* variance, T* inverse_std) {
  double* shared = dynamic_shared_memory<double>();
  const int64_t count = layout.count();
  for (int64_t c = blockIdx.x; c < layout.channels; c += gridDim.x) {
    double sum = 0;
    for (int64_t e = threadIdx.x; e < count; e += blockDim.x) sum += double(x[layout.at(c, e)]);
    const T channel_mean = kernels::batch_norm_mean<T>(block_all_reduce(sum, kernels::SumCombine{}, shared), double(count));
    double squares = 0;
    for (int64_t e = threadIdx.x; e < count; e += blockDim.x) squares += kernels::squared_deviation(x[layout.at(c, e)], channel_mean);
    squares = block_all_reduce(squares, kernels::SumCombine{}, shared);
    const kernels::BatchNormForward<T> normalize = kernels::batch_norm_forward<T>(
        channel_mean, squares, double(count), eps, gamma ? gamma[c] : T(1), beta ? beta[c] : T(0));
    if (threadIdx.x == 0) {
      mean[c] = normalize.mean;
      variance[c] = normalize.variance;
      inverse_std[c] = normalize.inverse_std;
    }
    for (int64_t e = threadIdx.x; e < count; e += blockDim.x) y[layout.at(c, e)] = normalize(x[layout.at(c, e)]);
  }
}

template <typename T>
__global__ void batch_norm_backward_kernel(ChannelLayout layout, const T* dy, const T* x, const T* mean,
                                           const T* inverse_std, const T* gamma, T* dx, T* dgamma, T* dbeta) {
  double* shared = dynamic_shared_memory<double>();
  const int64_t count = layout.count();
  for (int64_t c = blockIdx.x; c < layout.channels; c += gridDim.x) {
    const T channel_mean = mean[c];
    double sum_dy = 0, sum_dy_centered = 0;
    for (int64_t e = threadIdx.x; e < count; e += blockDim.x) {
      const int64_t at = layout.at(c, e);
      sum_dy += double(dy[at]);
      sum_dy_centered += kernels::grad_times_deviation(dy[at], x[at], channel_mean);
    }
    sum_dy = block_all_reduce(sum_dy, kernels::SumCombine{}, shared);
    sum_dy_centered = block_all_reduce(sum_dy_centered, kernels::SumCombine{}, shared);
    const kernels::BatchNormBackward<T> backward = kernels::batch_norm_backward<T>(
        channel_mean, inverse_std[c], gamma ? gamma[c] : T(1), sum_dy, sum_dy_centered, double(count));
    if (threadIdx.x == 0) {
      if (dbeta) dbeta[c] = backward.grad_beta;
      if (dgamma) dgamma[c] = backward.grad_gamma;
    }
    if (dx)
      for (int64_t e = threadIdx.x; e < count; e += blockDim.x) dx[layout.at(c, e)] = backward(dy[layout.at(c, e)], x[layout.at(c, e)]);
  }
}

template <typename T>
T* data_or_null(const Tensor& t) {
  return t.defined() ? device_data<T>(t) : nullptr;
}

}  // namespace

void CudaBackend::batch_norm_forward(const Tensor& x, const Tensor& gamma, const Tensor& beta, double eps,
                                     const Tensor& y, const Tensor& mean, const Tensor& variance,
                                     const Tensor& inverse_std) {
  check_on_device("batch_norm", {&x, &gamma, &beta, &y, &mean, &variance, &inverse_std});
  const ChannelLayout layout = channel_layout(x);
  if (layout.channels == 0) return;
  const DeviceGuard guard(device_);
  dispatch_floating(x.dtype(), "batch_norm", [&](auto zero) {
    using T = decltype(zero);
    launch("batch_norm_forward_kernel", batch_norm_forward_kernel<T>, std::min<int64_t>(layout.channels, grid_size(layout.channels * kBlockSize)),
           kBlockSize, kBlockSize * sizeof(double), stream_, layout, device_data<T>(x), data_or_null<T>(gamma),
           data_or_null<T>(beta), eps, device_data<T>(y), device_data<T>(mean), device_data<T>(variance),
           device_data<T>(inverse_std));
  });
}

void CudaBackend::batch_norm_backward(const Tensor& grad, const Tensor& x, const Tensor& mean,
                                      const Tensor& inverse_std, const Tensor& gamma, const Tensor& grad_x,
                                      const Tensor& grad_gamma, const Tensor& grad_beta) {
  check_on_device("batch_norm backward", {&grad, &x, &mean, &inverse_std, &gamma, &grad_x, &grad_gamma, &grad_beta});
  const ChannelLayout layout = channel_layout(x);
  if (layout.channels == 0) return;
  const DeviceGuard guard(device_);
  dispatch_floating(x.dtype(), "batch_norm backward", [&](auto zero) {
    using T = decltype(zero);
    launch("batch_norm_backward_kernel", batch_norm_backward_kernel<T>,
           std::min<int64_t>(layout.channels, grid_size(layout.channels * kBlockSize)), kBlockSize,
           kBlockSize * sizeof(double), stream_, layout, device_data<T>(grad), device_data<T>(x), device_data<T>(mean),
           device_data<T>(inverse_std), data_or_null<T>(gamma), data_or_null<T>(grad_x), data_or_null<T>(grad_gamma),
           data_or_null<T>(grad_beta));
  });
}

}  // namespace gs::cuda
