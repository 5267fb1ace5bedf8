// Measuring a generator with a classifier (tutorials/07-evaluating-gans):
//  - the Inception-style score exp(E_x KL(p(y|x) || p(y))) of Salimans et al.
//    (2016): high when each sample is classified confidently (low entropy of
//    p(y|x)) AND the classes are balanced (high entropy of p(y));
//  - the histogram of predicted classes (mode coverage);
//  - the Frechet distance between Gaussian fits of features (Heusel et al.
//    2017, "FID"), here in the feature space of our own MNIST classifier.
#pragma once
#include <vector>

#include "tensor/tensor.h"

namespace gs::metrics {

// probabilities [N, K], rows summing to 1.
double inception_score(const Tensor& probabilities);
std::vector<int64_t> class_histogram(const Tensor& probabilities);

// The score's two entropies (in nats): score = exp(H(y) - E_x H(y|x)), since
// E_x KL(p(y|x) || p(y)) = E_x sum_y p(y|x) log p(y|x) - sum_y p(y) log p(y).
double class_entropy(const Tensor& probabilities);   // H(y) of the mean p(y); ln K when balanced
double sample_entropy(const Tensor& probabilities);  // E_x H(y|x); 0 when every row is one-hot
// The fraction of rows whose largest probability is at least `threshold`.
double confident_fraction(const Tensor& probabilities, double threshold);

struct Gaussian {
  Tensor mean;        // [D], float64
  Tensor covariance;  // [D, D], float64, unbiased
};
Gaussian fit_gaussian(const Tensor& features);  // features [N, D], N >= 2

// |mu1 - mu2|^2 + Tr(S1 + S2 - 2 (S1^1/2 S2 S1^1/2)^1/2)
double frechet_distance(const Gaussian& a, const Gaussian& b);

// Eigenvalues (ascending) and eigenvectors (columns) of a symmetric matrix,
// through LAPACK's dsyevd.
struct SymmetricEigen {
  Tensor values;   // [D]
  Tensor vectors;  // [D, D], column i belongs to values[i]
};
SymmetricEigen symmetric_eigen(const Tensor& matrix);

}  // namespace gs::metrics
