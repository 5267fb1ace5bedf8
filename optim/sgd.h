// Stochastic gradient descent with momentum, Nesterov momentum and weight
// decay, with PyTorch's semantics (the formulas are at SgdUpdate in
// tensor/backend.h). Note PyTorch's momentum form: buf accumulates gradients
// and the lr multiplies buf, so changing the lr mid-run rescales the whole step.
#pragma once
#include "optim/optimizer.h"

namespace gs::optim {

struct SGDOptions {
  double lr = 0.01;
  double momentum = 0;
  double dampening = 0;
  double weight_decay = 0;  // L2 penalty: adds weight_decay * p to the gradient
  bool nesterov = false;    // Sutskever et al. 2013; needs momentum > 0 and dampening 0
};

class SGD : public Optimizer {
 public:
  SGD(std::vector<Tensor> params, SGDOptions options = {});
  SGD(std::vector<ParamGroup> groups, SGDOptions options = {});
  void step() override;
  SGDOptions options;
};

}  // namespace gs::optim
