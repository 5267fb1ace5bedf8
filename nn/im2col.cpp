// Convolution geometry and the GEMM lowering described in nn/im2col.h.
#include "nn/im2col.h"

#include "autograd/ops/op_helpers.h"

namespace gs::F {
namespace {

// C = op(A) op(B) for contiguous row-major matrices.
Tensor gemm(const Tensor& a, bool transpose_a, const Tensor& b, bool transpose_b) {
  GemmArgs args;
  args.transpose_a = transpose_a;
  args.transpose_b = transpose_b;
  args.m = transpose_a ? a.size(1) : a.size(0);
  args.k = transpose_a ? a.size(0) : a.size(1);
  args.n = transpose_b ? b.size(0) : b.size(1);
  args.lda = a.size(1);
  args.ldb = b.size(1);
  args.ldc = args.n;
  Tensor c = empty({args.m, args.n}, a.options());
  if (args.k == 0) return c.zero_();
  if (args.m * args.n > 0) backend_of(a).gemm(args, a, b, c);
  return c;
}

}  // namespace

int64_t conv_output_size(int64_t input, int64_t kernel, int64_t stride, int64_t pad_before, int64_t pad_after,
                         int64_t dilation) {
  const int64_t span = dilation * (kernel - 1) + 1;  // the receptive field of one output pixel
  const int64_t padded = input + pad_before + pad_after;
  if (padded < span) return 0;
  return (padded - span) / stride + 1;
}

// TensorFlow's 'same': out = ceil(in / stride); the padding that needs is
// split evenly, the odd pixel going after (bottom/right).
SamePadding same_padding(int64_t input, int64_t kernel, int64_t stride, int64_t dilation) {
  const int64_t out = (input + stride - 1) / stride;
  const int64_t span = dilation * (kernel - 1) + 1;
  const int64_t total = std::max<int64_t>((out - 1) * stride + span - input, 0);
  return {total / 2, total - total / 2};
}

void check_conv_arguments(const char* op, const Tensor& x, const Tensor& weight, const Tensor& bias,
                          int64_t weight_channel_dim, int64_t bias_size, Pair stride, const Padding& padding,
                          Pair dilation) {
  check_same_kind(op, x, weight);
  check_floating(op, x);
  check(x.dim() == 4, op, ": expects an input [N, C, H, W], got shape ", shape_str(x.shape()));
  check(weight.dim() == 4, op, ": expects a weight [", weight_channel_dim == 1 ? "Cout, Cin" : "Cin, Cout",
        ", kH, kW], got shape ", shape_str(weight.shape()));
  check(x.size(1) == weight.size(weight_channel_dim), op, ": input has ", x.size(1),
        " channels but the weight expects ", weight.size(weight_channel_dim), " (weight shape ",
        shape_str(weight.shape()), ")");
  if (bias.defined()) {
    check_same_kind(op, x, bias);
    check(bias.dim() == 1 && bias.size(0) == bias_size, op, ": bias must have shape [", bias_size,
          "] (one per output channel), got ", shape_str(bias.shape()));
  }
  check(stride.h >= 1 && stride.w >= 1, op, ": stride must be at least 1, got (", stride.h, ", ", stride.w, ")");
  check(dilation.h >= 1 && dilation.w >= 1, op, ": dilation must be at least 1, got (", dilation.h, ", ",
        dilation.w, ")");
  check(padding.top >= 0 && padding.bottom >= 0 && padding.left >= 0 && padding.right >= 0, op,
        ": padding cannot be negative, got (top ", padding.top, ", bottom ", padding.bottom, ", left ",
        padding.left, ", right ", padding.right, ")");
}

ConvGeometry conv_geometry(const Shape& image_shape, int64_t kernel_h, int64_t kernel_w, Pair stride,
                           const Padding& padding, Pair dilation) {
  ConvGeometry g;
  g.batch = image_shape[0];
  g.channels = image_shape[1];
  g.height = image_shape[2];
  g.width = image_shape[3];
  g.kernel_h = kernel_h;
  g.kernel_w = kernel_w;
  g.stride_h = stride.h;
  g.stride_w = stride.w;
  g.dilation_h = dilation.h;
  g.dilation_w = dilation.w;
  int64_t bottom = 0, right = 0;
  if (padding.kind == Padding::Kind::Same) {
    SamePadding vertical = same_padding(g.height, kernel_h, stride.h, dilation.h);
    SamePadding horizontal = same_padding(g.width, kernel_w, stride.w, dilation.w);
    g.pad_top = vertical.before;
    bottom = vertical.after;
    g.pad_left = horizontal.before;
    right = horizontal.after;
  } else if (padding.kind == Padding::Kind::Explicit) {
    g.pad_top = padding.top;
    bottom = padding.bottom;
    g.pad_left = padding.left;
    right = padding.right;
  }
  g.out_height = conv_output_size(g.height, kernel_h, stride.h, g.pad_top, bottom, dilation.h);
  g.out_width = conv_output_size(g.width, kernel_w, stride.w, g.pad_left, right, dilation.w);
  return g;
}

Tensor im2col(const Tensor& image, const ConvGeometry& g) {
  Tensor columns = empty({g.channels * g.kernel_h * g.kernel_w, g.batch * g.out_height * g.out_width},
                         image.options());
  backend_of(image).im2col(image.contiguous(), columns, g);
  return columns;
}

Tensor channels_first(const Tensor& x) {
  const int64_t n = x.size(0), c = x.size(1), pixels = x.size(2) * x.size(3);
  Tensor matrix = empty({c, n * pixels}, x.options());
  backend_of(x).copy(x.reshape({n, c, pixels}).permute({1, 0, 2}), matrix.view({c, n, pixels}));
  return matrix;
}

Tensor batch_first(const Tensor& matrix, const Shape& shape, const Tensor& bias) {
  const int64_t n = shape[0], c = shape[1], pixels = shape[2] * shape[3];
  Tensor out = empty(shape, matrix.options());
  Tensor source = matrix.view({c, n, pixels}).permute({1, 0, 2});
  Tensor target = out.view({n, c, pixels});
  if (bias.defined()) {
    backend_of(matrix).binary(BinaryOp::Add, source, bias.view({1, c, 1}).expand({n, c, pixels}), target);
  } else {
    backend_of(matrix).copy(source, target);
  }
  return out;
}

Tensor lowered_conv_forward(const Tensor& columns, const Tensor& weight_matrix, const Tensor& bias,
                            const ConvGeometry& g) {
  Tensor product = gemm(weight_matrix, false, columns, false);
  return batch_first(product, {g.batch, weight_matrix.size(0), g.out_height, g.out_width}, bias);
}

Tensor lowered_conv_input_grad(const Tensor& grad_matrix, const Tensor& weight_matrix, const ConvGeometry& g) {
  Tensor grad_columns = gemm(weight_matrix, true, grad_matrix, false);
  Tensor image_grad = empty({g.batch, g.channels, g.height, g.width}, grad_matrix.options());
  backend_of(grad_matrix).col2im(grad_columns, image_grad, g);
  return image_grad;
}

Tensor lowered_conv_weight_grad(const Tensor& grad_matrix, const Tensor& columns) {
  return gemm(grad_matrix, false, columns, true);
}

}  // namespace gs::F
