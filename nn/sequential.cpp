#include "nn/sequential.h"

namespace gs::nn {

void Sequential::push_back(std::shared_ptr<Module> module) {
  register_module(std::to_string(layers_.size()), module);
  layers_.push_back(std::move(module));
}

Tensor Sequential::forward(const Tensor& input) {
  Tensor x = input;
  for (const auto& layer : layers_) x = layer->forward(x);
  return x;
}

std::shared_ptr<Module> Sequential::operator[](size_t index) const {
  check(index < layers_.size(), "Sequential: index ", index, " out of range (", layers_.size(), " layers)");
  return layers_[index];
}

}  // namespace gs::nn
