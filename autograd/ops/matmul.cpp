// Matrix products through the backend's GEMM (OpenBLAS on the CPU).
// A transposed view is handed to BLAS as a transpose flag with its leading
// dimension, so a.t() costs nothing; only irregular views are copied.
#include "autograd/node.h"
#include "autograd/ops.h"
#include "autograd/ops/op_helpers.h"

namespace gs {
namespace {

// How BLAS should read the last two dims of a (possibly batched) tensor.
struct BlasOperand {
  Tensor memory;  // a view whose first element is where BLAS starts reading
  bool transposed = false;
  int64_t leading_dim = 0;
  int64_t batch_stride = 0;
};

BlasOperand blas_operand(const Tensor& t) {
  const int64_t rows = t.size(-2), cols = t.size(-1);
  const int64_t row_stride = t.stride(-2), col_stride = t.stride(-1);
  const int64_t batch_stride = t.dim() == 3 ? t.stride(0) : 0;
  if (col_stride == 1 && row_stride >= std::max<int64_t>(cols, 1)) return {t, false, row_stride, batch_stride};
  if (row_stride == 1 && col_stride >= std::max<int64_t>(rows, 1)) return {t, true, col_stride, batch_stride};
  Tensor copy = t.contiguous();
  return {copy, false, std::max<int64_t>(cols, 1), t.dim() == 3 ? rows * cols : 0};
}

// x y, laid out like `operand` (the input it is the gradient of): a 2-D
// operand that is a transposed view (a linear layer's W^T) gets (y^T x^T)^T,
// a transposed view too, so the gradient that reaches W is contiguous
// instead of a strided copy away.
Tensor product_laid_out_like(const Tensor& x, const Tensor& y, const Tensor& operand) {
  const bool transposed_view = operand.dim() == 2 && x.dim() == 2 && y.dim() == 2 && operand.stride(0) == 1 &&
                               operand.size(0) > 1 && operand.stride(1) >= operand.size(0);
  return transposed_view ? matmul(y.t(), x.t()).t() : matmul(x, y);
}

}  // namespace

// Y = A B;  dA = dY B^T,  dB = A^T dY  (batched: per matrix; a 2-D operand
// shared by a batch gets the sum of its per-matrix gradients)
Tensor matmul(const Tensor& a, const Tensor& b) {
  check_same_kind("matmul", a, b);
  check_floating("matmul", a);
  check(a.dim() >= 2 && a.dim() <= 3 && b.dim() >= 2 && b.dim() <= 3, "matmul: expects 2-D or 3-D tensors, got ",
        shape_str(a.shape()), " and ", shape_str(b.shape()));
  check(a.size(-1) == b.size(-2), "matmul: shapes ", shape_str(a.shape()), " and ", shape_str(b.shape()),
        " cannot be multiplied (", a.size(-1), " columns vs ", b.size(-2), " rows)");
  const int64_t batch = a.dim() == 3 ? a.size(0) : (b.dim() == 3 ? b.size(0) : 1);
  check(a.dim() == 2 || b.dim() == 2 || a.size(0) == b.size(0), "matmul: batch sizes differ in ",
        shape_str(a.shape()), " and ", shape_str(b.shape()));
  const int64_t m = a.size(-2), k = a.size(-1), n = b.size(-1);
  Shape out_shape = (a.dim() == 3 || b.dim() == 3) ? Shape{batch, m, n} : Shape{m, n};
  Tensor out = empty(out_shape, a.options());
  if (m * n > 0) {
    if (k == 0) {
      out.zero_();
    } else {
      BlasOperand pa = blas_operand(a.detach()), pb = blas_operand(b.detach());
      GemmArgs args;
      args.transpose_a = pa.transposed;
      args.transpose_b = pb.transposed;
      args.m = m; args.n = n; args.k = k;
      args.lda = pa.leading_dim; args.ldb = pb.leading_dim; args.ldc = n;
      args.batch = batch;
      args.stride_a = pa.batch_stride; args.stride_b = pb.batch_stride; args.stride_c = m * n;
      backend_of(a).gemm(args, pa.memory, pb.memory, out);
    }
  }
  record(out, "matmul", {a, b}, [a = a.detach(), b = b.detach(), ga = a.requires_grad(), gb = b.requires_grad()](
                                    const Tensor& g) {
    Tensor da = ga ? sum_to(product_laid_out_like(g, b.transpose(-1, -2), a), a.shape()) : Tensor();
    Tensor db = gb ? sum_to(product_laid_out_like(a.transpose(-1, -2), g, b), b.shape()) : Tensor();
    return std::vector<Tensor>{da, db};
  });
  return out;
}

Tensor bmm(const Tensor& a, const Tensor& b) {
  check(a.dim() == 3 && b.dim() == 3, "bmm: expects two 3-D tensors, got ", shape_str(a.shape()), " and ",
        shape_str(b.shape()));
  return matmul(a, b);
}

Tensor Tensor::matmul(const Tensor& other) const { return gs::matmul(*this, other); }

}  // namespace gs
