// Virtual batch normalisation (Salimans et al. 2016, section 3.4): batch norm
// makes each output depend on the other samples of its batch; VBN normalises
// every sample with the statistics of a fixed reference batch, chosen once at
// the start of training, combined with the sample's own:
//   mu_i = R/(R+1) mu_ref + 1/(R+1) mean(x_i),   m2_i = the same for x^2,
//   y_i = gamma (x_i - mu_i) / sqrt(m2_i - mu_i^2 + eps) + beta.
// The reference batch itself is normalised with its own statistics only.
// Per channel: x [N, C] or [N, C, H, W]; mean(x_i) is over the sample's H, W.
//
// The reference batch runs through the network with every batch (R extra
// rows: the price of VBN), so each layer sees the reference batch's
// activations at that layer. In a Sequential:
//   PrependReference(z_ref) -> ... VirtualBatchNorm2d(C, R) ... -> DropReference(R)
// The first R rows of every VBN layer's input are the reference batch.
// Training and eval mode compute the same thing: there are no running statistics.
#pragma once
#include "nn/module.h"

namespace gs::nn {

// x's first `reference_size` rows are the reference batch; gamma/beta [C] may be undefined.
Tensor virtual_batch_norm(const Tensor& x, int64_t reference_size, const Tensor& gamma, const Tensor& beta,
                          double eps = 1e-5);

class VirtualBatchNorm : public Module {
 public:
  // x [N, C] (input_dims 2) or [N, C, H, W] (input_dims 4); gamma starts at 1, beta at 0.
  VirtualBatchNorm(int64_t num_features, int64_t reference_size, int64_t input_dims, double eps = 1e-5);
  Tensor forward(const Tensor& input) override;
  std::string type_name() const override { return "VirtualBatchNorm"; }

  int64_t reference_size;
  double eps;
  Tensor weight;  // gamma [C]
  Tensor bias;    // beta [C]

 private:
  int64_t input_dims_;
};

// Puts the reference batch (a buffer, saved with the model) in front of the input's rows.
class PrependReference : public Module {
 public:
  explicit PrependReference(Tensor reference_input);
  Tensor forward(const Tensor& input) override;
  std::string type_name() const override { return "PrependReference"; }
  int64_t reference_size() const { return reference.size(0); }

  Tensor reference;  // [R, ...]
};

// Drops the reference batch's R rows again: the output is the input's own.
class DropReference : public Module {
 public:
  explicit DropReference(int64_t reference_size) : reference_size(reference_size) {}
  Tensor forward(const Tensor& input) override;
  std::string type_name() const override { return "DropReference"; }
  int64_t reference_size;
};

}  // namespace gs::nn
