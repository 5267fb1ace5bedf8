// The CPU implementation of the Backend interface: plain loops over strided
// memory (tensor/cpu/strided_loop.h), OpenMP threads, and OpenBLAS for GEMM.
#pragma once
#include "tensor/backend.h"
#include "tensor/dispatch.h"

namespace gs::cpu {

// The elements of an optional tensor argument, or nullptr where it is undefined.
template <typename T>
T* data_or_null(const Tensor& t) {
  return t.defined() ? t.data<T>() : nullptr;
}

// How one product (batch 1) is shared between `threads` cores. On a 2-core
// AMD EPYC, OpenBLAS's own threading ran the products of a 100-row batch
// against 250-1000 columns 0.85-1.85x faster than one thread (median 1.47x);
// one block of C's rows (or columns) per thread, each a single-threaded GEMM,
// 1.2-2.0x (median 1.83x), and as fast as OpenBLAS on the big convolution
// products. None: OpenBLAS decides (batches, small products, calls from
// inside a parallel loop).
enum class GemmSplit { None, Rows, Columns };
GemmSplit gemm_split(const GemmArgs& args, int threads);

// The CPU's products on row-major host memory, split as above. The tests'
// emulated cuBLAS multiplies through them too, so that the CPU and the
// emulated GPU round every product alike.
void host_gemm(const GemmArgs& args, const float* a, const float* b, float* c);
void host_gemm(const GemmArgs& args, const double* a, const double* b, double* c);

class CpuBackend final : public Backend {
 public:
  CpuBackend();
  void* allocate(size_t bytes) override;
  void deallocate(void* pointer) override;
  void copy_to_host(const void* device_src, void* host_dst, size_t bytes) override;
  void copy_from_host(const void* host_src, void* device_dst, size_t bytes) override;

  void copy(const Tensor& in, const Tensor& out) override;
  void fill(const Tensor& out, double value) override;
  void arange(const Tensor& out, double start, double step) override;
  void unary(UnaryOp op, const Tensor& in, const Tensor& out, UnaryParams params) override;
  void unary_backward(UnaryOp op, const Tensor& in, const Tensor& out, const Tensor& grad_out,
                      const Tensor& grad_in, UnaryParams params) override;
  void binary(BinaryOp op, const Tensor& a, const Tensor& b, const Tensor& out) override;
  void where(const Tensor& condition, const Tensor& a, const Tensor& b, const Tensor& out) override;
  void reduce(ReduceOp op, const Tensor& in, const std::vector<bool>& reduce_dims, const Tensor& out) override;
  void gemm(const GemmArgs& args, const Tensor& a, const Tensor& b, const Tensor& c) override;
  void random(RandomKind kind, const Tensor& out, uint64_t seed, uint64_t offset, double a, double b) override;

  // ---- kernels of the nn ops (convolution, normalisation, losses) ----
  void im2col(const Tensor& image, const Tensor& columns, const ConvGeometry& geometry) override;
  void col2im(const Tensor& columns, const Tensor& image, const ConvGeometry& geometry) override;
  void one_hot(const Tensor& labels, const Tensor& out, const char* op) override;
  void batch_norm_forward(const Tensor& x, const Tensor& gamma, const Tensor& beta, double eps, const Tensor& y,
                          const Tensor& mean, const Tensor& variance, const Tensor& inverse_std) override;
  void batch_norm_backward(const Tensor& grad, const Tensor& x, const Tensor& mean, const Tensor& inverse_std,
                           const Tensor& gamma, const Tensor& grad_x, const Tensor& grad_gamma,
                           const Tensor& grad_beta) override;

  void weight_norm_forward(const Tensor& v, const Tensor& g, const Tensor& w, const Tensor& norm) override;
  void weight_norm_backward(const Tensor& grad_w, const Tensor& v, const Tensor& g, const Tensor& norm,
                            const Tensor& grad_v, const Tensor& grad_g) override;

  // ---- optimizer update kernels ----
  void sgd_update(const Tensor& param, const Tensor& grad, const Tensor& momentum_buffer,
                  const SgdUpdate& update) override;
  void adam_update(const Tensor& param, const Tensor& grad, const Tensor& exp_avg, const Tensor& exp_avg_sq,
                   const AdamUpdate& update) override;
};

}  // namespace gs::cpu
