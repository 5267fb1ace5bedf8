#include "nn/minibatch_discrimination.h"

#include "nn/data_parallel.h"
#include "nn/functional.h"
#include "nn/init.h"

namespace gs::nn {

Tensor minibatch_discrimination(const Tensor& x, const Tensor& T, int64_t kernels) {
  check(x.dim() == 2 && T.dim() == 2 && x.size(1) == T.size(0) && kernels > 0 && T.size(1) % kernels == 0,
        "minibatch_discrimination: expects x [N, A] and T [A, kernels * C], got x ", shape_str(x.shape()), ", T ",
        shape_str(T.shape()), " and ", kernels, " kernels");
  const int64_t n = x.size(0), kernel_dims = T.size(1) / kernels;
  Tensor m = matmul(x, T).reshape({n, kernels, kernel_dims});
  // Under data parallelism the others j are the global batch's rows: every rank's M.
  ProcessGroup* group = global_batch_group();
  const Tensor others = group ? F::all_gather_rows(m, *group) : m;
  // distance[i][j][b] = sum_c |M[i][b][c] - M[j][b][c]|, by broadcasting [n, 1, B, C] against [1, N, B, C].
  Tensor distance = sum(abs(m.unsqueeze(1) - others.unsqueeze(0)), {3});
  // Each sample's distance to itself is exactly 0, so the sum over all j holds
  // an exp(0) = 1 that the paper's sum over j != i leaves out.
  Tensor closeness = sum(exp(-distance), {1}) - 1.0;
  return cat({x, closeness}, 1);
}

MinibatchDiscrimination::MinibatchDiscrimination(int64_t in_features_, int64_t kernels_, int64_t kernel_dims_,
                                                 Generator& gen)
    : in_features(in_features_), kernels(kernels_), kernel_dims(kernel_dims_) {
  check(in_features > 0 && kernels > 0 && kernel_dims > 0,
        "MinibatchDiscrimination: sizes must be positive, got in_features ", in_features, ", kernels ", kernels,
        ", kernel_dims ", kernel_dims);
  weight = register_parameter("weight", empty({in_features, kernels * kernel_dims}));
  init::dcgan_normal_(weight, gen);
}

Tensor MinibatchDiscrimination::forward(const Tensor& input) {
  return minibatch_discrimination(input, weight, kernels);
}

}  // namespace gs::nn
