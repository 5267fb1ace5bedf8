// Batch normalisation (Ioffe & Szegedy 2015). Each channel c is normalised
// over the batch (and, for images, over every pixel of its feature map):
//   xhat = (x - mean) / sqrt(var + eps),   y = gamma xhat + beta
// Training uses the batch's mean and biased variance and moves the running
// estimates towards them (unbiased variance, as PyTorch does):
//   running = (1 - momentum) running + momentum batch_statistic
// Backward, in closed form over the M = N (x H x W) values of a channel:
//   dbeta = sum dY,   dgamma = sum dY xhat,
//   dX = gamma / sqrt(var + eps) * (dY - mean(dY) - xhat mean(dY xhat))
// One rule instead of the dozen nodes a chain of primitive ops would record;
// the two means are what the batch statistics' dependence on x contributes.
#include <cmath>

#include "autograd/node.h"
#include "autograd/ops.h"
#include "autograd/ops/op_helpers.h"
#include "nn/functional.h"

namespace gs::F {
namespace {

void check_buffer(const char* what, const Tensor& buffer, const Tensor& x, int64_t channels) {
  if (!buffer.defined()) return;
  check_same_kind("batch_norm", x, buffer);
  check(buffer.dim() == 1 && buffer.size(0) == channels, "batch_norm: ", what, " must have shape [", channels,
        "] (one per channel), got ", shape_str(buffer.shape()));
}

}  // namespace

Tensor batch_norm(const Tensor& x, const Tensor& gamma, const Tensor& beta, const Tensor& running_mean,
                  const Tensor& running_var, bool training, double momentum, double eps) {
  check_floating("batch_norm", x);
  check(x.dim() == 2 || x.dim() == 4, "batch_norm: expects [N, C] (per feature) or [N, C, H, W] (per channel), got ",
        shape_str(x.shape()));
  const int64_t channels = x.size(1);
  check_buffer("gamma", gamma, x, channels);
  check_buffer("beta", beta, x, channels);
  check_buffer("running_mean", running_mean, x, channels);
  check_buffer("running_var", running_var, x, channels);
  check(running_mean.defined() == running_var.defined(),
        "batch_norm: give both running_mean and running_var, or neither");
  const Shape dims = x.dim() == 2 ? Shape{0} : Shape{0, 2, 3};
  const Shape channel_shape = x.dim() == 2 ? Shape{1, channels} : Shape{1, channels, 1, 1};
  const int64_t count = x.numel() / std::max<int64_t>(channels, 1);  // values per channel

  if (!training) {  // an affine map with fixed statistics: ordinary ops differentiate it
    check(running_mean.defined(), "batch_norm: eval mode needs running_mean and running_var");
    Tensor scale = reciprocal(sqrt(running_var.detach() + eps)).view(channel_shape);
    Tensor y = (x - running_mean.detach().view(channel_shape)) * scale;
    if (gamma.defined()) y = y * gamma.view(channel_shape);
    if (beta.defined()) y = y + beta.view(channel_shape);
    return y;
  }

  check(count > 1, "batch_norm: training needs more than one value per channel to estimate a variance (input ",
        shape_str(x.shape()), ")");
  Tensor y, normalized, inverse_std;
  {
    NoGradGuard no_grad;
    const Tensor input = x.detach();
    const Tensor mean = input.mean(dims, true);
    const Tensor centered = input - mean;
    const Tensor variance = square(centered).mean(dims, true);  // biased: divides by M
    inverse_std = reciprocal(sqrt(variance + eps));
    normalized = centered * inverse_std;
    y = gamma.defined() ? normalized * gamma.detach().view(channel_shape) : normalized;
    if (beta.defined()) y = y + beta.detach().view(channel_shape);
    if (running_mean.defined()) {
      const double unbiased = static_cast<double>(count) / static_cast<double>(count - 1);
      Tensor mean_buffer = running_mean, var_buffer = running_var;  // handles to the caller's storage
      mean_buffer.mul_(1.0 - momentum).add_(mean.view({channels}), momentum);
      var_buffer.mul_(1.0 - momentum).add_(variance.view({channels}), momentum * unbiased);
    }
  }

  const bool need_gamma = gamma.defined() && gamma.requires_grad();
  const bool need_beta = beta.defined() && beta.requires_grad();
  record(y, "batch_norm", {x, gamma, beta},
         [dims, channel_shape, channels, normalized, inverse_std, need_gamma, need_beta,
          gamma = gamma.defined() ? gamma.detach() : Tensor()](const Tensor& grad) {
           const Tensor grad_normalized = gamma.defined() ? grad * gamma.view(channel_shape) : grad;
           Tensor dx = inverse_std * (grad_normalized - grad_normalized.mean(dims, true) -
                                      normalized * (grad_normalized * normalized).mean(dims, true));
           Tensor dgamma = need_gamma ? (grad * normalized).sum(dims).view({channels}) : Tensor();
           Tensor dbeta = need_beta ? grad.sum(dims).view({channels}) : Tensor();
           return std::vector<Tensor>{dx, dgamma, dbeta};
         });
  return y;
}

}  // namespace gs::F
