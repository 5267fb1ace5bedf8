// Transposed convolution: the adjoint of conv2d. If conv2d maps an image Z
// [N, Cout, Ho, Wo] to X [N, Cin, Hi, Wi] with weight W [Cin, Cout, kH, kW],
// conv_transpose2d maps X back to Z's shape with the transposed linear map:
//   <conv2d(Z, W), X> = <Z, conv_transpose2d(X, W)>   for all Z, X.
// So it is conv2d's input gradient, and its backward is conv2d's forward:
//   Y = col2im(W^T X) + b;   dX = W im2col(dY),   dW = X im2col(dY)^T,   db = sum_{n,i,j} dY
// (matrices channels first, nn/im2col.h). No zeros are ever inserted between
// input pixels: col2im scatters each input pixel's k x k contribution directly.
// Output sizes (Dumoulin & Visin 2016, "A guide to convolution arithmetic"):
//   Same     Ho = Hi * s                      (TensorFlow's conv2d_transpose)
//   Valid    Ho = (Hi - 1) s + d (k - 1) + 1
//   Explicit Ho = (Hi - 1) s - top - bottom + d (k - 1) + output_padding + 1   (PyTorch)
#include "autograd/node.h"
#include "autograd/ops.h"
#include "nn/im2col.h"
#include "tensor/profile.h"

namespace gs::F {
namespace {

int64_t transposed_output_size(int64_t input, int64_t kernel, int64_t stride, const Padding& padding,
                               int64_t pad_before, int64_t pad_after, int64_t output_padding, int64_t dilation) {
  switch (padding.kind) {
    case Padding::Kind::Same: return input * stride;
    case Padding::Kind::Valid: return (input - 1) * stride + dilation * (kernel - 1) + 1;
    case Padding::Kind::Explicit: break;
  }
  return (input - 1) * stride - pad_before - pad_after + dilation * (kernel - 1) + output_padding + 1;
}

}  // namespace

Tensor conv_transpose2d(const Tensor& x, const Tensor& weight, const Tensor& bias, Pair stride, Padding padding,
                        Pair output_padding, Pair dilation) {
  check_conv_arguments("conv_transpose2d", x, weight, bias, 0, weight.defined() ? weight.size(1) : 0, stride,
                       padding, dilation);
  ProfileScope scope("conv_transpose2d forward");
  check(output_padding.h >= 0 && output_padding.w >= 0 && output_padding.h < stride.h && output_padding.w < stride.w,
        "conv_transpose2d: output_padding must be in [0, stride), got (", output_padding.h, ", ", output_padding.w,
        ") with stride (", stride.h, ", ", stride.w, ")");
  check(padding.kind == Padding::Kind::Explicit || (output_padding.h == 0 && output_padding.w == 0),
        "conv_transpose2d: output_padding only goes with explicit padding (Same and Valid fix the output size)");
  const int64_t in_channels = weight.size(0), out_channels = weight.size(1);
  const int64_t kernel_h = weight.size(2), kernel_w = weight.size(3);
  const int64_t out_h = transposed_output_size(x.size(2), kernel_h, stride.h, padding, padding.top, padding.bottom,
                                               output_padding.h, dilation.h);
  const int64_t out_w = transposed_output_size(x.size(3), kernel_w, stride.w, padding, padding.left, padding.right,
                                               output_padding.w, dilation.w);
  check(out_h > 0 && out_w > 0, "conv_transpose2d: the padding (top ", padding.top, ", bottom ", padding.bottom,
        ", left ", padding.left, ", right ", padding.right, ") leaves no output for the ", x.size(2), "x",
        x.size(3), " input");
  // The conv2d whose adjoint this is: from the output's shape back to x's.
  const ConvGeometry geometry =
      conv_geometry({x.size(0), out_channels, out_h, out_w}, kernel_h, kernel_w, stride, padding, dilation);
  check(geometry.out_height == x.size(2) && geometry.out_width == x.size(3),
        "conv_transpose2d: internal error, the adjoint geometry does not map back to the input size");

  const Tensor weight_matrix = weight.detach().contiguous().view({in_channels, -1});
  const PixelMatrix input_pixels = pixel_matrix(x.detach());
  Tensor out = lowered_conv_input_grad(input_pixels, weight_matrix, geometry);
  add_channel_bias(out, bias);

  const bool need_x = x.requires_grad(), need_weight = weight.requires_grad();
  const bool need_bias = bias.defined() && bias.requires_grad();
  record(out, "conv_transpose2d", {x, weight, bias},
         [need_x, need_weight, need_bias, geometry, weight_matrix,
          input_pixels = need_weight ? input_pixels : PixelMatrix(), weight_shape = weight.shape()](const Tensor& grad) {
           ProfileScope scope("conv_transpose2d backward");
           const Tensor grad_columns = im2col(grad, geometry);
           Tensor dx = need_x ? lowered_conv_forward(grad_columns, weight_matrix, Tensor(), geometry) : Tensor();
           Tensor dweight =
               need_weight ? lowered_conv_weight_grad(input_pixels, grad_columns).view(weight_shape) : Tensor();
           Tensor dbias = need_bias ? grad.sum({0, 2, 3}) : Tensor();
           return std::vector<Tensor>{dx, dweight, dbias};
         });
  return out;
}

}  // namespace gs::F
