// Weight normalisation (Salimans & Kingma 2016, "Weight Normalization: A Simple
// Reparameterization to Accelerate Training of Deep Neural Networks"):
//   w = g * v / ||v||,  the norm taken per output unit (a row of a Linear
// weight, a filter of a Conv2d weight), so the length g of each unit's weight
// vector is learned separately from its direction v.
//
// Data-dependent initialisation (section 3 of the paper): run a first batch
// with g = 1, b = 0, then set g = 1 / std and b = -mean / std per unit, so that
// on that batch the pre-activations have zero mean and unit variance.
// Parameters are named as in PyTorch's weight_norm: weight_v, weight_g, bias.
#pragma once
#include "nn/layer_options.h"
#include "nn/module.h"

namespace gs::nn {

// w = g * v / ||v||, v [out, ...], g [out]; differentiable in v and g.
Tensor weight_norm(const Tensor& v, const Tensor& g);

// weight_norm(v, g), computed again only when v or g changed (their storage
// versions, tensor/storage.h) or gradient recording was switched: the forward
// passes of one training step (a discriminator's real, fake and labeled
// batches) share one W, so its kernel runs once, and so does its backward,
// on the passes' summed gradient. W's node is kept after a backward
// (Node::keep_after_backward), so every graph that used W can still be
// differentiated.
class CachedWeightNorm {
 public:
  Tensor operator()(const Tensor& v, const Tensor& g);

 private:
  Tensor weight_;
  std::shared_ptr<Storage> v_storage_, g_storage_;
  uint64_t v_version_ = 0, g_version_ = 0;
  bool v_gradient_ = false, g_gradient_ = false;  // whether W's node sends gradients to v, to g
};

class WeightNormLinear : public Module {
 public:
  explicit WeightNormLinear(LinearOptions options, Generator& gen = default_generator());
  WeightNormLinear(int64_t in_features, int64_t out_features, Generator& gen = default_generator())
      : WeightNormLinear(LinearOptions(in_features, out_features), gen) {}
  Tensor forward(const Tensor& input) override;
  std::string type_name() const override { return "WeightNormLinear"; }
  Tensor weight() const { return weight_norm(weight_v, weight_g); }
  // Sets weight_g and bias from this batch (see above) and returns the layer's
  // output on it. init_scale multiplies g (the original code's init_scale).
  Tensor initialize_from_batch(const Tensor& input, double init_scale = 1.0);

  Tensor weight_v;  // direction [out, in], N(0, 0.05) as in the original code
  Tensor weight_g;  // length [out], starts at 1
  Tensor bias;      // [out], starts at 0

 private:
  CachedWeightNorm cached_weight_;
};

class WeightNormConv2d : public Module {
 public:
  explicit WeightNormConv2d(Conv2dOptions options, Generator& gen = default_generator());
  Tensor forward(const Tensor& input) override;
  std::string type_name() const override { return "WeightNormConv2d"; }
  Tensor weight() const { return weight_norm(weight_v, weight_g); }
  Tensor initialize_from_batch(const Tensor& input, double init_scale = 1.0);

  Conv2dOptions options;
  Tensor weight_v;  // direction [Cout, Cin, kH, kW]
  Tensor weight_g;  // length [Cout]
  Tensor bias;      // [Cout]

 private:
  CachedWeightNorm cached_weight_;
};

}  // namespace gs::nn
