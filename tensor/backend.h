// The device-aware kernel interface. Every op (autograd/ops, nn/) computes
// shapes and checks arguments on the host, then calls backend(device).kernel(...).
// The CPU backend is tensor/cpu/; the CUDA backend (tensor/cuda/) implements
// the same interface, so callers never know which device they run on.
//
// Conventions for all kernels: tensors are already allocated by the caller,
// all on the backend's device, with equal dtypes unless stated; an input may be
// any strided view (a stride of 0 broadcasts); `out` may be strided too.
#pragma once
#include <cstdint>
#include <string>

#include "tensor/kernels/kernel_args.h"
#include "tensor/tensor.h"

namespace gs {

class Backend {
 public:
  virtual ~Backend() = default;

  // memory
  virtual void* allocate(size_t bytes) = 0;
  virtual void deallocate(void* pointer) = 0;
  // Copies bytes between host memory and this device's memory.
  virtual void copy_to_host(const void* device_src, void* host_dst, size_t bytes) = 0;
  virtual void copy_from_host(const void* host_src, void* device_dst, size_t bytes) = 0;
  // What the device's allocator holds, for people (empty where there is nothing to say).
  virtual std::string memory_summary() { return ""; }

  // element-wise (formulas: tensor/kernels/unary.h, binary.h); `copy` converts
  // dtype when out's differs from in's
  virtual void copy(const Tensor& in, const Tensor& out) = 0;
  virtual void fill(const Tensor& out, double value) = 0;
  virtual void arange(const Tensor& out, double start, double step) = 0;
  virtual void unary(UnaryOp op, const Tensor& in, const Tensor& out, UnaryParams params) = 0;
  // grad_in = grad_out * d op(in) / d in, given in and out = op(in).
  virtual void unary_backward(UnaryOp op, const Tensor& in, const Tensor& out, const Tensor& grad_out,
                              const Tensor& grad_in, UnaryParams params) = 0;
  virtual void binary(BinaryOp op, const Tensor& a, const Tensor& b, const Tensor& out) = 0;
  // out = condition != 0 ? a : b
  virtual void where(const Tensor& condition, const Tensor& a, const Tensor& b, const Tensor& out) = 0;

  // Reduces `in` over the dims where reduce_dims[d] is true into the
  // contiguous `out`, whose shape is in's with those dims set to 1 (ArgMax/
  // ArgMin: out is Int64 and exactly one dim is reduced). tensor/kernels/reduce.h.
  virtual void reduce(ReduceOp op, const Tensor& in, const std::vector<bool>& reduce_dims, const Tensor& out) = 0;

  // A, B, C are the base tensors whose storage (from their offset) the GEMM reads.
  virtual void gemm(const GemmArgs& args, const Tensor& a, const Tensor& b, const Tensor& c) = 0;

  // Fills `out` (contiguous) from the Philox stream at (seed, offset)
  // (tensor/kernels/philox.h): Uniform in [a, b), Normal with mean a and std b,
  // Bernoulli 1 with probability a.
  virtual void random(RandomKind kind, const Tensor& out, uint64_t seed, uint64_t offset, double a,
                      double b) = 0;

  // ---- kernels of the nn ops (convolution, normalisation, losses) ----
  // columns[(c, kh, kw), (n, oh, ow)] = image[n, c, ih, iw] (0 outside the image);
  // image contiguous [N, C, H, W], columns contiguous [C*kH*kW, N*outH*outW].
  virtual void im2col(const Tensor& image, const Tensor& columns, const ConvGeometry& geometry) = 0;
  // The adjoint of im2col: image[n, c, ih, iw] = sum of the columns entries that
  // im2col would have copied from that pixel. Overwrites `image`.
  virtual void col2im(const Tensor& columns, const Tensor& image, const ConvGeometry& geometry) = 0;
  // out[i, k] = (labels[i] == k) for int64 labels [N] and a floating out [N, K];
  // a label outside [0, K) is a gs::Error naming `op`.
  virtual void one_hot(const Tensor& labels, const Tensor& out, const char* op) = 0;

  // ---- fused kernels: a backend may leave these to the defaults, which
  // compose them from the entries above (tensor/backend_defaults.cpp) ----
  // Batch normalisation in training mode (nn/batch_norm.cpp) over x contiguous
  // [N, C, S] (S = H*W for images, 1 for [N, C] features): per channel, the
  // batch mean, biased variance and inverse_std, and y (the formulas are
  // tensor/kernels/batch_norm.h; gamma, beta may be undefined: 1, 0).
  virtual void batch_norm_forward(const Tensor& x, const Tensor& gamma, const Tensor& beta, double eps,
                                  const Tensor& y, const Tensor& mean, const Tensor& variance,
                                  const Tensor& inverse_std);
  // Its closed-form backward. Any of grad_x, grad_gamma, grad_beta may be
  // undefined (not wanted).
  virtual void batch_norm_backward(const Tensor& grad, const Tensor& x, const Tensor& mean,
                                   const Tensor& inverse_std, const Tensor& gamma, const Tensor& grad_x,
                                   const Tensor& grad_gamma, const Tensor& grad_beta);
  // Weight normalisation (nn/weight_norm.cpp) of v contiguous [out, K] (K =
  // one unit's fan-in) with lengths g [out]: norm [out] = ||v|| per row and
  // w = g v / norm (tensor/kernels/weight_norm.h).
  virtual void weight_norm_forward(const Tensor& v, const Tensor& g, const Tensor& w, const Tensor& norm);
  // Its backward from grad_w (contiguous, like v); grad_v or grad_g may be
  // undefined (not wanted).
  virtual void weight_norm_backward(const Tensor& grad_w, const Tensor& v, const Tensor& g, const Tensor& norm,
                                    const Tensor& grad_v, const Tensor& grad_g);
  // One optimizer step on one parameter, in place; param, grad and the state
  // tensors are contiguous, of one float dtype and shape (tensor/kernels/optimizer_steps.h).
  virtual void sgd_update(const Tensor& param, const Tensor& grad, const Tensor& momentum_buffer,
                          const SgdUpdate& update);
  virtual void adam_update(const Tensor& param, const Tensor& grad, const Tensor& exp_avg, const Tensor& exp_avg_sq,
                           const AdamUpdate& update);
};

// The checks every backend's im2col/col2im make: contiguous image and
// columns of one dtype, with the element counts the geometry implies.
void check_im2col_arguments(const char* op, const Tensor& image, const Tensor& columns, const ConvGeometry& geometry);

// The backend of a device. cuda:N is the backend instance of CUDA device N;
// a device that is not there is a gs::Error saying why.
Backend& backend(Device device);

// How a device type other than the CPU joins: the CUDA backend registers
// itself when its objects are linked in (tensor/cuda/cuda_backend.cu).
struct BackendProvider {
  // The number of devices present; when there are none, why (e.g. the driver's error).
  int (*device_count)(std::string* why_none) = nullptr;
  // The backend of device `index` (< device_count), made on first use.
  Backend* (*instance)(int index) = nullptr;
};
void register_backend(DeviceType type, BackendProvider provider);
// 0 when the type is not built in or has no device; `why_none` then says which.
int device_count(DeviceType type, std::string* why_none = nullptr);

}  // namespace gs
