// Convolution arithmetic: the output-size formulas of Dumoulin & Visin, "A
// guide to convolution arithmetic for deep learning" (2016), for one spatial
// dimension, the relationship of the guide each case is, and the explicit
// matrix of a convolution obtained by probing the real layers with basis images.
// The lecture demos (apps/padding_demo, apps/deconv_demo) and the tests use it.
#pragma once
#include <string>

#include "nn/functional.h"

namespace gs::conv_arithmetic {

// Valid: no zeros.  Same: TensorFlow's, output = ceil(input / stride).
// Full: d(k-1) zeros each side, every partial overlap counts.  Explicit: `pad` each side.
enum class PaddingMode { Same, Valid, Full, Explicit };

// One spatial dimension of a convolution (or, `transposed`, a transposed
// convolution with the same arguments as F::conv_transpose2d).
struct ConvDim {
  int64_t input = 5, kernel = 3, stride = 1, dilation = 1;
  PaddingMode mode = PaddingMode::Valid;
  int64_t pad = 0;             // Explicit only
  bool transposed = false;
  int64_t output_padding = 0;  // transposed with Explicit or Full padding only (PyTorch's)
};

// The dilated kernel's extent: k + (k - 1)(d - 1) (the guide's k-hat).
int64_t kernel_span(const ConvDim& dim);

// The zeros added before/after the input of the convolution. For a transposed
// convolution, those of the convolution it is the transpose of (the output is
// that convolution's input, so these are cropped from the output's edges).
F::SamePadding padding_of(const ConvDim& dim);

// The output size (0 when the kernel does not fit).
int64_t output_size(const ConvDim& dim);

// "Relationship 6 (zero padding, non-unit strides)" and the like.
std::string relationship(const ConvDim& dim);

// The formula, then the same with the numbers put in:
// "o = floor((i + 2p - k) / s) + 1 = floor((5 + 2*1 - 3) / 2) + 1 = 3".
std::string formula(const ConvDim& dim);

// How 'same' splits its padding: "total padding 2 = 1 before + 1 after".
// Empty for the other modes.
std::string same_split(const ConvDim& dim);

// The padding argument for F::conv2d / F::conv_transpose2d, both dims alike.
F::Padding layer_padding(const ConvDim& dim);

// Parses "same", "valid", "full" or a number from 0 to kMaxPadding into
// dim.mode/dim.pad; throws gs::Error naming the text otherwise. (The demos
// draw every padded cell: more padding than this is no lecture example.)
constexpr int64_t kMaxPadding = 64;
void parse_padding(const std::string& text, ConvDim& dim);
std::string padding_name(const ConvDim& dim);  // the inverse: "same", "2", ...

// The matrix C of conv2d with a one-channel kernel `weight` [1, 1, kH, kW] on
// a height x width image: y = C x with x, y the images flattened row by row,
// so C is [outH*outW, height*width]. Built by running F::conv2d on every basis
// image e_j (all of them as one batch): column j of C is conv2d(e_j).
Tensor convolution_matrix(const Tensor& weight, int64_t height, int64_t width, F::Pair stride, F::Padding padding,
                          F::Pair dilation = 1);

// The same for F::conv_transpose2d: [outH*outW, height*width].
Tensor transposed_convolution_matrix(const Tensor& weight, int64_t height, int64_t width, F::Pair stride,
                                     F::Padding padding, F::Pair output_padding = 0, F::Pair dilation = 1);

}  // namespace gs::conv_arithmetic
