// Adam (Kingma & Ba 2015, "Adam: A Method for Stochastic Optimization"):
// per-parameter step sizes from running averages of the gradient and its
// square, bias-corrected for their zero start (formulas at AdamUpdate in
// tensor/backend.h).
//
// eps_inside_sqrt: Salimans et al.'s improved-GAN code divides by
// sqrt(v_hat + eps) instead of sqrt(v_hat) + eps. With eps = 1e-8 that acts
// like eps ~ 1e-4 outside the root: much smaller steps for parameters with tiny
// gradients, and it decides whether their semi-supervised MNIST recipe trains
// (see shared/yardstick/README.md).
#pragma once
#include "optim/optimizer.h"

namespace gs::optim {

struct AdamOptions {
  double lr = 1e-3;
  double beta1 = 0.9, beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0;  // L2 penalty added to the gradient (PyTorch's Adam, not AdamW)
  bool eps_inside_sqrt = false;

  // The DCGAN settings (Radford et al. 2016): lr 2e-4, beta1 0.5.
  static AdamOptions gan() {
    AdamOptions options;
    options.lr = 2e-4;
    options.beta1 = 0.5;
    return options;
  }
};

class Adam : public Optimizer {
 public:
  Adam(std::vector<Tensor> params, AdamOptions options = {});
  Adam(std::vector<ParamGroup> groups, AdamOptions options = {});
  void step() override;
  AdamOptions options;
};

}  // namespace gs::optim
