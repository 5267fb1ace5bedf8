// gs::optim::Optimizer: the base of SGD and Adam. It holds the parameters in
// groups, each with its own learning rate (e.g. a smaller lr for a pretrained
// part), and per-parameter state (a step count and buffers such as momentum).
// state_dict() captures learning rates, step counts and buffers, so a run
// resumed from a checkpoint continues exactly as if it had never stopped.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "nn/state_dict.h"
#include "tensor/tensor.h"

namespace gs::optim {

struct ParamGroup {
  std::vector<Tensor> params;
  double lr = -1;  // negative: the optimizer's default lr
};

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // Updates every parameter that requires grad and has a gradient; the others
  // (frozen, or unused by the last backward) are left unchanged.
  virtual void step() = 0;
  // Drops the gradients of all parameters (backward() accumulates into them).
  void zero_grad();

  std::vector<ParamGroup>& param_groups() { return groups_; }
  const std::vector<ParamGroup>& param_groups() const { return groups_; }
  // The first group's lr, and a setter for every group (what schedulers use per group).
  double lr() const { return groups_.at(0).lr; }
  void set_lr(double lr);

  // "param_groups.<g>.lr", "state.<i>.step" and "state.<i>.<buffer>", with i
  // the parameter's position counted across the groups.
  StateDict state_dict() const;
  // Restores what state_dict() gave, checking every name, shape and dtype
  // against this optimizer's parameters.
  void load_state_dict(const StateDict& dict);

 protected:
  Optimizer(std::string name, std::vector<ParamGroup> groups, double default_lr,
            std::vector<std::string> buffer_names);

  struct ParamState {
    int64_t step = 0;                      // updates applied so far
    std::map<std::string, Tensor> buffers;  // created on the first update
  };
  // Calls update(group, param, grad, state) for each parameter with a gradient,
  // then bumps the parameter's storage version (the update writes it in place).
  template <typename Update>
  void for_each_update(Update update) {
    size_t index = 0;
    for (ParamGroup& group : groups_)
      for (Tensor& param : group.params) {
        ParamState& state = state_[index++];
        Tensor grad = param.grad();
        if (!param.requires_grad() || !grad.defined()) continue;
        check(param.is_contiguous(), name_, ": parameter ", index - 1, " is not contiguous");
        check(grad.dtype() == param.dtype() && grad.device() == param.device(), name_, ": parameter ", index - 1,
              " and its gradient differ in dtype or device");
        update(group, param, grad.contiguous(), state);
        param.storage()->bump_version();
      }
  }

  std::string name_;

 private:
  std::vector<ParamGroup> groups_;
  std::vector<ParamState> state_;
  std::vector<std::string> buffer_names_;
};

}  // namespace gs::optim
