// gs::nn::Module: the base of every layer and model. A module registers its
// parameters (trained tensors), buffers (state that is saved but not trained,
// like batch norm's running mean) and children (sub-modules); from that
// registry it can list them by dotted name ("net.0.weight"), switch train/eval
// mode, move or convert them, and save/restore them as a state dict.
//
// A derived class keeps each registered tensor as a member too:
//   weight = register_parameter("weight", zeros({out, in}));
// Both handles share one TensorImpl, and to(device)/to(dtype) swap the data
// inside that TensorImpl, so the member, the registry and an optimizer holding
// the parameter all keep seeing the same tensor. Change values with copy_(),
// never by assigning a new Tensor to the member.
#pragma once
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "autograd/autograd.h"
#include "nn/state_dict.h"

namespace gs::nn {

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

class Module {
 public:
  Module() = default;
  virtual ~Module() = default;
  // Copying would silently share parameters between the copies; moving is fine.
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;
  Module(Module&&) = default;
  Module& operator=(Module&&) = default;

  // The layer's computation. Modules with several inputs define their own
  // methods instead and keep this default, which throws.
  virtual Tensor forward(const Tensor& input);
  Tensor operator()(const Tensor& input) { return forward(input); }
  // The class name, for messages ("Linear", "Sequential").
  virtual std::string type_name() const { return "Module"; }

  // Registered tensors of this module and all descendants, in registration order.
  std::vector<Tensor> parameters() const;
  NamedTensors named_parameters() const;
  NamedTensors named_buffers() const;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> named_children() const;

  // Training mode (the default) vs evaluation mode, for this module and all
  // descendants: batch norm uses batch statistics and dropout drops only in training.
  Module& train(bool on = true);
  Module& eval() { return train(false); }
  bool is_training() const { return training_; }

  // Moves/converts every parameter and buffer in place (integer buffers keep their dtype).
  Module& to(Device device);
  Module& to(DType dtype);

  // Parameters and buffers by dotted name.
  StateDict state_dict() const;
  // Copies every entry into the matching tensor. Every module tensor must be
  // present with the same shape and dtype, and nothing else: the first problem
  // is reported by name.
  void load_state_dict(const StateDict& dict);

  // Drops every parameter's accumulated gradient.
  void zero_grad();

 protected:
  // Registers a parameter (made a leaf with requires_grad) and returns its handle.
  Tensor register_parameter(const std::string& name, Tensor tensor, bool requires_grad = true);
  Tensor register_buffer(const std::string& name, Tensor tensor);
  template <typename M>
  std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> child) {
    add_child(name, child);
    return child;
  }

 private:
  void add_child(const std::string& name, std::shared_ptr<Module> child);
  void check_new_name(const std::string& name) const;
  void collect(const std::string& prefix, NamedTensors& out, bool buffers) const;

  NamedTensors parameters_;
  NamedTensors buffers_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
  bool training_ = true;
};

}  // namespace gs::nn
