// The CUDA implementation of the Backend interface: one instance per GPU
// (cuda:N), with one stream that every kernel, copy and cuBLAS call of that
// GPU is queued on, so they run in order and the host waits only where it
// reads a value (copy_to_host). Own kernels for everything but GEMM (cuBLAS);
// each kernel applies the formula of tensor/kernels/ that the CPU backend
// applies too, and lives in the file named like its CPU twin
// (tensor/cpu/im2col.cpp <-> tensor/cuda/im2col.cu).
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "tensor/backend.h"
#include "tensor/cuda/cuda_check.h"
#include "tensor/dispatch.h"
#include "tensor/distributed.h"

struct ncclComm;  // NCCL's communicator (nccl.h: typedef struct ncclComm* ncclComm_t)

namespace gs::cuda {

// Device memory for tensors without cudaMalloc/cudaFree in a training loop's
// steady state: a freed block goes to a free list of its (rounded) size, and
// the next request of that size takes it back. Memory returns to the driver
// only when cudaMalloc runs out (then every cached block is freed and the
// request retried).
class CachingAllocator {
 public:
  explicit CachingAllocator(int device) : device_(device) {}
  void* allocate(size_t bytes);
  void release(void* pointer);
  std::string summary() const;

  struct Statistics {
    size_t bytes_in_use = 0, peak_bytes_in_use = 0, bytes_cached = 0;
    long long device_allocations = 0;  // cudaMalloc calls
    long long reuses = 0;              // requests served from the cache
    long long device_frees = 0;        // cudaFree calls (only when memory ran out)
  };
  Statistics statistics() const;

 private:
  int device_;
  mutable std::mutex mutex_;
  std::map<size_t, std::vector<void*>> free_blocks_;  // rounded size -> cached blocks
  std::unordered_map<void*, size_t> block_sizes_;     // every block, in use or cached
  Statistics stats_;
};

class CudaBackend final : public Backend {
 public:
  explicit CudaBackend(int device);
  int device() const { return device_; }
  const CachingAllocator& allocator() const { return allocator_; }

  void* allocate(size_t bytes) override;
  void deallocate(void* pointer) override;
  void copy_to_host(const void* device_src, void* host_dst, size_t bytes) override;
  void copy_from_host(const void* host_src, void* device_dst, size_t bytes) override;
  std::string memory_summary() override;

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

  void im2col(const Tensor& image, const Tensor& columns, const ConvGeometry& geometry) override;
  void col2im(const Tensor& columns, const Tensor& image, const ConvGeometry& geometry) override;
  void one_hot(const Tensor& labels, const Tensor& out, const char* op) override;
  void batch_norm_forward(const Tensor& x, const Tensor& gamma, const Tensor& beta, double eps, const Tensor& y,
                          const Tensor& mean, const Tensor& variance, const Tensor& inverse_std) override;
  void batch_norm_backward(const Tensor& grad, const Tensor& x, const Tensor& mean, const Tensor& inverse_std,
                           const Tensor& gamma, const Tensor& grad_x, const Tensor& grad_gamma,
                           const Tensor& grad_beta) override;
  void sgd_update(const Tensor& param, const Tensor& grad, const Tensor& momentum_buffer,
                  const SgdUpdate& update) override;
  void adam_update(const Tensor& param, const Tensor& grad, const Tensor& exp_avg, const Tensor& exp_avg_sq,
                   const AdamUpdate& update) override;

  // Across the ranks of `group`, in place on this GPU through NCCL, on this
  // backend's stream (tensor/cuda/collectives.cu; built when NCCL is found).
  void all_reduce_sum(const Tensor& t, ProcessGroup& group);
  void broadcast(const Tensor& t, int root, ProcessGroup& group);

 private:
  // The NCCL communicator of this GPU's rank, set up on first use.
  ncclComm* communicator(ProcessGroup& group);
  // Makes this backend's GPU current for the calls of one entry.
  class DeviceGuard {
   public:
    explicit DeviceGuard(int device);
  };
  // Blocks for a grid-stride loop over `work` items (at least 1, at most a few per multiprocessor).
  int64_t grid_size(int64_t work) const;
  // Checks that every defined tensor lives on this GPU (a mixed-device call is a gs::Error).
  void check_on_device(const char* op, std::initializer_list<const Tensor*> tensors) const;

  int device_;
  int max_blocks_ = 1;
  cudaStream_t stream_ = nullptr;
  cublasHandle_t blas_ = nullptr;
  ncclComm* nccl_ = nullptr;
  CachingAllocator allocator_;
};

// The address of element 0 of t (its storage plus its offset) on the device.
template <typename T>
T* device_data(const Tensor& t) {
  check(t.dtype() == dtype_of<T>::value, "cuda kernel: expected a ", dtype_name(dtype_of<T>::value),
        " tensor, got ", dtype_name(t.dtype()));
  return static_cast<T*>(t.storage()->data()) + t.offset();
}

}  // namespace gs::cuda
