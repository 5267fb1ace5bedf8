// Batch normalisation kernels (the formulas are tensor/kernels/batch_norm.h;
// the op is nn/batch_norm.cpp). The same math as a composition of element-wise ops and
// reductions, but each channel is handled by one task that walks its N*S
// values a few times while they sit in cache: forward reads x twice (mean,
// then variance around it: the two-pass variance has no cancellation) and
// writes y once; backward reads dY and x once for the two sums and once more
// to write dX. A composed version makes a dozen passes through main memory.
// Features [N, C] (S = 1) are walked by rows instead: one task per block of
// 64 channels, each row's block contiguous, where one task per channel would
// read a single value from each of N cache lines.
#include <algorithm>

#include "tensor/cpu/cpu_backend.h"
#include "tensor/cpu/partial_sums.h"
#include "tensor/kernels/batch_norm.h"
#include "tensor/parallel.h"
#include "tensor/profile.h"

namespace gs::cpu {
namespace {

// x viewed as [N, C, S]: channel c's values are N runs of S contiguous elements.
struct ChannelLayout {
  int64_t batch, channels, spatial;
  int64_t count() const { return batch * spatial; }
  int64_t run(int64_t n, int64_t c) const { return (n * channels + c) * spatial; }  // first element of a run
};

ChannelLayout channel_layout(const Tensor& x) {
  int64_t spatial = 1;
  for (int64_t d = 2; d < x.dim(); ++d) spatial *= x.size(d);
  return {x.size(0), x.size(1), spatial};
}

constexpr int64_t kChannelBlock = 64;

// Runs body(first, width) for the blocks of (at most) kChannelBlock channels.
template <typename Body>
void for_channel_blocks(int64_t channels, int64_t work, Body body) {
  parallel_for((channels + kChannelBlock - 1) / kChannelBlock, work, [&](int64_t block) {
    const int64_t first = block * kChannelBlock;
    body(first, std::min(kChannelBlock, channels - first));
  });
}


}  // namespace

void CpuBackend::batch_norm_forward(const Tensor& x, const Tensor& gamma, const Tensor& beta, double eps,
                                    const Tensor& y, const Tensor& mean, const Tensor& variance,
                                    const Tensor& inverse_std) {
  ProfileScope scope("batch_norm_forward");
  const ChannelLayout layout = channel_layout(x);
  dispatch_floating(x.dtype(), "batch_norm", [&](auto zero) {
    using T = decltype(zero);
    const T* in = x.data<T>();
    const T* scale = data_or_null<T>(gamma);
    const T* shift = data_or_null<T>(beta);
    T* out = y.data<T>();
    T* means = mean.data<T>();
    T* variances = variance.data<T>();
    T* inverse_stds = inverse_std.data<T>();
    if (layout.spatial == 1) {  // [N, C]: channels first .. first + width of each row
      const int64_t rows = layout.batch, channels = layout.channels;
      for_channel_blocks(channels, x.numel(), [&](int64_t first, int64_t width) {
        double sums[kChannelBlock] = {}, squares[kChannelBlock] = {};
        T channel_means[kChannelBlock];
        kernels::BatchNormForward<T> normalize[kChannelBlock];
        for (int64_t n = 0; n < rows; ++n) {
          const T* row = in + n * channels + first;
          for (int64_t j = 0; j < width; ++j) sums[j] += double(row[j]);
        }
        for (int64_t j = 0; j < width; ++j) channel_means[j] = kernels::batch_norm_mean<T>(sums[j], double(rows));
        for (int64_t n = 0; n < rows; ++n) {
          const T* row = in + n * channels + first;
          for (int64_t j = 0; j < width; ++j) squares[j] += kernels::squared_deviation(row[j], channel_means[j]);
        }
        for (int64_t j = 0; j < width; ++j) {
          const int64_t c = first + j;
          normalize[j] = kernels::batch_norm_forward<T>(channel_means[j], squares[j], double(rows), eps,
                                                        scale ? scale[c] : T(1), shift ? shift[c] : T(0));
          means[c] = normalize[j].mean;
          variances[c] = normalize[j].variance;
          inverse_stds[c] = normalize[j].inverse_std;
        }
        for (int64_t n = 0; n < rows; ++n) {
          const T* row = in + n * channels + first;
          T* out_row = out + n * channels + first;
          for (int64_t j = 0; j < width; ++j) out_row[j] = normalize[j](row[j]);
        }
      });
      return;
    }
    parallel_for(layout.channels, x.numel(), [&](int64_t c) {
      // Accumulate in double: a channel may hold tens of thousands of values.
      double sum = 0;
      for (int64_t n = 0; n < layout.batch; ++n) {
        sum += partial_sums(layout.spatial, [run = in + layout.run(n, c)](int64_t s) { return double(run[s]); });
      }
      const T channel_mean = kernels::batch_norm_mean<T>(sum, double(layout.count()));
      double squares = 0;
      for (int64_t n = 0; n < layout.batch; ++n) {
        squares += partial_sums(layout.spatial, [run = in + layout.run(n, c), channel_mean](int64_t s) {
          return kernels::squared_deviation(run[s], channel_mean);
        });
      }
      const kernels::BatchNormForward<T> normalize = kernels::batch_norm_forward<T>(
          channel_mean, squares, double(layout.count()), eps, scale ? scale[c] : T(1), shift ? shift[c] : T(0));
      means[c] = normalize.mean;
      variances[c] = normalize.variance;
      inverse_stds[c] = normalize.inverse_std;
      for (int64_t n = 0; n < layout.batch; ++n) {
        const T* run = in + layout.run(n, c);
        T* out_run = out + layout.run(n, c);
        for (int64_t s = 0; s < layout.spatial; ++s) out_run[s] = normalize(run[s]);
      }
    });
  });
}

void CpuBackend::batch_norm_backward(const Tensor& grad, const Tensor& x, const Tensor& mean,
                                     const Tensor& inverse_std, const Tensor& gamma, const Tensor& grad_x,
                                     const Tensor& grad_gamma, const Tensor& grad_beta) {
  ProfileScope scope("batch_norm_backward");
  const ChannelLayout layout = channel_layout(x);
  dispatch_floating(x.dtype(), "batch_norm backward", [&](auto zero) {
    using T = decltype(zero);
    const T* dy = grad.data<T>();
    const T* in = x.data<T>();
    const T* means = mean.data<T>();
    const T* inverse_stds = inverse_std.data<T>();
    const T* scale = data_or_null<T>(gamma);
    T* dx = data_or_null<T>(grad_x);
    T* dgamma = data_or_null<T>(grad_gamma);
    T* dbeta = data_or_null<T>(grad_beta);
    if (layout.spatial == 1) {  // [N, C]: channels first .. first + width of each row
      const int64_t rows = layout.batch, channels = layout.channels;
      for_channel_blocks(channels, 2 * x.numel(), [&](int64_t first, int64_t width) {
        double sum_dy[kChannelBlock] = {}, sum_dy_centered[kChannelBlock] = {};  // sum dY,  sum dY (x - mean)
        kernels::BatchNormBackward<T> backward[kChannelBlock];
        for (int64_t n = 0; n < rows; ++n) {
          const T* dy_row = dy + n * channels + first;
          const T* x_row = in + n * channels + first;
          for (int64_t j = 0; j < width; ++j) {
            sum_dy[j] += double(dy_row[j]);
            sum_dy_centered[j] += kernels::grad_times_deviation(dy_row[j], x_row[j], means[first + j]);
          }
        }
        for (int64_t j = 0; j < width; ++j) {
          const int64_t c = first + j;
          backward[j] = kernels::batch_norm_backward<T>(means[c], inverse_stds[c], scale ? scale[c] : T(1), sum_dy[j],
                                                        sum_dy_centered[j], double(rows));
          if (dbeta) dbeta[c] = backward[j].grad_beta;
          if (dgamma) dgamma[c] = backward[j].grad_gamma;
        }
        if (!dx) return;
        for (int64_t n = 0; n < rows; ++n) {
          const T* dy_row = dy + n * channels + first;
          const T* x_row = in + n * channels + first;
          T* dx_row = dx + n * channels + first;
          for (int64_t j = 0; j < width; ++j) dx_row[j] = backward[j](dy_row[j], x_row[j]);
        }
      });
      return;
    }
    parallel_for(layout.channels, 2 * x.numel(), [&](int64_t c) {
      const T channel_mean = means[c], channel_inverse_std = inverse_stds[c];
      double sum_dy = 0, sum_dy_centered = 0;  // sum dY,  sum dY (x - mean)
      for (int64_t n = 0; n < layout.batch; ++n) {
        const T* dy_run = dy + layout.run(n, c);
        const T* x_run = in + layout.run(n, c);
        sum_dy += partial_sums(layout.spatial, [dy_run](int64_t s) { return double(dy_run[s]); });
        sum_dy_centered += partial_sums(layout.spatial, [dy_run, x_run, channel_mean](int64_t s) {
          return kernels::grad_times_deviation(dy_run[s], x_run[s], channel_mean);
        });
      }
      const kernels::BatchNormBackward<T> backward = kernels::batch_norm_backward<T>(
          channel_mean, channel_inverse_std, scale ? scale[c] : T(1), sum_dy, sum_dy_centered, double(layout.count()));
      if (dbeta) dbeta[c] = backward.grad_beta;
      if (dgamma) dgamma[c] = backward.grad_gamma;
      if (!dx) return;
      for (int64_t n = 0; n < layout.batch; ++n) {
        const T* dy_run = dy + layout.run(n, c);
        const T* x_run = in + layout.run(n, c);
        T* dx_run = dx + layout.run(n, c);
        for (int64_t s = 0; s < layout.spatial; ++s) dx_run[s] = backward(dy_run[s], x_run[s]);
      }
    });
  });
}

}  // namespace gs::cpu
