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

#include "tensor/tensor.h"

namespace gs {

enum class UnaryOp {
  Neg, Exp, Log, Sqrt, Abs, Tanh, Sigmoid, Relu, LeakyRelu, Softplus,
  AddScalar, MulScalar, PowScalar, Clamp, Sign, Square, Reciprocal,
};

enum class BinaryOp {
  Add, Sub, Mul, Div, Maximum, Minimum,
  Equal, NotEqual, Less, LessEqual, Greater, GreaterEqual,  // 1 where true, else 0
};

enum class ReduceOp { Sum, Max, Min, ArgMax, ArgMin };

enum class RandomKind { Uniform, Normal, Bernoulli };

// Parameters of the scalar-carrying unary ops: LeakyRelu(a = slope),
// AddScalar(a), MulScalar(a), PowScalar(a = exponent), Clamp(a = low, b = high).
struct UnaryParams {
  double a = 0.0;
  double b = 0.0;
};

// One GEMM call (or a batch of them), column or row major as BLAS sees it:
// C[i] = alpha * op(A[i]) op(B[i]) + beta * C[i], all row-major with leading
// dimensions, A[i] = A + i * stride_a (in elements).
struct GemmArgs {
  bool transpose_a = false, transpose_b = false;
  int64_t m = 0, n = 0, k = 0;
  double alpha = 1.0, beta = 0.0;
  int64_t lda = 0, ldb = 0, ldc = 0;
  int64_t batch = 1, stride_a = 0, stride_b = 0, stride_c = 0;
};

// The hyperparameters of one SGD step (PyTorch's semantics):
//   g = grad + weight_decay * p
//   buf = first_step ? g : momentum * buf + (1 - dampening) * g    (when momentum != 0)
//   g = nesterov ? g + momentum * buf : buf
//   p -= lr * g
struct SgdUpdate {
  double lr = 0, momentum = 0, dampening = 0, weight_decay = 0;
  bool nesterov = false;
  bool first_step = false;  // the momentum buffer is still empty
};

// One bias-corrected Adam step (Kingma & Ba 2015), step t = 1, 2, ...:
//   g = grad + weight_decay * p
//   m = beta1 m + (1 - beta1) g,   v = beta2 v + (1 - beta2) g^2
//   m_hat = m / (1 - beta1^t),     v_hat = v / (1 - beta2^t)
//   p -= lr * m_hat / (sqrt(v_hat) + eps)        or, with eps_inside_sqrt,
//   p -= lr * m_hat / sqrt(v_hat + eps)          (Salimans et al.'s code)
struct AdamUpdate {
  double lr = 0, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weight_decay = 0;
  bool eps_inside_sqrt = false;
  int64_t step = 1;
};

// Where the k x k windows of a convolution sit on an image (im2col/col2im).
// The image is [batch, channels, height, width]; the window of output pixel
// (oh, ow) with kernel tap (kh, kw) reads image pixel
//   (oh * stride_h - pad_top + kh * dilation_h, ow * stride_w - pad_left + kw * dilation_w),
// and taps that fall outside the image read zero. Padding at the bottom/right
// is implied by out_height/out_width.
struct ConvGeometry {
  int64_t batch = 1, channels = 1, height = 1, width = 1;
  int64_t kernel_h = 1, kernel_w = 1;
  int64_t stride_h = 1, stride_w = 1;
  int64_t pad_top = 0, pad_left = 0;
  int64_t dilation_h = 1, dilation_w = 1;
  int64_t out_height = 1, out_width = 1;
};

class Backend {
 public:
  virtual ~Backend() = default;

  // memory
  virtual void* allocate(size_t bytes) = 0;
  virtual void deallocate(void* pointer) = 0;
  // Copies bytes between host memory and this device's memory.
  virtual void copy_to_host(const void* device_src, void* host_dst, size_t bytes) = 0;
  virtual void copy_from_host(const void* host_src, void* device_dst, size_t bytes) = 0;

  // element-wise; `copy` converts dtype when out's differs from in's
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

  // Reduces `in` over the dims where reduce_dims[d] is true into `out`, whose
  // shape is in's with those dims set to 1 (ArgMax/ArgMin: out is Int64 and
  // exactly one dim is reduced).
  virtual void reduce(ReduceOp op, const Tensor& in, const std::vector<bool>& reduce_dims, const Tensor& out) = 0;

  // A, B, C are the base tensors whose storage (from their offset) the GEMM reads.
  virtual void gemm(const GemmArgs& args, const Tensor& a, const Tensor& b, const Tensor& c) = 0;

  // Fills `out` (contiguous) from the Philox stream at (seed, offset):
  // Uniform in [a, b), Normal with mean a and std b, Bernoulli 1 with probability a.
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
  // Batch normalisation in training mode (nn/batch_norm.cpp) over x contiguous
  // [N, C, S] (S = H*W for images, 1 for [N, C] features); per channel c, over
  // its M = N*S values:
  //   mean[c], variance[c] (biased), inverse_std[c] = 1 / sqrt(variance[c] + eps),
  //   y = (x - mean[c]) inverse_std[c] gamma[c] + beta[c]    (gamma, beta may be undefined: 1, 0)
  virtual void batch_norm_forward(const Tensor& x, const Tensor& gamma, const Tensor& beta, double eps,
                                  const Tensor& y, const Tensor& mean, const Tensor& variance,
                                  const Tensor& inverse_std) = 0;
  // Its closed-form backward, with xhat = (x - mean[c]) inverse_std[c]:
  //   grad_beta[c] = sum dY,   grad_gamma[c] = sum dY xhat,
  //   grad_x = gamma[c] inverse_std[c] (dY - grad_beta[c] / M - xhat grad_gamma[c] / M).
  // Any of grad_x, grad_gamma, grad_beta may be undefined (not wanted).
  virtual void batch_norm_backward(const Tensor& grad, const Tensor& x, const Tensor& mean,
                                   const Tensor& inverse_std, const Tensor& gamma, const Tensor& grad_x,
                                   const Tensor& grad_gamma, const Tensor& grad_beta) = 0;

  // ---- optimizer update kernels ----
  // One optimizer step on one parameter, in place; param, grad and the state
  // tensors are contiguous, of one float dtype and shape (optim/sgd.h, optim/adam.h).
  virtual void sgd_update(const Tensor& param, const Tensor& grad, const Tensor& momentum_buffer,
                          const SgdUpdate& update) = 0;
  virtual void adam_update(const Tensor& param, const Tensor& grad, const Tensor& exp_avg, const Tensor& exp_avg_sq,
                           const AdamUpdate& update) = 0;
};

Backend& backend(Device device);
// The CUDA backend registers itself here when it is compiled in.
void register_backend(DeviceType type, Backend* instance);

}  // namespace gs
