// One-hot encoding of integer class labels: the gather that cross-entropy
// needs (sum_k onehot[i, k] * log_softmax[i, k] picks the true class's term).
#include "tensor/cpu/cpu_backend.h"

namespace gs::cpu {

void CpuBackend::one_hot(const Tensor& labels, const Tensor& out, const char* op) {
  check(labels.dtype() == DType::Int64, op, ": labels must be int64, got ", dtype_name(labels.dtype()));
  check(labels.dim() == 1 && out.dim() == 2 && out.size(0) == labels.size(0) && out.is_contiguous(), op,
        ": one_hot needs labels [N] and a contiguous output [N, K]");
  const int64_t rows = out.size(0), classes = out.size(1);
  const int64_t* label = labels.data<int64_t>();
  const int64_t label_stride = labels.stride(0);
  for (int64_t i = 0; i < rows; ++i) {
    const int64_t k = label[i * label_stride];
    check(k >= 0 && k < classes, op, ": label ", k, " of example ", i, " is outside [0, ", classes, ")");
  }
  dispatch_floating(out.dtype(), op, [&](auto zero) {
    using T = decltype(zero);
    T* o = out.data<T>();
    std::fill(o, o + rows * classes, T(0));
    for (int64_t i = 0; i < rows; ++i) o[i * classes + label[i * label_stride]] = T(1);
  });
}

}  // namespace gs::cpu
