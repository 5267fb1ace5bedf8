// Minibatch discrimination (Salimans et al. 2016, "Improved Techniques for
// Training GANs", section 3.2): the discriminator sees how close each sample
// is to the others in its batch, so a generator that collapses onto a few
// outputs is easy to spot.
//   M_i = x_i T            x [N, A], T [A, B*C] -> M [N, B, C]
//   c_b(i, j) = exp(-||M_i,b - M_j,b||_1)   (L1 over the C dims of kernel b)
//   o_b(i) = sum_{j != i} c_b(i, j),   output [x_i, o(i)]  [N, A + B]
// The batch is whatever forward() is given: the discriminator scores its real
// and its generated batch in separate calls, as in the paper. Inside a
// data-parallel GlobalBatchStep (nn/data_parallel.h) the j run over the
// global batch (every rank's M, all-gathered), so R ranks of n rows compute
// what one process computes on R n.
#pragma once
#include "nn/module.h"

namespace gs::nn {

// [x, o(x)]: x [N, A], T [A, B*C], kernels = B; differentiable in x and T.
Tensor minibatch_discrimination(const Tensor& x, const Tensor& T, int64_t kernels);

class MinibatchDiscrimination : public Module {
 public:
  // T starts from N(0, 0.02) (DCGAN's init, which dcgan_init also applies).
  MinibatchDiscrimination(int64_t in_features, int64_t kernels, int64_t kernel_dims,
                          Generator& gen = default_generator());
  Tensor forward(const Tensor& input) override;
  std::string type_name() const override { return "MinibatchDiscrimination"; }
  int64_t out_features() const { return in_features + kernels; }

  int64_t in_features, kernels, kernel_dims;
  Tensor weight;  // T [in_features, kernels * kernel_dims]
};

}  // namespace gs::nn
