#include "optim/optimizer.h"

#include <algorithm>
#include <cstdio>

namespace gs::optim {

Optimizer::Optimizer(std::string name, std::vector<ParamGroup> groups, double default_lr,
                     std::vector<std::string> buffer_names)
    : name_(std::move(name)), groups_(std::move(groups)), buffer_names_(std::move(buffer_names)) {
  check(!groups_.empty(), name_, ": needs at least one parameter group");
  check(default_lr >= 0, name_, ": the learning rate must be >= 0, got ", default_lr);
  size_t count = 0;
  for (ParamGroup& group : groups_) {
    if (group.lr < 0) group.lr = default_lr;
    for (const Tensor& param : group.params) {
      check(param.defined() && is_floating(param.dtype()), name_, ": parameter ", count,
            " must be a defined floating tensor");
      check(param.is_leaf(), name_, ": parameter ", count, " is not a leaf (it was computed from other tensors)");
      ++count;
    }
  }
  state_.resize(count);
}

void Optimizer::zero_grad() {
  for (ParamGroup& group : groups_)
    for (Tensor& param : group.params) param.zero_grad();
}

void Optimizer::set_lr(double lr) {
  for (ParamGroup& group : groups_) group.lr = lr;
}

StateDict Optimizer::state_dict() const {
  StateDict out;
  for (size_t g = 0; g < groups_.size(); ++g)
    out["param_groups." + std::to_string(g) + ".lr"] = scalar_tensor(groups_[g].lr, kFloat64);
  for (size_t i = 0; i < state_.size(); ++i) {
    if (state_[i].step == 0) continue;
    std::string prefix = "state." + std::to_string(i) + ".";
    out[prefix + "step"] = tensor(std::vector<int64_t>{state_[i].step}, Shape{});
    for (const auto& [name, buffer] : state_[i].buffers) out[prefix + name] = buffer.detach().clone();
  }
  return out;
}

void Optimizer::load_state_dict(const StateDict& dict) {
  std::vector<Tensor> params;
  for (const ParamGroup& group : groups_) params.insert(params.end(), group.params.begin(), group.params.end());

  std::vector<double> lrs(groups_.size());
  for (size_t g = 0; g < groups_.size(); ++g) {
    std::string key = "param_groups." + std::to_string(g) + ".lr";
    auto found = dict.find(key);
    check(found != dict.end() && found->second.numel() == 1, name_, ".load_state_dict: missing '", key,
          "' (the optimizer has ", groups_.size(), " parameter groups)");
    lrs[g] = found->second.item();
  }

  std::vector<ParamState> loaded(params.size());
  for (const auto& [key, value] : dict) {
    if (key.rfind("param_groups.", 0) == 0) {
      size_t g = 0;
      check(std::sscanf(key.c_str(), "param_groups.%zu.lr", &g) == 1 && g < groups_.size() &&
                key == "param_groups." + std::to_string(g) + ".lr",
            name_, ".load_state_dict: unexpected entry '", key, "'");
      continue;
    }
    size_t index = 0;
    int name_start = 0;
    check(std::sscanf(key.c_str(), "state.%zu.%n", &index, &name_start) == 1 && name_start > 0, name_,
          ".load_state_dict: unexpected entry '", key, "'");
    check(index < params.size(), name_, ".load_state_dict: '", key, "' is for parameter ", index,
          " but the optimizer has ", params.size());
    std::string name = key.substr(name_start);
    if (name == "step") {
      check(value.dtype() == kInt64 && value.numel() == 1, name_, ".load_state_dict: '", key,
            "' must be one int64");
      loaded[index].step = static_cast<int64_t>(value.item());
      continue;
    }
    check(std::find(buffer_names_.begin(), buffer_names_.end(), name) != buffer_names_.end(), name_,
          ".load_state_dict: unexpected entry '", key, "'");
    const Tensor& param = params[index];
    check(value.shape() == param.shape() && value.dtype() == param.dtype(), name_, ".load_state_dict: '", key,
          "' is ", dtype_name(value.dtype()), " ", shape_str(value.shape()), " but parameter ", index, " is ",
          dtype_name(param.dtype()), " ", shape_str(param.shape()));
    loaded[index].buffers[name] = value.detach().clone().to(param.device());
  }
  for (size_t i = 0; i < loaded.size(); ++i) {
    if (loaded[i].step == 0) {
      check(loaded[i].buffers.empty(), name_, ".load_state_dict: parameter ", i, " has buffers but no 'state.", i,
            ".step'");
      continue;
    }
    for (const std::string& name : buffer_names_)
      check(loaded[i].buffers.count(name) != 0, name_, ".load_state_dict: missing 'state.", i, ".", name, "'");
  }

  for (size_t g = 0; g < groups_.size(); ++g) groups_[g].lr = lrs[g];
  state_ = std::move(loaded);
}

}  // namespace gs::optim
