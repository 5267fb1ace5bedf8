// The plain arguments of the Backend entries (tensor/backend.h): which op to
// run and its hyperparameters. The formulas they select are next door in
// tensor/kernels/ (unary.h, binary.h, reduce.h, optimizer_steps.h, im2col.h).
#pragma once
#include <cstdint>

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

// The hyperparameters of one SGD step (PyTorch's semantics; the step itself
// is SgdStep in tensor/kernels/optimizer_steps.h).
struct SgdUpdate {
  double lr = 0, momentum = 0, dampening = 0, weight_decay = 0;
  bool nesterov = false;
  bool first_step = false;  // the momentum buffer is still empty
};

// The hyperparameters of one bias-corrected Adam step t = 1, 2, ... (AdamStep
// in tensor/kernels/optimizer_steps.h).
struct AdamUpdate {
  double lr = 0, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weight_decay = 0;
  bool eps_inside_sqrt = false;
  int64_t step = 1;
};

// Where the k x k windows of a convolution sit on an image (im2col/col2im;
// the index formula is tensor/kernels/im2col.h). The image is
// [batch, channels, height, width]; taps that fall outside it read zero.
// Padding at the bottom/right is implied by out_height/out_width.
struct ConvGeometry {
  int64_t batch = 1, channels = 1, height = 1, width = 1;
  int64_t kernel_h = 1, kernel_w = 1;
  int64_t stride_h = 1, stride_w = 1;
  int64_t pad_top = 0, pad_left = 0;
  int64_t dilation_h = 1, dilation_w = 1;
  int64_t out_height = 1, out_width = 1;
};

}  // namespace gs
