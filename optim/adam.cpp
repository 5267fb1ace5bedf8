#include "optim/adam.h"

#include "tensor/backend.h"

namespace gs::optim {
namespace {
AdamOptions checked(AdamOptions options) {
  check(options.beta1 >= 0 && options.beta1 < 1 && options.beta2 >= 0 && options.beta2 < 1,
        "Adam: betas must be in [0, 1), got (", options.beta1, ", ", options.beta2, ")");
  check(options.eps >= 0 && options.weight_decay >= 0, "Adam: eps and weight_decay must be >= 0");
  return options;
}
}  // namespace

Adam::Adam(std::vector<Tensor> params, AdamOptions options)
    : Adam(std::vector<ParamGroup>{{std::move(params)}}, options) {}

Adam::Adam(std::vector<ParamGroup> groups, AdamOptions options_)
    : Optimizer("Adam", std::move(groups), options_.lr, {"exp_avg", "exp_avg_sq"}), options(checked(options_)) {}

void Adam::step() {
  for_each_update([&](const ParamGroup& group, Tensor& param, const Tensor& grad, ParamState& state) {
    if (state.step == 0) {
      state.buffers["exp_avg"] = zeros_like(param);
      state.buffers["exp_avg_sq"] = zeros_like(param);
    }
    ++state.step;
    AdamUpdate update;
    update.lr = group.lr;
    update.beta1 = options.beta1;
    update.beta2 = options.beta2;
    update.eps = options.eps;
    update.weight_decay = options.weight_decay;
    update.eps_inside_sqrt = options.eps_inside_sqrt;
    update.step = state.step;
    backend(param.device()).adam_update(param, grad, state.buffers["exp_avg"], state.buffers["exp_avg_sq"], update);
  });
}

}  // namespace gs::optim
