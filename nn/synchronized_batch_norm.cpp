// Synchronized batch normalisation: batch norm (nn/batch_norm.cpp) over the
// union of the batches of all ranks of a data-parallel step, so that R ranks
// of n images normalise exactly as one process of R n. Over the M = R n (x H
// x W) values of a channel, summed across ranks by all-reduce:
//   forward   mean = sum x / M,  var = sum (x - mean)^2 / M  (two all-reduces)
//   backward  dX = a dY + b (x - mean) + d from sum dY and sum dY (x - mean)
//             (one all-reduce); dgamma and dbeta stay this rank's sums, which
//             the gradient averaging of data parallelism then combines.
// The per-channel formulas are tensor/kernels/batch_norm.h's, the same the
// single-process kernels use; the sums are taken in double.
#include "autograd/node.h"
#include "autograd/ops.h"
#include "nn/functional.h"
#include "tensor/dispatch.h"
#include "tensor/kernels/batch_norm.h"

namespace gs::F {
namespace {

// A channel vector [C] viewed for broadcasting against x.
Tensor per_channel(const std::vector<double> &values, const Tensor &x) {
  const int64_t channels = static_cast<int64_t>(values.size());
  const Shape shape = x.dim() == 2 ? Shape{1, channels} : Shape{1, channels, 1, 1};
  return tensor(values, {channels}).to(x.dtype()).to(x.device()).view(shape);
}

// Per channel, summed over this rank's batch (and pixels), in double.
std::vector<double> channel_sums(const Tensor &values) {
  const Shape dims = values.dim() == 2 ? Shape{0} : Shape{0, 2, 3};
  return values.to(kFloat64).sum(dims).to(Device::cpu()).to_vector<double>();
}

// The element-wise sum over all ranks of per-channel vectors, in one
// all-reduce.
std::vector<double> summed_over_ranks(std::vector<double> values, ProcessGroup &group) {
  Tensor sums = tensor(values, {static_cast<int64_t>(values.size())});
  group.all_reduce(sums, ReduceKind::Sum);
  return sums.to_vector<double>();
}

std::vector<double> values_or(const Tensor &t, int64_t channels, double otherwise) {
  if (!t.defined()) return std::vector<double>(channels, otherwise);
  return t.detach().to(kFloat64).to(Device::cpu()).to_vector<double>();
}

}  // namespace

Tensor synchronized_batch_norm(const Tensor &x, const Tensor &gamma, const Tensor &beta, const Tensor &running_mean,
                               const Tensor &running_var, double momentum, double eps, ProcessGroup &group) {
  const int64_t channels = x.size(1);
  const double count = group.all_reduce(static_cast<double>(x.numel() / channels), ReduceKind::Sum);
  check(count > 1,
        "batch_norm: training needs more than one value per channel across the ranks (input ",
        shape_str(x.shape()), ")");
  const Tensor input = x.detach().contiguous();
  const std::vector<double> gamma_values = values_or(gamma, channels, 1.0),
                            beta_values = values_or(beta, channels, 0.0);

  // mean, then the squares around it (rounded to x's dtype as the kernels do).
  std::vector<double> mean(channels), variance(channels), inverse_std(channels), scale(channels), shift(channels);
  Tensor centered, y;
  {
    NoGradGuard no_grad;
    const std::vector<double> sums = summed_over_ranks(channel_sums(input), group);
    dispatch_floating(x.dtype(), "batch_norm", [&](auto tag) {
      using T = decltype(tag);
      for (int64_t c = 0; c < channels; ++c) mean[c] = kernels::batch_norm_mean<T>(sums[c], count);
    });
    centered = input - per_channel(mean, input);
    const std::vector<double> squares = summed_over_ranks(channel_sums(centered * centered), group);
    dispatch_floating(x.dtype(), "batch_norm", [&](auto tag) {
      using T = decltype(tag);
      for (int64_t c = 0; c < channels; ++c) {
        const auto f =
            kernels::batch_norm_forward<T>(T(mean[c]), squares[c], count, eps, T(gamma_values[c]), T(beta_values[c]));
        variance[c] = f.variance;
        inverse_std[c] = f.inverse_std;
        scale[c] = f.scale;
        shift[c] = f.shift;
      }
    });
    y = input * per_channel(scale, input) + per_channel(shift, input);
    if (running_mean.defined()) {
      Tensor mean_buffer = running_mean,
             var_buffer = running_var;  // handles to the caller's storage
      const Tensor batch_mean_values = tensor(mean, {channels}).to(running_mean.dtype()).to(running_mean.device());
      const Tensor batch_variance = tensor(variance, {channels}).to(running_var.dtype()).to(running_var.device());
      mean_buffer.mul_(1.0 - momentum).add_(batch_mean_values, momentum);
      var_buffer.mul_(1.0 - momentum).add_(batch_variance, momentum * count / (count - 1));
    }
  }

  const bool need_x = x.requires_grad();
  const bool need_gamma = gamma.defined() && gamma.requires_grad();
  const bool need_beta = beta.defined() && beta.requires_grad();
  ProcessGroup *reducing = &group;
  record(
      y, "synchronized_batch_norm", {x, gamma, beta},
      [centered, mean, inverse_std, gamma_values, count, need_x, need_gamma, need_beta, reducing](const Tensor &grad) {
        NoGradGuard no_grad;
        const Tensor dy = grad.contiguous();
        const int64_t channels = static_cast<int64_t>(mean.size());
        const std::vector<double> local_dy = channel_sums(dy), local_dy_centered = channel_sums(dy * centered);
        std::vector<double> both = local_dy;
        both.insert(both.end(), local_dy_centered.begin(), local_dy_centered.end());
        const std::vector<double> global = summed_over_ranks(both, *reducing);
        std::vector<double> a(channels), b(channels), d(channels), dgamma(channels);
        dispatch_floating(dy.dtype(), "batch_norm backward", [&](auto tag) {
          using T = decltype(tag);
          for (int64_t c = 0; c < channels; ++c) {
            const auto k = kernels::batch_norm_backward<T>(T(mean[c]), T(inverse_std[c]), T(gamma_values[c]), global[c],
                                                           global[channels + c], count);
            a[c] = k.a;
            b[c] = k.b;
            d[c] = k.d;
            dgamma[c] = T(local_dy_centered[c] * T(inverse_std[c]));  // this rank's sum dY xhat
          }
        });
        const Tensor dx =
            !need_x ? Tensor() : dy * per_channel(a, dy) + centered * per_channel(b, dy) + per_channel(d, dy);
        const Tensor dgamma_t = need_gamma ? tensor(dgamma, {channels}).to(dy.dtype()).to(dy.device()) : Tensor();
        const Tensor dbeta_t = need_beta ? tensor(local_dy, {channels}).to(dy.dtype()).to(dy.device()) : Tensor();
        return std::vector<Tensor>{dx, dgamma_t, dbeta_t};
      });
  return y;
}

}  // namespace gs::F
