// The index arithmetic of im2col/col2im (the lowering is nn/im2col.h). The
// window of output pixel (oh, ow) with kernel tap (kh, kw) reads input pixel
//   ih = oh * stride_h - pad_top + kh * dilation_h     (iw likewise),
// and taps that fall outside the image read zero. col2im runs it backwards:
// the output coordinate whose tap lands on a given input coordinate.
#pragma once
#include <cstdint>

#include "tensor/kernels/host_device.h"

namespace gs::kernels {

// The input coordinate that tap `tap` of output coordinate `out` reads
// (outside [0, size) means padding).
GS_HOST_DEVICE inline int64_t conv_input_index(int64_t out, int64_t tap, int64_t stride, int64_t pad,
                                               int64_t dilation) {
  return out * stride - pad + tap * dilation;
}

// The output coordinate o with conv_input_index(o, tap) == in, or -1 when
// there is none (between two strides, or outside [0, out_size)).
GS_HOST_DEVICE inline int64_t conv_output_index(int64_t in, int64_t tap, int64_t stride, int64_t pad,
                                                int64_t dilation, int64_t out_size) {
  const int64_t scaled = in + pad - tap * dilation;  // = out * stride
  if (scaled < 0 || scaled % stride != 0) return -1;
  const int64_t out = scaled / stride;
  return out < out_size ? out : -1;
}

}  // namespace gs::kernels
