#include "nn/metrics.h"

#include <cmath>

#include "autograd/ops.h"

extern "C" void dsyevd_(const char* jobz, const char* uplo, const int* n, double* a, const int* lda, double* w,
                        double* work, const int* lwork, int* iwork, const int* liwork, int* info);

namespace gs::metrics {
namespace {

void check_matrix(const Tensor& t, const char* op) {
  check(t.dim() == 2, op, ": expects a 2-D tensor, got shape ", shape_str(t.shape()));
}

Tensor as_matrix(const Tensor& t, const char* op) {
  check_matrix(t, op);
  return t.detach().to(Device::cpu()).to(kFloat64).contiguous();
}

// S^(1/2) = V diag(sqrt(max(l, 0))) V^T; tiny negative eigenvalues from
// rounding are clipped to 0 (a covariance is positive semi-definite).
Tensor sqrt_psd(const Tensor& matrix) {
  SymmetricEigen e = symmetric_eigen(matrix);
  Tensor root = sqrt(clamp(e.values, 0.0, INFINITY));
  return matmul(e.vectors * root, e.vectors.t());
}

// -sum_k p log p over each row, with 0 log 0 = 0.
Tensor row_entropies(const Tensor& p) { return -sum(p * log(p + 1e-12), {1}); }

double trace(const Tensor& square_matrix) {
  const int64_t n = square_matrix.size(0);
  return sum(square_matrix.reshape({n * n}).slice(0, 0, n * n, n + 1)).item();  // every (n+1)-th element
}

}  // namespace

// IS = exp(mean_x sum_k p(k|x) (log p(k|x) - log p(k))),  p(k) = mean_x p(k|x)
//    = exp(H(y) - E_x H(y|x))  (the mean over x of -sum_k p(k|x) log p(k) is H(y))
double inception_score(const Tensor& probabilities) {
  check_matrix(probabilities, "inception_score");
  return std::exp(class_entropy(probabilities) - sample_entropy(probabilities));
}

double class_entropy(const Tensor& probabilities) {
  return row_entropies(mean(as_matrix(probabilities, "class_entropy"), {0}, true)).item();
}

double sample_entropy(const Tensor& probabilities) {
  return mean(row_entropies(as_matrix(probabilities, "sample_entropy"))).item();
}

double confident_fraction(const Tensor& probabilities, double threshold) {
  Tensor p = as_matrix(probabilities, "confident_fraction");
  int64_t confident = 0;
  for (double largest : max(p, {1}).to_vector<double>()) confident += largest >= threshold;
  return static_cast<double>(confident) / static_cast<double>(p.size(0));
}

std::vector<int64_t> class_histogram(const Tensor& probabilities) {
  Tensor p = as_matrix(probabilities, "class_histogram");
  std::vector<int64_t> counts(p.size(1), 0);
  for (int64_t k : argmax(p, 1).to_vector<int64_t>()) ++counts[k];
  return counts;
}

Gaussian fit_gaussian(const Tensor& features) {
  Tensor x = as_matrix(features, "fit_gaussian");
  check(x.size(0) >= 2, "fit_gaussian: needs at least 2 samples, got ", x.size(0));
  Tensor mu = mean(x, {0});
  Tensor centered = x - mu;
  Tensor covariance = matmul(centered.t(), centered) / static_cast<double>(x.size(0) - 1);
  return {mu, covariance};
}

double frechet_distance(const Gaussian& a, const Gaussian& b) {
  check(a.mean.shape() == b.mean.shape(), "frechet_distance: feature sizes differ (", shape_str(a.mean.shape()),
        " and ", shape_str(b.mean.shape()), ")");
  const double mean_term = sum(square(a.mean - b.mean)).item();
  Tensor root_a = sqrt_psd(a.covariance);
  Tensor middle = matmul(matmul(root_a, b.covariance), root_a);
  middle = (middle + middle.t()) * 0.5;  // symmetric up to rounding; make it exactly so
  const double cross = sum(sqrt(clamp(symmetric_eigen(middle).values, 0.0, INFINITY))).item();
  return mean_term + trace(a.covariance) + trace(b.covariance) - 2 * cross;
}

SymmetricEigen symmetric_eigen(const Tensor& matrix) {
  Tensor a = as_matrix(matrix, "symmetric_eigen");
  check(a.size(0) == a.size(1), "symmetric_eigen: matrix must be square, got ", shape_str(a.shape()));
  const int n = static_cast<int>(a.size(0));
  // LAPACK is column-major; a symmetric matrix is its own transpose, so the
  // row-major buffer can be passed as is. The eigenvectors come back as the
  // columns of the column-major result, i.e. the rows of our buffer.
  Tensor work_matrix = a.clone();
  Tensor values = empty({n}, kFloat64);
  int info = 0, lwork = -1, liwork = -1, iwork_size = 0;
  double work_size = 0;
  dsyevd_("V", "U", &n, work_matrix.data<double>(), &n, values.data<double>(), &work_size, &lwork, &iwork_size,
          &liwork, &info);
  lwork = static_cast<int>(work_size);
  liwork = iwork_size;
  std::vector<double> work(std::max(lwork, 1));
  std::vector<int> iwork(std::max(liwork, 1));
  dsyevd_("V", "U", &n, work_matrix.data<double>(), &n, values.data<double>(), work.data(), &lwork, iwork.data(),
          &liwork, &info);
  check(info == 0, "symmetric_eigen: LAPACK dsyevd failed to converge (info = ", info, ")");
  return {values, work_matrix.t().contiguous()};
}

}  // namespace gs::metrics
