// gs::F: the functional neural-network ops, each written from first principles
// with its forward and backward side by side (one op family per file in nn/).
// Layout is NCHW; convolution weights are [Cout, Cin, kH, kW], transposed
// convolution weights [Cin, Cout, kH, kW] (PyTorch's layouts).
#pragma once
#include <optional>

#include "autograd/autograd.h"
#include "tensor/distributed.h"

namespace gs::F {

// Convolution padding in TensorFlow's vocabulary:
//  Same  - output = ceil(input / stride); when the total padding is odd the
//          extra row/column goes to the bottom/right.
//  Valid - no padding.
//  Explicit - (top, bottom, left, right) zeros.
struct Padding {
  enum class Kind { Same, Valid, Explicit };
  Kind kind = Kind::Valid;
  int64_t top = 0, bottom = 0, left = 0, right = 0;

  static Padding same() { return {Kind::Same}; }
  static Padding valid() { return {Kind::Valid}; }
  static Padding explicit_(int64_t top, int64_t bottom, int64_t left, int64_t right) {
    return {Kind::Explicit, top, bottom, left, right};
  }
  static Padding symmetric(int64_t pad) { return explicit_(pad, pad, pad, pad); }  // PyTorch's padding=p
};

struct Pair {
  int64_t h = 1, w = 1;
  Pair(int64_t both = 1) : h(both), w(both) {}
  Pair(int64_t height, int64_t width) : h(height), w(width) {}
};

// ---- linear (nn/linear.cpp) ------------------------------------------------
// y = x W^T + b, x [N, in], W [out, in], b [out] (optional)
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor());

// ---- convolution (nn/conv2d.cpp, nn/conv_transpose2d.cpp, nn/im2col.cpp) ---
Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor(), Pair stride = 1,
              Padding padding = Padding::valid(), Pair dilation = 1);
// The adjoint of conv2d. Same: output = input * stride; Valid: output =
// (input - 1) * stride + dilation * (k - 1) + 1; Explicit: PyTorch's
// (input - 1) * stride - (top + bottom) + dilation * (k - 1) + output_padding + 1.
Tensor conv_transpose2d(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor(), Pair stride = 1,
                        Padding padding = Padding::valid(), Pair output_padding = 0, Pair dilation = 1);
// Output size of one spatial dim, and the padding 'same' adds before/after.
int64_t conv_output_size(int64_t input, int64_t kernel, int64_t stride, int64_t pad_before, int64_t pad_after,
                         int64_t dilation = 1);
struct SamePadding { int64_t before = 0, after = 0; };
SamePadding same_padding(int64_t input, int64_t kernel, int64_t stride, int64_t dilation = 1);

// ---- normalisation (nn/batch_norm.cpp) ----------------------------------------
// x [N, C] (per feature) or [N, C, H, W] (per channel over N, H, W). In training
// mode normalises with the batch statistics and updates running_mean/var in
// place (biased variance to normalise, unbiased for the running estimate);
// in eval mode uses the running estimates. gamma/beta may be undefined.
// Inside a data-parallel GlobalBatchStep (nn/data_parallel.h) training mode
// uses the statistics of the global batch: synchronized_batch_norm.
Tensor batch_norm(const Tensor& x, const Tensor& gamma, const Tensor& beta, const Tensor& running_mean,
                  const Tensor& running_var, bool training, double momentum = 0.1, double eps = 1e-5);
// Training-mode batch norm over the union of every rank's batch (equal
// batches on all ranks): the channel sums are all-reduced over `group`
// forward and backward (nn/synchronized_batch_norm.cpp).
Tensor synchronized_batch_norm(const Tensor& x, const Tensor& gamma, const Tensor& beta, const Tensor& running_mean,
                               const Tensor& running_var, double momentum, double eps, ProcessGroup& group);

// ---- across ranks (nn/data_parallel.cpp) --------------------------------------
// The mean over the ranks of `group`, differentiable (backward: the mean of the gradients).
Tensor all_reduce_mean(const Tensor& x, ProcessGroup& group);
// Every rank's rows, stacked in rank order (batches may differ in size),
// differentiable (backward: this rank's rows of the summed gradients).
Tensor all_gather_rows(const Tensor& x, ProcessGroup& group);
// x.mean({0}), over the global batch inside a GlobalBatchStep.
Tensor batch_mean(const Tensor& x);

// ---- activations and regularisers (nn/activations.cpp, nn/dropout.cpp) ----
// relu, leaky_relu, tanh, sigmoid, softplus are gs:: ops (autograd/ops.h).
Tensor dropout(const Tensor& x, double p, bool training, Generator& gen = default_generator());  // inverted dropout
Tensor gaussian_noise(const Tensor& x, double stddev, bool training, Generator& gen = default_generator());

// ---- shape helpers (nn/pooling.cpp) ------------------------------------------
Tensor global_avg_pool2d(const Tensor& x);  // [N, C, H, W] -> [N, C]
Tensor flatten(const Tensor& x);            // [N, ...] -> [N, rest]

// ---- softmax family (nn/softmax.cpp) -------------------------------------------
// logsumexp(x) = m + log(sum exp(x - m)), m = max(x): no overflow for large x.
Tensor logsumexp(const Tensor& x, int64_t dim, bool keepdim = false);
Tensor log_softmax(const Tensor& x, int64_t dim);
Tensor softmax(const Tensor& x, int64_t dim);

// ---- losses (nn/losses.cpp); each returns a scalar (the mean) ------------------
// mean of max(z,0) - z t + log(1 + e^-|z|): stable for logits of any size;
// targets may be smoothed (e.g. 0.9).
Tensor binary_cross_entropy_with_logits(const Tensor& logits, const Tensor& targets);
// logits [N, K], labels int64 [N]. With a mask (0/1 per example, [N]) the loss
// is averaged over the masked examples; an all-zero mask gives 0, never NaN.
Tensor cross_entropy(const Tensor& logits, const Tensor& labels, const Tensor& mask = Tensor());
Tensor mse_loss(const Tensor& prediction, const Tensor& target);
Tensor l1_loss(const Tensor& prediction, const Tensor& target);
// mean max(0, 1 - label * z), label +1 for real and -1 for fake (the hinge GAN's D loss).
Tensor hinge_loss(const Tensor& logits, double label);
// mean_j | mean_batch(real)_j - mean_batch(fake)_j |  (Salimans et al. 2016);
// `squared` uses the squared difference instead (the paper's form).
Tensor feature_matching_loss(const Tensor& real_features, const Tensor& fake_features, bool squared = false);

}  // namespace gs::F
