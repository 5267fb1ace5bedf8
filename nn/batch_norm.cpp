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
// (As a composition of primitive ops: batch_norm_reference in
// tests/test_batch_norm.cpp, which the kernels are tested against.)
#include <cmath>

#include "autograd/node.h"
#include "autograd/ops.h"
#include "autograd/ops/op_helpers.h"
#include "nn/data_parallel.h"
#include "nn/functional.h"
#include "tensor/profile.h"

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

  if (ProcessGroup* group = nn::global_batch_group())
    return synchronized_batch_norm(x, gamma, beta, running_mean, running_var, momentum, eps, *group);
  check(count > 1, "batch_norm: training needs more than one value per channel to estimate a variance (input ",
        shape_str(x.shape()), ")");
  // Dedicated kernels (tensor/cpu/batch_norm.cpp): each channel is normalised
  // in two or three passes over its values while they sit in cache, where the
  // composition of ops makes a dozen passes through memory.
  ProfileScope scope("batch_norm forward");
  const Tensor input = x.detach().contiguous();
  const Tensor gamma_values = gamma.defined() ? gamma.detach().contiguous() : Tensor();
  const Tensor beta_values = beta.defined() ? beta.detach().contiguous() : Tensor();
  Tensor y = empty(x.shape(), x.options());
  Tensor mean = empty({channels}, x.options()), variance = empty({channels}, x.options());
  Tensor inverse_std = empty({channels}, x.options());
  backend_of(x).batch_norm_forward(input, gamma_values, beta_values, eps, y, mean, variance, inverse_std);
  if (running_mean.defined()) {
    const double unbiased = static_cast<double>(count) / static_cast<double>(count - 1);
    Tensor mean_buffer = running_mean, var_buffer = running_var;  // handles to the caller's storage
    mean_buffer.mul_(1.0 - momentum).add_(mean, momentum);
    var_buffer.mul_(1.0 - momentum).add_(variance, momentum * unbiased);
  }

  const bool need_gamma = gamma.defined() && gamma.requires_grad();
  const bool need_beta = beta.defined() && beta.requires_grad();
  record(y, "batch_norm", {x, gamma, beta},
         [input, mean, inverse_std, gamma_values, need_x = x.requires_grad(), need_gamma,
          need_beta](const Tensor& grad) {
           ProfileScope scope("batch_norm backward");
           const int64_t channels = input.size(1);
           Tensor dx = need_x ? empty(input.shape(), input.options()) : Tensor();
           Tensor dgamma = need_gamma ? empty({channels}, input.options()) : Tensor();
           Tensor dbeta = need_beta ? empty({channels}, input.options()) : Tensor();
           backend_of(input).batch_norm_backward(grad.contiguous(), input, mean, inverse_std, gamma_values, dx,
                                                 dgamma, dbeta);
           return std::vector<Tensor>{dx, dgamma, dbeta};
         });
  return y;
}

}  // namespace gs::F
