// Spectral normalisation (Miyato et al. 2018, "Spectral Normalization for
// Generative Adversarial Networks"): a layer's weight W, viewed as a matrix
// [out, rest], is divided by its largest singular value sigma(W), so the
// layer is at most 1-Lipschitz and D cannot sharpen its verdicts without
// bound. sigma comes from one step of power iteration per training pass,
// from a vector u kept between passes (a buffer):
//   v = W^T u / ||W^T u||,   u <- W v / ||W v||,   sigma = u^T W v,   W_SN = W / sigma
// u and v are held constant in the backward pass (as in the paper), so
// d sigma / dW = u v^T and dL/dW = (G - (G . W_SN) u v^T) / sigma, G = dL/dW_SN.
#pragma once
#include <memory>

#include "nn/conv_layers.h"
#include "nn/linear_layer.h"

namespace gs::nn {

// W / sigma(W) with u [out]; when update_u, first one power-iteration step
// that overwrites u in place (eval mode leaves u alone).
Tensor spectral_norm(const Tensor& weight, Tensor& u, bool update_u);

// A Conv2d or Linear whose forward uses its spectrally normalised weight.
// The wrapped layer is the child "layer" (its "layer.weight" is W itself).
class SpectralNorm : public Module {
 public:
  SpectralNorm(Conv2d layer, Generator& gen = default_generator());
  SpectralNorm(Linear layer, Generator& gen = default_generator());
  Tensor forward(const Tensor& input) override;
  std::string type_name() const override { return "SpectralNorm"; }

  Tensor u;  // buffer [out]: the power iteration's estimate of W's first left singular vector

 private:
  void wrap(std::shared_ptr<Module> layer, Tensor* weight, Generator& gen);
  std::shared_ptr<Module> layer_;
  Tensor* weight_ = nullptr;  // the wrapped layer's weight member, which forward() swaps for W / sigma
};

}  // namespace gs::nn
