// Matrix multiply through OpenBLAS, the only borrowed math in gradschool.
// Transposed operands are passed to BLAS as flags, never copied.
#include <omp.h>
#include <cblas.h>

#include <algorithm>

#include "tensor/cpu/cpu_backend.h"
#include "tensor/parallel.h"
#include "tensor/profile.h"

namespace gs::cpu {

namespace {

// C = alpha op(A) op(B) + beta C for one matrix, in one OpenBLAS call: the
// plain version, and the reference of the split below.
void blas_gemm(const GemmArgs& g, const float* a, const float* b, float* c) {
  cblas_sgemm(CblasRowMajor, g.transpose_a ? CblasTrans : CblasNoTrans, g.transpose_b ? CblasTrans : CblasNoTrans,
              g.m, g.n, g.k, static_cast<float>(g.alpha), a, g.lda, b, g.ldb, static_cast<float>(g.beta), c, g.ldc);
}
void blas_gemm(const GemmArgs& g, const double* a, const double* b, double* c) {
  cblas_dgemm(CblasRowMajor, g.transpose_a ? CblasTrans : CblasNoTrans, g.transpose_b ? CblasTrans : CblasNoTrans,
              g.m, g.n, g.k, g.alpha, a, g.lda, b, g.ldb, g.beta, c, g.ldc);
}

// Rows i of C take rows i of op(A); columns j of C take columns j of op(B).
// Each thread computes one block of them with a single-threaded OpenBLAS call
// (OpenBLAS's OpenMP build runs single-threaded inside a parallel region).
// Blocks are cut at multiples of 16, so that all but the last hold whole
// micro-tiles.
template <typename T>
void split_gemm(const GemmArgs& g, GemmSplit split, const T* a, const T* b, T* c) {
  const int64_t extent = split == GemmSplit::Rows ? g.m : g.n;
#pragma omp parallel
  {
    const int64_t parts = omp_get_num_threads(), part = omp_get_thread_num();
    const auto cut = [&](int64_t p) { return std::min(extent, (extent * p / parts + 15) / 16 * 16); };
    const int64_t begin = cut(part), end = cut(part + 1);
    if (begin < end) {
      GemmArgs block = g;
      if (split == GemmSplit::Rows) {
        block.m = end - begin;
        blas_gemm(block, a + (g.transpose_a ? begin : begin * g.lda), b, c + begin * g.ldc);
      } else {
        block.n = end - begin;
        blas_gemm(block, a, b + (g.transpose_b ? begin * g.ldb : begin), c + begin);
      }
    }
  }
}

template <typename T>
void gemm_on_host(const GemmArgs& g, const T* a, const T* b, T* c) {
  const GemmSplit split = gemm_split(g, num_threads());
  if (split != GemmSplit::None) return split_gemm(g, split, a, b, c);
  // Many small products (a batch of per-image GEMMs) run one per thread;
  // one big product lets OpenBLAS use all threads itself.
  const int64_t flops_each = g.m * g.n * g.k;
  const int64_t parallel_work = g.batch > 1 && flops_each < (int64_t(1) << 22) ? g.batch * flops_each : 0;
  parallel_for(g.batch, parallel_work,
               [&](int64_t i) { blas_gemm(g, a + i * g.stride_a, b + i * g.stride_b, c + i * g.stride_c); });
}

}  // namespace

GemmSplit gemm_split(const GemmArgs& g, int threads) {
  constexpr int64_t kMinSplitWork = int64_t(1) << 20;  // m n k: about 60 us on one core
  constexpr int64_t kMinRowsPerThread = 16;
  if (threads < 2 || g.batch != 1 || omp_in_parallel() || g.m * g.n * g.k < kMinSplitWork) return GemmSplit::None;
  // Splitting rows makes every thread pack all of op(B), splitting columns
  // all of op(A): columns only when they outnumber rows 4 to 1.
  const GemmSplit split = g.m * 4 >= g.n ? GemmSplit::Rows : GemmSplit::Columns;
  const int64_t extent = split == GemmSplit::Rows ? g.m : g.n;
  return extent >= kMinRowsPerThread * threads ? split : GemmSplit::None;
}

void host_gemm(const GemmArgs& g, const float* a, const float* b, float* c) { gemm_on_host(g, a, b, c); }
void host_gemm(const GemmArgs& g, const double* a, const double* b, double* c) { gemm_on_host(g, a, b, c); }

void CpuBackend::gemm(const GemmArgs& g, const Tensor& a, const Tensor& b, const Tensor& c) {
  ProfileScope scope("gemm");
  if (a.dtype() == DType::Float32) {
    host_gemm(g, a.data<float>(), b.data<float>(), c.data<float>());
  } else if (a.dtype() == DType::Float64) {
    host_gemm(g, a.data<double>(), b.data<double>(), c.data<double>());
  } else {
    fail("matmul: needs float32 or float64 tensors, got ", dtype_name(a.dtype()));
  }
}

}  // namespace gs::cpu
