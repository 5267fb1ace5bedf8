// nn::BatchNorm1d ([N, C], per feature) and nn::BatchNorm2d ([N, C, H, W], per
// channel) around F::batch_norm (Ioffe & Szegedy 2015). gamma ("weight") starts
// at 1 and beta ("bias") at 0, so the layer starts as a plain normalisation;
// training mode normalises with the batch statistics and updates the running
// estimates, eval mode uses the running estimates.
#pragma once
#include "nn/layer_options.h"
#include "nn/module.h"

namespace gs::nn {

class BatchNorm : public Module {
 public:
  Tensor forward(const Tensor& input) override;

  Tensor weight;        // gamma [C], undefined when not affine
  Tensor bias;          // beta [C]
  Tensor running_mean;  // buffer [C], starts at 0
  Tensor running_var;   // buffer [C], starts at 1
  BatchNormOptions options;

 protected:
  BatchNorm(BatchNormOptions options, int64_t input_dims);

 private:
  int64_t input_dims_;
};

class BatchNorm1d : public BatchNorm {
 public:
  explicit BatchNorm1d(BatchNormOptions options) : BatchNorm(options, 2) {}
  explicit BatchNorm1d(int64_t num_features) : BatchNorm(BatchNormOptions(num_features), 2) {}
  std::string type_name() const override { return "BatchNorm1d"; }
};

class BatchNorm2d : public BatchNorm {
 public:
  explicit BatchNorm2d(BatchNormOptions options) : BatchNorm(options, 4) {}
  explicit BatchNorm2d(int64_t num_features) : BatchNorm(BatchNormOptions(num_features), 4) {}
  std::string type_name() const override { return "BatchNorm2d"; }
};

}  // namespace gs::nn
