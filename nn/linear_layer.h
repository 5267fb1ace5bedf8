// nn::Linear: y = x W^T + b, W [out, in], b [out] (PyTorch's default init).
#pragma once
#include "nn/functional.h"
#include "nn/module.h"

namespace gs::nn {

class Linear : public Module {
 public:
  Linear(int64_t in_features, int64_t out_features, bool bias = true, Generator& gen = default_generator());
  Tensor forward(const Tensor& input) override;
  std::string type_name() const override { return "Linear"; }

  Tensor weight;  // [out, in]
  Tensor bias;    // [out], undefined without bias
};

}  // namespace gs::nn
