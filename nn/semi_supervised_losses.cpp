#include "nn/semi_supervised_losses.h"

namespace gs::F {
namespace {

void check_class_logits(const char* what, const Tensor& logits) {
  check(logits.defined() && logits.dim() == 2, "semi_supervised_discriminator_loss: ", what,
        " must be class logits [N, K], got ", logits.defined() ? shape_str(logits.shape()) : "an undefined tensor");
}

}  // namespace

Tensor real_fake_logit(const Tensor& class_logits) {
  check(class_logits.dim() == 2, "real_fake_logit: expects class logits [N, K], got ",
        shape_str(class_logits.shape()));
  return logsumexp(class_logits, 1);
}

DiscriminatorLoss semi_supervised_discriminator_loss(const Tensor& labeled_logits, const Tensor& labels,
                                                     const Tensor& labeled_mask, const Tensor& unlabeled_logits,
                                                     const Tensor& generated_logits,
                                                     const SemiSupervisedLossOptions& options) {
  check_class_logits("labeled_logits", labeled_logits);
  check_class_logits("unlabeled_logits", unlabeled_logits);
  check_class_logits("generated_logits", generated_logits);
  check(unlabeled_logits.size(1) == labeled_logits.size(1) && generated_logits.size(1) == labeled_logits.size(1),
        "semi_supervised_discriminator_loss: the three batches must have the same number of classes, got ",
        labeled_logits.size(1), ", ", unlabeled_logits.size(1), " and ", generated_logits.size(1));
  check(options.real_target > 0.0 && options.real_target <= 1.0,
        "semi_supervised_discriminator_loss: real_target must be in (0, 1], got ", options.real_target);
  DiscriminatorLoss loss;
  loss.supervised = cross_entropy(labeled_logits, labels, labeled_mask);
  const Tensor real_logit = real_fake_logit(unlabeled_logits), fake_logit = real_fake_logit(generated_logits);
  loss.unsupervised_real = binary_cross_entropy_with_logits(real_logit, full_like(real_logit, options.real_target));
  loss.unsupervised_fake = binary_cross_entropy_with_logits(fake_logit, zeros_like(fake_logit));
  loss.total = loss.supervised + (loss.unsupervised_real + loss.unsupervised_fake) * options.unsupervised_weight;
  return loss;
}

Tensor paper_unsupervised_loss(const Tensor& unlabeled_logits, const Tensor& generated_logits) {
  const Tensor real_logit = real_fake_logit(unlabeled_logits), fake_logit = real_fake_logit(generated_logits);
  return mean(real_logit) * -0.5 + mean(softplus(real_logit)) * 0.5 + mean(softplus(fake_logit)) * 0.5;
}

}  // namespace gs::F
