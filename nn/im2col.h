// Convolution lowered to matrix products (shared by nn/conv2d.cpp and
// nn/conv_transpose2d.cpp).
//
// im2col copies every k x k window of the batch into one column of a matrix
//   columns [C*kH*kW, N*outH*outW],
// so a convolution with weights viewed as [Cout, C*kH*kW] is one GEMM:
//   out [Cout, N*outH*outW] = W columns.
// Lowering the whole batch at once gives one large GEMM that OpenBLAS spreads
// over all threads (per-image products of N = outH*outW columns are too thin
// to run at full speed on small images). The three products of a layer are
//   forward     Y  = W  im2col(X)          (NN)
//   input grad  dX = col2im(W^T dY)        (TN)   <- also the forward of conv_transpose2d
//   weight grad dW = dY im2col(X)^T        (NT)
// with Y and dY as [Cout, N*outH*outW] matrices: "channels first", which an
// NCHW tensor is not, so small images pay a layout copy; large ones (see
// PixelMatrix) run the products image by image on the NCHW tensor instead.
#pragma once
#include "nn/functional.h"
#include "tensor/backend.h"

namespace gs::F {

// The checks both convolutions share: 4-D float input and weight of one
// dtype and device, weight.size(0) == input channels for conv_transpose2d or
// weight.size(1) == input channels for conv2d (`weight_channel_dim`), a bias of
// `bias_size` elements if given, positive strides and dilations, no negative padding.
void check_conv_arguments(const char* op, const Tensor& x, const Tensor& weight, const Tensor& bias,
                          int64_t weight_channel_dim, int64_t bias_size, Pair stride, const Padding& padding,
                          Pair dilation);

// The geometry of conv2d on `image_shape` [N, C, H, W] with a kH x kW kernel.
ConvGeometry conv_geometry(const Shape& image_shape, int64_t kernel_h, int64_t kernel_w, Pair stride,
                           const Padding& padding, Pair dilation);

// im2col(X): [C*kH*kW, N*outH*outW].
Tensor im2col(const Tensor& image, const ConvGeometry& geometry);

// An image batch [N, C, H, W] seen as the matrix [C, N*H*W] whose column block
// n (H*W columns) is image n: the operand the three products share. It is
// either materialised channels first (one contiguous matrix: one big GEMM) or
// left as it is, where block n is image n's contiguous [C, H*W] matrix and the
// products run image by image (a batched GEMM, no layout copy). Images of at
// least kPerImagePixels pixels stay as they are: their per-image GEMMs are wide
// enough to run at full speed, and the copy would cost more than it saves
// (the one-channel first and last DCGAN layers); smaller ones are copied.
constexpr int64_t kPerImagePixels = 128;
struct PixelMatrix {
  Tensor data;  // [C, N*H*W] when channels_first, else the contiguous [N, C, H, W]
  int64_t rows = 0, images = 0, pixels = 0;
  bool channels_first = false;
};
// Whether images of `pixels` pixels stay NCHW and run image by image.
inline bool runs_per_image(int64_t pixels) { return pixels >= kPerImagePixels; }
PixelMatrix pixel_matrix(const Tensor& images);
// The per-row sums (conv bias gradients): sum over n, h, w of each channel.
Tensor channel_sums(const PixelMatrix& matrix);

// out[n, c, h, w] += bias[c], in place (bias may be undefined: nothing to add).
void add_channel_bias(const Tensor& out, const Tensor& bias);

// Y = W columns, as [N, Cout, outH, outW] (+ bias). weight is [Cout, C*kH*kW].
Tensor lowered_conv_forward(const Tensor& columns, const Tensor& weight_matrix, const Tensor& bias,
                            const ConvGeometry& geometry);
// col2im(W^T dY): the gradient with respect to the image, [N, C, H, W].
Tensor lowered_conv_input_grad(const PixelMatrix& grad, const Tensor& weight_matrix, const ConvGeometry& geometry);
// dY columns^T: the gradient with respect to the weight matrix, [Cout, C*kH*kW].
Tensor lowered_conv_weight_grad(const PixelMatrix& grad, const Tensor& columns);

}  // namespace gs::F
