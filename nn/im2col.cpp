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

namespace {

// [N, C, H, W] -> the contiguous matrix [C, N*H*W], and back (adding an
// optional per-channel bias on the way).
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

// Block n of a [rows, images*pixels] matrix stored channels first (leading
// dimension images*pixels, blocks `pixels` apart) or image by image (leading
// dimension pixels, blocks rows*pixels apart).
int64_t leading_dimension(bool channels_first, int64_t images, int64_t pixels) {
  return channels_first ? images * pixels : pixels;
}
int64_t block_stride(bool channels_first, int64_t rows, int64_t pixels) {
  return channels_first ? pixels : rows * pixels;
}

// C_n = op(A) B_n for every image block n: A is shared ([M, K], or [K, M]
// transposed), B and C are block matrices in either layout.
void gemm_per_image(const Tensor& a, bool transpose_a, const Tensor& b, bool b_channels_first, const Tensor& c,
                    bool c_channels_first, int64_t images, int64_t pixels) {
  GemmArgs args;
  args.transpose_a = transpose_a;
  args.m = transpose_a ? a.size(1) : a.size(0);
  args.k = transpose_a ? a.size(0) : a.size(1);
  args.n = pixels;
  args.lda = a.size(1);
  args.ldb = leading_dimension(b_channels_first, images, pixels);
  args.ldc = leading_dimension(c_channels_first, images, pixels);
  args.batch = images;
  args.stride_b = block_stride(b_channels_first, args.k, pixels);
  args.stride_c = block_stride(c_channels_first, args.m, pixels);
  backend_of(a).gemm(args, a, b, c);
}

}  // namespace

void add_channel_bias(const Tensor& out, const Tensor& bias) {
  if (!bias.defined()) return;
  backend_of(out).binary(BinaryOp::Add, out, bias.detach().view({1, out.size(1), 1, 1}).expand(out.shape()), out);
}

PixelMatrix pixel_matrix(const Tensor& images) {
  PixelMatrix matrix;
  matrix.rows = images.size(1);
  matrix.images = images.size(0);
  matrix.pixels = images.size(2) * images.size(3);
  matrix.channels_first = !runs_per_image(matrix.pixels);
  matrix.data = matrix.channels_first ? channels_first(images) : images.contiguous();
  return matrix;
}

Tensor channel_sums(const PixelMatrix& matrix) {
  return matrix.channels_first ? matrix.data.sum({1}) : matrix.data.sum({0, 2, 3});
}

Tensor lowered_conv_forward(const Tensor& columns, const Tensor& weight_matrix, const Tensor& bias,
                            const ConvGeometry& g) {
  const Shape shape{g.batch, weight_matrix.size(0), g.out_height, g.out_width};
  const int64_t pixels = g.out_height * g.out_width;
  if (!runs_per_image(pixels)) return batch_first(gemm(weight_matrix, false, columns, false), shape, bias);
  Tensor out = empty(shape, columns.options());
  gemm_per_image(weight_matrix, false, columns, true, out, false, g.batch, pixels);
  add_channel_bias(out, bias);
  return out;
}

Tensor lowered_conv_input_grad(const PixelMatrix& grad, const Tensor& weight_matrix, const ConvGeometry& g) {
  Tensor grad_columns;
  if (grad.channels_first) {
    grad_columns = gemm(weight_matrix, true, grad.data, false);
  } else {
    grad_columns = empty({weight_matrix.size(1), grad.images * grad.pixels}, grad.data.options());
    gemm_per_image(weight_matrix, true, grad.data, false, grad_columns, true, grad.images, grad.pixels);
  }
  Tensor image_grad = empty({g.batch, g.channels, g.height, g.width}, grad.data.options());
  backend_of(grad.data).col2im(grad_columns, image_grad, g);
  return image_grad;
}

// dW = sum_n dY_n columns_n^T: one GEMM over all pixels when dY is channels
// first, else one [Cout, K] product per image, summed.
Tensor lowered_conv_weight_grad(const PixelMatrix& grad, const Tensor& columns) {
  if (grad.channels_first) return gemm(grad.data, false, columns, true);
  const int64_t out_rows = grad.rows, k = columns.size(0);
  Tensor per_image = empty({grad.images, out_rows, k}, columns.options());
  GemmArgs args;
  args.transpose_b = true;
  args.m = out_rows;
  args.n = k;
  args.k = grad.pixels;
  args.lda = grad.pixels;
  args.ldb = columns.size(1);
  args.ldc = k;
  args.batch = grad.images;
  args.stride_a = out_rows * grad.pixels;
  args.stride_b = grad.pixels;
  args.stride_c = out_rows * k;
  backend_of(columns).gemm(args, grad.data, columns, per_image);
  return per_image.sum({0});
}

}  // namespace gs::F
