#include "nn/module.h"

namespace gs::nn {
namespace {

// Replaces the data behind `target` with `source`'s, keeping the TensorImpl
// itself (and so every handle to it) and its requires_grad flag; the old
// gradient no longer matches and is dropped. Like PyTorch's `param.data = ...`.
void replace_data(const Tensor& target, const Tensor& source) {
  TensorImpl& impl = *target.impl_ptr();
  impl.storage = source.storage();
  impl.shape = source.shape();
  impl.strides = source.strides();
  impl.offset = source.offset();
  impl.dtype = source.dtype();
  impl.grad.reset();
}

}  // namespace

Tensor Module::forward(const Tensor&) {
  fail(type_name(), ": this module has no single-input forward(); call its own methods instead");
}

void Module::check_new_name(const std::string& name) const {
  check(!name.empty() && name.find('.') == std::string::npos, type_name(), ": the name '", name,
        "' must be non-empty and contain no '.' (dots separate the levels of a dotted name)");
  auto taken = [&](const auto& list) {
    for (const auto& entry : list)
      if (entry.first == name) return true;
    return false;
  };
  check(!taken(parameters_) && !taken(buffers_) && !taken(children_), type_name(), ": the name '", name,
        "' is already registered");
}

Tensor Module::register_parameter(const std::string& name, Tensor tensor, bool requires_grad) {
  check_new_name(name);
  check(tensor.defined(), type_name(), ": parameter '", name, "' is an undefined tensor");
  tensor = tensor.detach();
  tensor.requires_grad_(requires_grad);
  parameters_.emplace_back(name, tensor);
  return tensor;
}

Tensor Module::register_buffer(const std::string& name, Tensor tensor) {
  check_new_name(name);
  check(tensor.defined(), type_name(), ": buffer '", name, "' is an undefined tensor");
  tensor = tensor.detach();
  buffers_.emplace_back(name, tensor);
  return tensor;
}

void Module::add_child(const std::string& name, std::shared_ptr<Module> child) {
  check_new_name(name);
  check(child != nullptr, type_name(), ": child module '", name, "' is null");
  children_.emplace_back(name, std::move(child));
}

void Module::collect(const std::string& prefix, NamedTensors& out, bool buffers) const {
  for (const auto& [name, tensor] : buffers ? buffers_ : parameters_) out.emplace_back(prefix + name, tensor);
  for (const auto& [name, child] : children_) child->collect(prefix + name + ".", out, buffers);
}

NamedTensors Module::named_parameters() const {
  NamedTensors out;
  collect("", out, false);
  return out;
}

NamedTensors Module::named_buffers() const {
  NamedTensors out;
  collect("", out, true);
  return out;
}

std::vector<Tensor> Module::parameters() const {
  std::vector<Tensor> out;
  for (const auto& entry : named_parameters()) out.push_back(entry.second);
  return out;
}

std::vector<std::pair<std::string, std::shared_ptr<Module>>> Module::named_children() const { return children_; }

Module& Module::train(bool on) {
  training_ = on;
  for (const auto& entry : children_) entry.second->train(on);
  return *this;
}

Module& Module::to(Device device) {
  for (const auto& list : {named_parameters(), named_buffers()})
    for (const auto& entry : list)
      if (entry.second.device() != device) replace_data(entry.second, entry.second.detach().to(device));
  return *this;
}

Module& Module::to(DType dtype) {
  check(is_floating(dtype), type_name(), ".to: modules convert to a floating dtype, not ", dtype_name(dtype));
  for (const auto& list : {named_parameters(), named_buffers()})
    for (const auto& entry : list)
      if (is_floating(entry.second.dtype()) && entry.second.dtype() != dtype) replace_data(entry.second, entry.second.detach().to(dtype));
  return *this;
}

StateDict Module::state_dict() const {
  StateDict out;
  for (const auto& list : {named_parameters(), named_buffers()})
    for (const auto& [name, tensor] : list) out[name] = tensor.detach();
  return out;
}

void Module::load_state_dict(const StateDict& dict) {
  StateDict own = state_dict();
  for (const auto& [name, tensor] : own) {
    auto found = dict.find(name);
    check(found != dict.end(), "load_state_dict: missing tensor '", name, "' (shape ", shape_str(tensor.shape()),
          ")");
    const Tensor& source = found->second;
    check(source.shape() == tensor.shape(), "load_state_dict: '", name, "' has shape ", shape_str(source.shape()),
          " but the module expects ", shape_str(tensor.shape()));
    check(source.dtype() == tensor.dtype(), "load_state_dict: '", name, "' is ", dtype_name(source.dtype()),
          " but the module's is ", dtype_name(tensor.dtype()), " (convert the module with .to(dtype) first)");
  }
  for (const auto& entry : dict)
    check(own.count(entry.first) != 0, "load_state_dict: unexpected tensor '", entry.first,
          "' (the module has no parameter or buffer of that name)");
  for (auto& [name, tensor] : own) tensor.copy_(dict.at(name).to(tensor.device()));
}

void Module::zero_grad() {
  for (Tensor& parameter : parameters()) parameter.zero_grad();
}

}  // namespace gs::nn
