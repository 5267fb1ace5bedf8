// Loss functions; each returns the mean over the examples as a scalar.
#include "autograd/node.h"
#include "autograd/ops.h"
#include "autograd/ops/op_helpers.h"
#include "nn/functional.h"

namespace gs::F {
namespace {

void check_same_shape(const char* op, const Tensor& a, const Tensor& b, const char* a_name, const char* b_name) {
  check_same_kind(op, a, b);
  check(a.shape() == b.shape(), op, ": ", a_name, " ", shape_str(a.shape()), " and ", b_name, " ",
        shape_str(b.shape()), " must have the same shape");
}

}  // namespace

// Binary cross-entropy of sigmoid(z) against a target t in [0, 1]:
//   -t log sigmoid(z) - (1 - t) log(1 - sigmoid(z)) = max(z, 0) - z t + log(1 + e^-|z|)
// The right-hand form never exponentiates a positive number, so logits of
// +-1000 give exact finite losses where sigmoid then log would give log(0).
//   dL/dz = sigmoid(z) - t,   dL/dt = -z   (each divided by the count for the mean)
Tensor binary_cross_entropy_with_logits(const Tensor& logits, const Tensor& targets) {
  check_floating("binary_cross_entropy_with_logits", logits);
  check_same_shape("binary_cross_entropy_with_logits", logits, targets, "logits", "targets");
  check(logits.numel() > 0, "binary_cross_entropy_with_logits: no logits to average over");
  const double scale = 1.0 / static_cast<double>(logits.numel());
  Tensor loss;
  {
    NoGradGuard no_grad;
    const Tensor z = logits.detach(), t = targets.detach();
    loss = (relu(z) - z * t + softplus(-abs(z))).mean();
  }
  record(loss, "binary_cross_entropy_with_logits", {logits, targets},
         [scale, z = logits.detach(), t = targets.detach(), need_t = targets.requires_grad()](const Tensor& grad) {
           const Tensor g = grad * scale;
           Tensor dz = (sigmoid(z) - t) * g;
           Tensor dt = need_t ? -z * g : Tensor();
           return std::vector<Tensor>{dz, dt};
         });
  return loss;
}

// -log softmax(logits)_label per example, averaged over the examples (or over
// the examples whose mask is 1). The true class's term is picked by a one-hot
// product; an all-zero mask divides 0 by max(0, 1) and gives 0, not 0/0.
Tensor cross_entropy(const Tensor& logits, const Tensor& labels, const Tensor& mask) {
  check_floating("cross_entropy", logits);
  check(logits.dim() == 2, "cross_entropy: expects logits [N, classes], got ", shape_str(logits.shape()));
  check(labels.defined() && labels.dim() == 1 && labels.size(0) == logits.size(0), "cross_entropy: labels must be [",
        logits.size(0), "] (one class index per example), got ",
        labels.defined() ? shape_str(labels.shape()) : std::string("an undefined tensor"));
  check(labels.device() == logits.device(), "cross_entropy: labels are on ", labels.device().str(),
        " but logits on ", logits.device().str());
  const int64_t examples = logits.size(0);
  Tensor one_hot = empty(logits.shape(), logits.options());
  backend_of(logits).one_hot(labels, one_hot, "cross_entropy");
  const Tensor per_example = -(log_softmax(logits, 1) * one_hot).sum({1});
  if (!mask.defined()) {
    check(examples > 0, "cross_entropy: no examples to average over");
    return per_example.mean();
  }
  check(mask.dim() == 1 && mask.size(0) == examples, "cross_entropy: mask must be [", examples,
        "] (0 or 1 per example), got ", shape_str(mask.shape()));
  const Tensor weights = mask.detach().to(logits.dtype());
  const Tensor counted = maximum(weights.sum(), scalar_tensor(1.0, logits.options()));
  return (per_example * weights).sum() / counted;
}

// mean (prediction - target)^2
Tensor mse_loss(const Tensor& prediction, const Tensor& target) {
  check_floating("mse_loss", prediction);
  check_same_shape("mse_loss", prediction, target, "prediction", "target");
  return square(prediction - target).mean();
}

// mean |prediction - target|
Tensor l1_loss(const Tensor& prediction, const Tensor& target) {
  check_floating("l1_loss", prediction);
  check_same_shape("l1_loss", prediction, target, "prediction", "target");
  return abs(prediction - target).mean();
}

// Feature matching (Salimans et al. 2016, "Improved techniques for training
// GANs"): the generator matches the average discriminator features of a real
// batch instead of fooling the discriminator's output directly.
Tensor feature_matching_loss(const Tensor& real_features, const Tensor& fake_features, bool squared) {
  check_floating("feature_matching_loss", real_features);
  check_same_kind("feature_matching_loss", real_features, fake_features);
  check(real_features.dim() >= 2 && real_features.dim() == fake_features.dim(),
        "feature_matching_loss: expects features [N, ...] for both batches, got ", shape_str(real_features.shape()),
        " and ", shape_str(fake_features.shape()));
  for (int64_t d = 1; d < real_features.dim(); ++d)
    check(real_features.size(d) == fake_features.size(d), "feature_matching_loss: feature shapes differ (",
          shape_str(real_features.shape()), " and ", shape_str(fake_features.shape()), ")");
  const Tensor difference = batch_mean(real_features) - batch_mean(fake_features);  // global in data parallelism
  return squared ? square(difference).mean() : abs(difference).mean();
}

// The hinge loss of the hinge GAN (Lim & Ye 2017; Miyato et al. 2018's
// spectrally normalised GAN): mean max(0, 1 - y z) for labels y = +1 (real)
// or -1 (fake): a logit past the margin on its side costs nothing.
//   dL/dz = -y / N where y z < 1, else 0
Tensor hinge_loss(const Tensor& logits, double label) {
  check_floating("hinge_loss", logits);
  check(label == 1.0 || label == -1.0, "hinge_loss: the label must be +1 (real) or -1 (fake), got ", label);
  check(logits.numel() > 0, "hinge_loss: no logits to average over");
  return relu(1.0 - logits * label).mean();
}

}  // namespace gs::F
