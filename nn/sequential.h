// nn::Sequential: applies its children in order; they are named "0", "1", ...
// so parameters read "0.weight", "3.running_mean".
//   nn::Sequential net(nn::Linear(784, 100), nn::ReLU(), nn::Linear(100, 10));
//   net.push_back(std::make_shared<nn::Softplus>());
#pragma once
#include <memory>
#include <type_traits>
#include <vector>

#include "nn/module.h"

namespace gs::nn {

class Sequential : public Module {
 public:
  Sequential() = default;
  // Takes modules by value (moved in) or as shared_ptrs (shared with the caller).
  template <typename... Modules>
  explicit Sequential(Modules&&... modules) {
    (push_back(std::forward<Modules>(modules)), ...);
  }

  void push_back(std::shared_ptr<Module> module);
  template <typename M, typename = std::enable_if_t<std::is_base_of_v<Module, std::decay_t<M>>>>
  void push_back(M&& module) {
    push_back(std::shared_ptr<Module>(std::make_shared<std::decay_t<M>>(std::forward<M>(module))));
  }

  Tensor forward(const Tensor& input) override;
  std::string type_name() const override { return "Sequential"; }

  size_t size() const { return layers_.size(); }
  std::shared_ptr<Module> operator[](size_t index) const;

 private:
  std::vector<std::shared_ptr<Module>> layers_;
};

}  // namespace gs::nn
