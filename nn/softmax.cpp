// The softmax family along one dim.
#include "autograd/ops.h"
#include "autograd/ops/op_helpers.h"
#include "nn/functional.h"

namespace gs::F {

// logsumexp(x) = m + log(sum_i exp(x_i - m)) with m = max_i x_i.
// Mathematically any m gives the same value; the max makes every exponent
// <= 0, so exp never overflows (exp(1000) is inf in float64) and the largest
// term is exactly 1, so the log never sees 0. m is held constant (detached):
// the result does not depend on it, and d/dx_i = softmax(x)_i comes out of
// the exp/sum/log chain.
Tensor logsumexp(const Tensor& x, int64_t dim, bool keepdim) {
  check_floating("logsumexp", x);
  const int64_t d = wrap_dim(dim, x.dim(), "logsumexp");
  check(x.size(d) > 0, "logsumexp: dim ", d, " of shape ", shape_str(x.shape()), " is empty");
  const Tensor shift = max(x.detach(), {d}, true);
  Tensor out = log(sum(exp(x - shift), {d}, true)) + shift;
  return keepdim ? out : out.squeeze(d);
}

// log softmax(x)_i = x_i - logsumexp(x): stable where log(softmax) is not
// (softmax underflows to 0 for very negative logits).
Tensor log_softmax(const Tensor& x, int64_t dim) { return x - logsumexp(x, dim, true); }

// softmax(x)_i = exp(x_i) / sum_j exp(x_j) = exp(log_softmax(x)_i)
Tensor softmax(const Tensor& x, int64_t dim) { return exp(log_softmax(x, dim)); }

}  // namespace gs::F
