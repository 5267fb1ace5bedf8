// Matrix multiply through OpenBLAS, the only borrowed math in gradschool.
// Transposed operands are passed to BLAS as flags, never copied.
#include <cblas.h>

#include "tensor/cpu/cpu_backend.h"
#include "tensor/profile.h"
#include "tensor/parallel.h"

namespace gs::cpu {

void CpuBackend::gemm(const GemmArgs& g, const Tensor& a, const Tensor& b, const Tensor& c) {
  ProfileScope scope("gemm");
  const CBLAS_TRANSPOSE ta = g.transpose_a ? CblasTrans : CblasNoTrans;
  const CBLAS_TRANSPOSE tb = g.transpose_b ? CblasTrans : CblasNoTrans;
  // Many small products (a batch of per-image GEMMs) run one per thread;
  // one big product lets OpenBLAS use all threads itself.
  const int64_t flops_each = g.m * g.n * g.k;
  const int64_t parallel_work = g.batch > 1 && flops_each < (int64_t(1) << 22) ? g.batch * flops_each : 0;
  if (a.dtype() == DType::Float32) {
    const float* pa = a.data<float>();
    const float* pb = b.data<float>();
    float* pc = c.data<float>();
    parallel_for(g.batch, parallel_work, [&](int64_t i) {
      cblas_sgemm(CblasRowMajor, ta, tb, g.m, g.n, g.k, static_cast<float>(g.alpha), pa + i * g.stride_a, g.lda,
                  pb + i * g.stride_b, g.ldb, static_cast<float>(g.beta), pc + i * g.stride_c, g.ldc);
    });
  } else if (a.dtype() == DType::Float64) {
    const double* pa = a.data<double>();
    const double* pb = b.data<double>();
    double* pc = c.data<double>();
    parallel_for(g.batch, parallel_work, [&](int64_t i) {
      cblas_dgemm(CblasRowMajor, ta, tb, g.m, g.n, g.k, g.alpha, pa + i * g.stride_a, g.lda, pb + i * g.stride_b,
                  g.ldb, g.beta, pc + i * g.stride_c, g.ldc);
    });
  } else {
    fail("matmul: needs float32 or float64 tensors, got ", dtype_name(a.dtype()));
  }
}

}  // namespace gs::cpu
