#include "nn/spectral_norm.h"

#include "nn/init.h"

namespace gs::nn {
namespace {

Tensor unit(const Tensor& x) { return x / (sqrt(sum(square(x))) + 1e-12); }

}  // namespace

Tensor spectral_norm(const Tensor& weight, Tensor& u, bool update_u) {
  check(weight.dim() >= 2 && u.dim() == 1 && u.size(0) == weight.size(0),
        "spectral_norm: expects a weight [out, ...] and u [out], got ", shape_str(weight.shape()), " and ",
        shape_str(u.shape()));
  const Tensor matrix = weight.reshape({weight.size(0), weight.numel() / weight.size(0)});
  Tensor v;
  {
    NoGradGuard no_grad;
    const Tensor w = matrix.detach();
    v = unit(matmul(u.unsqueeze(0), w)).reshape({w.size(1)});  // W^T u, normalised
    if (update_u) {
      u.copy_(unit(matmul(w, v.unsqueeze(1)).reshape({w.size(0)})));  // W v, normalised
      v = unit(matmul(u.unsqueeze(0), w)).reshape({w.size(1)});
    }
  }
  const Tensor sigma = sum(matmul(u.unsqueeze(0), matrix).reshape({matrix.size(1)}) * v);  // u^T W v
  return weight / sigma;
}

SpectralNorm::SpectralNorm(Conv2d layer, Generator& gen) {
  auto conv = std::make_shared<Conv2d>(std::move(layer));
  wrap(conv, &conv->weight, gen);
}

SpectralNorm::SpectralNorm(Linear layer, Generator& gen) {
  auto linear = std::make_shared<Linear>(std::move(layer));
  wrap(linear, &linear->weight, gen);
}

void SpectralNorm::wrap(std::shared_ptr<Module> layer, Tensor* weight, Generator& gen) {
  layer_ = register_module("layer", std::move(layer));
  weight_ = weight;
  u = register_buffer("u", unit(randn({weight->size(0)}, gen)));
}

Tensor SpectralNorm::forward(const Tensor& input) {
  const Tensor weight = *weight_;
  struct Restore {  // puts W back even when the layer's forward throws
    Tensor* slot;
    Tensor value;
    ~Restore() { *slot = value; }
  } restore{weight_, weight};
  *weight_ = spectral_norm(weight, u, is_training());
  return layer_->forward(input);
}

}  // namespace gs::nn
