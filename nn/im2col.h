// Convolution lowered to matrix products (shared by nn/conv2d.cpp and
// nn/conv_transpose2d.cpp).
//
// im2col copies every k x k window of the batch into one column of a matrix
//   columns [C*kH*kW, N*outH*outW],
// so a convolution with weights viewed as [Cout, C*kH*kW] is one GEMM:
//   out [Cout, N*outH*outW] = W columns.
// Lowering the whole batch at once gives one large GEMM that OpenBLAS spreads
// over all threads (per-image products of N = outH*outW columns are too thin
// to run at full speed). The three products of a convolution layer are
//   forward     Y  = W  im2col(X)          (NN)
//   input grad  dX = col2im(W^T dY)        (TN)   <- also the forward of conv_transpose2d
//   weight grad dW = dY im2col(X)^T        (NT)
// with Y and dY as [Cout, N*outH*outW] matrices ("channels first").
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

// [N, C, H, W] -> the contiguous matrix [C, N*H*W], and back (adding an
// optional per-channel bias on the way).
Tensor channels_first(const Tensor& x);
Tensor batch_first(const Tensor& matrix, const Shape& shape, const Tensor& bias = Tensor());

// Y = W columns, as [N, Cout, outH, outW] (+ bias). weight is [Cout, C*kH*kW].
Tensor lowered_conv_forward(const Tensor& columns, const Tensor& weight_matrix, const Tensor& bias,
                            const ConvGeometry& geometry);
// col2im(W^T dY): the gradient with respect to the image, [N, C, H, W].
// grad_matrix is dY channels first [Cout, N*outH*outW].
Tensor lowered_conv_input_grad(const Tensor& grad_matrix, const Tensor& weight_matrix, const ConvGeometry& geometry);
// dY columns^T: the gradient with respect to the weight matrix, [Cout, C*kH*kW].
Tensor lowered_conv_weight_grad(const Tensor& grad_matrix, const Tensor& columns);

}  // namespace gs::F
