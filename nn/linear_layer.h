// nn::Linear: y = x W^T + b, W [out, in], b [out] (PyTorch's default init).
//   nn::Linear(100, 500)   nn::Linear(nn::LinearOptions(100, 500).bias(false))
#pragma once
#include "nn/layer_options.h"
#include "nn/module.h"

namespace gs::nn {

class Linear : public Module {
 public:
  explicit Linear(LinearOptions options, Generator& gen = default_generator());
  Linear(int64_t in_features, int64_t out_features, Generator& gen = default_generator())
      : Linear(LinearOptions(in_features, out_features), gen) {}
  Tensor forward(const Tensor& input) override;
  std::string type_name() const override { return "Linear"; }

  LinearOptions options;
  Tensor weight;  // [out, in]
  Tensor bias;    // [out], undefined without bias
};

}  // namespace gs::nn
