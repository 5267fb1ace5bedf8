// The semi-supervised GAN's losses (Salimans, Goodfellow, Zaremba, Cheung,
// Radford, Chen 2016, "Improved Techniques for Training GANs", section 5).
//
// The discriminator is a K-class classifier with logits l(x) = (l_1 .. l_K).
// A generated image is an extra class K+1, so the classifier really has K+1
// outputs and
//   p(fake | x) = exp(l_{K+1}) / (exp(l_{K+1}) + sum_k exp(l_k)).
// Adding the same number c to all K+1 logits leaves every softmax probability
// unchanged, so one logit is redundant: fix l_{K+1}(x) = 0. Then, with
// Z(x) = sum_k exp(l_k(x)),
//   D(x) = p(real | x) = Z(x) / (Z(x) + 1) = sigmoid(log Z(x)) = sigmoid(logsumexp(l(x))).
// The real/fake logit is logsumexp(l(x)); it is computed as
// m + log sum exp(l - m), m = max_k l_k, so no exp overflows.
//
// Three sources of data feed the discriminator in every iteration:
//  - labeled images: cross-entropy of the K-class softmax against the label;
//  - unlabeled real images: -log D(x), the sigmoid cross-entropy of
//    logsumexp(l(x)) against target 1 (or a smoothed 0.9);
//  - generated images: -log(1 - D(G(z))), the same against target 0.
// The generator is not trained to fool D's output but to match the batch mean
// of D's intermediate features on real data (feature matching, F::feature_matching_loss).
#pragma once
#include "nn/functional.h"

namespace gs::F {

// logsumexp over the class logits [N, K] -> [N]: log Z(x), the logit of
// D(x) = p(real | x) when the fake class's logit is fixed at 0.
Tensor real_fake_logit(const Tensor& class_logits);

struct SemiSupervisedLossOptions {
  double real_target = 1.0;  // one-sided label smoothing sets e.g. 0.9
  // Weight of the unsupervised part. The paper's code writes it as
  // 0.5 * (-log D(x) - log(1 - D(G(z)))), i.e. 0.5; the blog post uses 1.
  double unsupervised_weight = 0.5;
};

struct DiscriminatorLoss {
  Tensor supervised;           // cross-entropy on the labeled examples (0 when there are none)
  Tensor unsupervised_real;    // mean -log D(x) on the unlabeled real images
  Tensor unsupervised_fake;    // mean -log(1 - D(G(z))) on the generated images
  Tensor total;                // supervised + weight * (unsupervised_real + unsupervised_fake)
};

// labeled_logits [N_l, K] with labels [N_l] and labeled_mask [N_l] (0/1; may
// be undefined = all labeled; an all-zero mask gives a supervised loss of 0);
// unlabeled_logits [N_u, K]; generated_logits [N_g, K].
DiscriminatorLoss semi_supervised_discriminator_loss(const Tensor& labeled_logits, const Tensor& labels,
                                                     const Tensor& labeled_mask, const Tensor& unlabeled_logits,
                                                     const Tensor& generated_logits,
                                                     const SemiSupervisedLossOptions& options = {});

// The unsupervised loss exactly as the paper's code writes it, in softplus form:
//   -0.5 mean(lse(l(x))) + 0.5 mean(softplus(lse(l(x)))) + 0.5 mean(softplus(lse(l(G(z)))))
// Since -log sigmoid(a) = softplus(a) - a and -log(1 - sigmoid(a)) = softplus(a),
// it is 0.5 x (unsupervised_real + unsupervised_fake) above (a test checks it).
Tensor paper_unsupervised_loss(const Tensor& unlabeled_logits, const Tensor& generated_logits);

}  // namespace gs::F
