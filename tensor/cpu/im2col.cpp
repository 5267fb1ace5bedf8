// im2col and col2im on the CPU: the data movement that turns a convolution
// into one matrix product (nn/conv2d.cpp explains the lowering).
//
// Both loop over (image n, channel c) planes in parallel: a plane is small
// enough to stay in L1/L2 while its k*k kernel taps are visited, every thread
// owns whole planes (so col2im's additions never race), and the innermost
// loop walks a row of output pixels, which is contiguous in `columns`.
#include <algorithm>
#include <cstring>

#include "tensor/cpu/cpu_backend.h"
#include "tensor/parallel.h"

namespace gs::cpu {
namespace {

// The output columns [first, last) whose input column
// out * stride - pad + offset lies inside [0, size).
struct ValidRange {
  int64_t first, last;
};

ValidRange valid_outputs(int64_t size, int64_t out_size, int64_t stride, int64_t pad, int64_t offset) {
  // out * stride >= pad - offset  and  out * stride <= size - 1 + pad - offset
  const int64_t low = pad - offset, high = size - 1 + pad - offset;
  int64_t first = low <= 0 ? 0 : (low + stride - 1) / stride;
  int64_t last = high < 0 ? 0 : high / stride + 1;
  first = std::min(first, out_size);
  last = std::clamp(last, first, out_size);
  return {first, last};
}

template <typename T>
void im2col_plane(const T* plane, T* columns, int64_t row_length, const ConvGeometry& g, int64_t n, int64_t c) {
  const int64_t out_pixels = g.out_height * g.out_width;
  for (int64_t kh = 0; kh < g.kernel_h; ++kh) {
    for (int64_t kw = 0; kw < g.kernel_w; ++kw) {
      const int64_t row = (c * g.kernel_h + kh) * g.kernel_w + kw;
      T* out = columns + row * row_length + n * out_pixels;
      const ValidRange cols = valid_outputs(g.width, g.out_width, g.stride_w, g.pad_left, kw * g.dilation_w);
      for (int64_t oh = 0; oh < g.out_height; ++oh) {
        T* out_row = out + oh * g.out_width;
        const int64_t ih = oh * g.stride_h - g.pad_top + kh * g.dilation_h;
        if (ih < 0 || ih >= g.height) {
          std::fill(out_row, out_row + g.out_width, T(0));
          continue;
        }
        const int64_t row_start = ih * g.width - g.pad_left + kw * g.dilation_w;  // image index of ow = 0
        std::fill(out_row, out_row + cols.first, T(0));
        if (g.stride_w == 1) {
          for (int64_t ow = cols.first; ow < cols.last; ++ow) out_row[ow] = plane[row_start + ow];
        } else {
          for (int64_t ow = cols.first; ow < cols.last; ++ow) out_row[ow] = plane[row_start + ow * g.stride_w];
        }
        std::fill(out_row + cols.last, out_row + g.out_width, T(0));
      }
    }
  }
}

template <typename T>
void col2im_plane(const T* columns, T* plane, int64_t row_length, const ConvGeometry& g, int64_t n, int64_t c) {
  const int64_t out_pixels = g.out_height * g.out_width;
  std::fill(plane, plane + g.height * g.width, T(0));
  for (int64_t kh = 0; kh < g.kernel_h; ++kh) {
    for (int64_t kw = 0; kw < g.kernel_w; ++kw) {
      const int64_t row = (c * g.kernel_h + kh) * g.kernel_w + kw;
      const T* in = columns + row * row_length + n * out_pixels;
      const ValidRange cols = valid_outputs(g.width, g.out_width, g.stride_w, g.pad_left, kw * g.dilation_w);
      for (int64_t oh = 0; oh < g.out_height; ++oh) {
        const int64_t ih = oh * g.stride_h - g.pad_top + kh * g.dilation_h;
        if (ih < 0 || ih >= g.height) continue;
        const T* in_row = in + oh * g.out_width;
        const int64_t row_start = ih * g.width - g.pad_left + kw * g.dilation_w;  // image index of ow = 0
        if (g.stride_w == 1) {
          for (int64_t ow = cols.first; ow < cols.last; ++ow) plane[row_start + ow] += in_row[ow];
        } else {
          for (int64_t ow = cols.first; ow < cols.last; ++ow) plane[row_start + ow * g.stride_w] += in_row[ow];
        }
      }
    }
  }
}

void check_layout(const char* op, const Tensor& image, const Tensor& columns, const ConvGeometry& g) {
  check(image.is_contiguous() && columns.is_contiguous(), op, ": needs contiguous image and columns");
  check(image.numel() == g.batch * g.channels * g.height * g.width, op, ": image has ", image.numel(),
        " elements, the geometry expects ", g.batch * g.channels * g.height * g.width);
  check(columns.numel() == g.channels * g.kernel_h * g.kernel_w * g.batch * g.out_height * g.out_width, op,
        ": columns have the wrong number of elements (", columns.numel(), ")");
  check(image.dtype() == columns.dtype(), op, ": image and columns have different dtypes");
}

}  // namespace

void CpuBackend::im2col(const Tensor& image, const Tensor& columns, const ConvGeometry& g) {
  check_layout("im2col", image, columns, g);
  const int64_t row_length = g.batch * g.out_height * g.out_width;
  dispatch_floating(image.dtype(), "im2col", [&](auto zero) {
    using T = decltype(zero);
    const T* in = image.data<T>();
    T* out = columns.data<T>();
    parallel_for(g.batch * g.channels, columns.numel(), [&](int64_t plane) {
      const int64_t n = plane / g.channels, c = plane % g.channels;
      im2col_plane(in + plane * g.height * g.width, out, row_length, g, n, c);
    });
  });
}

void CpuBackend::col2im(const Tensor& columns, const Tensor& image, const ConvGeometry& g) {
  check_layout("col2im", image, columns, g);
  const int64_t row_length = g.batch * g.out_height * g.out_width;
  dispatch_floating(image.dtype(), "col2im", [&](auto zero) {
    using T = decltype(zero);
    const T* in = columns.data<T>();
    T* out = image.data<T>();
    parallel_for(g.batch * g.channels, columns.numel(), [&](int64_t plane) {
      const int64_t n = plane / g.channels, c = plane % g.channels;
      col2im_plane(in, out + plane * g.height * g.width, row_length, g, n, c);
    });
  });
}

}  // namespace gs::cpu
