// Matrix multiply through cuBLAS, the only borrowed math on the GPU.
// gradschool's matrices are row-major, cuBLAS's column-major. A row-major
// m x n matrix C is, read column-major, the n x m matrix C^T; and
//   C = op(A) op(B)   <=>   C^T = op(B)^T op(A)^T,
// so cuBLAS computes C^T with the operands swapped, each with its own
// transpose flag and leading dimension: no data is moved or transposed.
#include <climits>

#include "tensor/cuda/cuda_backend.h"

namespace gs::cuda {
namespace {

int as_int(int64_t value, const char* what) {
  check(value >= 0 && value <= INT_MAX, "matmul on CUDA: ", what, " = ", value, " does not fit cuBLAS's int");
  return static_cast<int>(value);
}

// cuBLAS's single and double precision calls under one name each.
cublasStatus_t cublas_gemm(cublasHandle_t h, cublasOperation_t ta, cublasOperation_t tb, int m, int n, int k,
                           const float* alpha, const float* a, int lda, const float* b, int ldb, const float* beta,
                           float* c, int ldc) {
  return cublasSgemm(h, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
cublasStatus_t cublas_gemm(cublasHandle_t h, cublasOperation_t ta, cublasOperation_t tb, int m, int n, int k,
                           const double* alpha, const double* a, int lda, const double* b, int ldb, const double* beta,
                           double* c, int ldc) {
  return cublasDgemm(h, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
cublasStatus_t cublas_gemm_batched(cublasHandle_t h, cublasOperation_t ta, cublasOperation_t tb, int m, int n, int k,
                                   const float* alpha, const float* a, int lda, long long stride_a, const float* b,
                                   int ldb, long long stride_b, const float* beta, float* c, int ldc,
                                   long long stride_c, int batch) {
  return cublasSgemmStridedBatched(h, ta, tb, m, n, k, alpha, a, lda, stride_a, b, ldb, stride_b, beta, c, ldc,
                                   stride_c, batch);
}
cublasStatus_t cublas_gemm_batched(cublasHandle_t h, cublasOperation_t ta, cublasOperation_t tb, int m, int n, int k,
                                   const double* alpha, const double* a, int lda, long long stride_a, const double* b,
                                   int ldb, long long stride_b, const double* beta, double* c, int ldc,
                                   long long stride_c, int batch) {
  return cublasDgemmStridedBatched(h, ta, tb, m, n, k, alpha, a, lda, stride_a, b, ldb, stride_b, beta, c, ldc,
                                   stride_c, batch);
}

}  // namespace

void CudaBackend::gemm(const GemmArgs& g, const Tensor& a, const Tensor& b, const Tensor& c) {
  check_on_device("matmul", {&a, &b, &c});
  const DeviceGuard guard(device_);
  const cublasOperation_t op_a = g.transpose_a ? CUBLAS_OP_T : CUBLAS_OP_N;
  const cublasOperation_t op_b = g.transpose_b ? CUBLAS_OP_T : CUBLAS_OP_N;
  const int m = as_int(g.m, "m"), n = as_int(g.n, "n"), k = as_int(g.k, "k");
  const int lda = as_int(g.lda, "lda"), ldb = as_int(g.ldb, "ldb"), ldc = as_int(g.ldc, "ldc");
  const int batch = as_int(g.batch, "batch");
  dispatch_floating(a.dtype(), "matmul", [&](auto zero) {
    using T = decltype(zero);
    const T alpha = static_cast<T>(g.alpha), beta = static_cast<T>(g.beta);
    const T *pa = device_data<T>(a), *pb = device_data<T>(b);
    T* pc = device_data<T>(c);
    // C^T (n x m) = op(B)^T (n x k) op(A)^T (k x m): B first
    if (batch == 1) {
      GS_CUBLAS_CHECK(cublas_gemm(blas_, op_b, op_a, n, m, k, &alpha, pb, ldb, pa, lda, &beta, pc, ldc));
    } else {
      GS_CUBLAS_CHECK(cublas_gemm_batched(blas_, op_b, op_a, n, m, k, &alpha, pb, ldb, g.stride_b, pa, lda, g.stride_a,
                                          &beta, pc, ldc, g.stride_c, batch));
    }
  });
}

}  // namespace gs::cuda
