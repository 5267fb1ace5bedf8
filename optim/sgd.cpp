#include "optim/sgd.h"

#include "tensor/backend.h"

namespace gs::optim {
namespace {
std::vector<std::string> sgd_buffers(const SGDOptions& options) {
  check(options.momentum >= 0 && options.dampening >= 0 && options.weight_decay >= 0,
        "SGD: momentum, dampening and weight_decay must be >= 0");
  check(!options.nesterov || (options.momentum > 0 && options.dampening == 0),
        "SGD: Nesterov momentum needs momentum > 0 and dampening 0");
  if (options.momentum == 0) return {};
  return {"momentum_buffer"};
}
}  // namespace

SGD::SGD(std::vector<Tensor> params, SGDOptions options) : SGD(std::vector<ParamGroup>{{std::move(params)}}, options) {}

SGD::SGD(std::vector<ParamGroup> groups, SGDOptions options_)
    : Optimizer("SGD", std::move(groups), options_.lr, sgd_buffers(options_)), options(options_) {}

void SGD::step() {
  for_each_update([&](const ParamGroup& group, Tensor& param, const Tensor& grad, ParamState& state) {
    SgdUpdate update;
    update.lr = group.lr;
    update.momentum = options.momentum;
    update.dampening = options.dampening;
    update.weight_decay = options.weight_decay;
    update.nesterov = options.nesterov;
    Tensor buffer;
    if (options.momentum != 0) {
      update.first_step = state.buffers.count("momentum_buffer") == 0;
      if (update.first_step) state.buffers["momentum_buffer"] = zeros_like(param);
      buffer = state.buffers["momentum_buffer"];
    }
    backend(param.device()).sgd_update(param, grad, buffer, update);
    ++state.step;
  });
}

}  // namespace gs::optim
