// im2col and col2im on the GPU (the lowering is nn/im2col.h, the index
// arithmetic tensor/kernels/im2col.h). im2col: one thread per entry of the
// columns matrix, which reads its image pixel (or the zero of the padding).
// col2im: one thread per image pixel, which gathers the columns entries that
// im2col copied from it, kernel taps in order; a gather rather than a scatter
// of additions, so no two threads write one pixel and the sum's order is
// fixed (no atomics, reproducible).
#include "tensor/cuda/cuda_backend.h"
#include "tensor/cuda/launch.h"
#include "tensor/kernels/im2col.h"

namespace gs::cuda {
namespace {

template <typename T>
__global__ void im2col_kernel(ConvGeometry g, const T* image, T* columns) {
  const int64_t out_pixels = g.out_height * g.out_width, row_length = g.batch * out_pixels;
  const int64_t taps = g.kernel_h * g.kernel_w, count = g.channels * taps * row_length;
  for (int64_t e = global_thread_index(); e < count; e += grid_stride()) {
    const int64_t row = e / row_length, column = e % row_length;   // row (c, kh, kw), column (n, oh, ow)
    const int64_t c = row / taps, kh = (row % taps) / g.kernel_w, kw = row % g.kernel_w;
    const int64_t n = column / out_pixels, oh = (column % out_pixels) / g.out_width, ow = column % g.out_width;
    const int64_t ih = kernels::conv_input_index(oh, kh, g.stride_h, g.pad_top, g.dilation_h);
    const int64_t iw = kernels::conv_input_index(ow, kw, g.stride_w, g.pad_left, g.dilation_w);
    const bool inside = ih >= 0 && ih < g.height && iw >= 0 && iw < g.width;
    columns[e] = inside ? image[((n * g.channels + c) * g.height + ih) * g.width + iw] : T(0);
  }
}

template <typename T>
__global__ void col2im_kernel(ConvGeometry g, const T* columns, T* image) {
  const int64_t out_pixels = g.out_height * g.out_width, row_length = g.batch * out_pixels;
  const int64_t count = g.batch * g.channels * g.height * g.width;
  for (int64_t e = global_thread_index(); e < count; e += grid_stride()) {  // pixel (n, c, ih, iw)
    const int64_t iw = e % g.width, ih = (e / g.width) % g.height;
    const int64_t c = (e / (g.width * g.height)) % g.channels, n = e / (g.width * g.height * g.channels);
    T total = 0;
    for (int64_t kh = 0; kh < g.kernel_h; ++kh) {
      const int64_t oh = kernels::conv_output_index(ih, kh, g.stride_h, g.pad_top, g.dilation_h, g.out_height);
      if (oh < 0) continue;
      for (int64_t kw = 0; kw < g.kernel_w; ++kw) {
        const int64_t ow = kernels::conv_output_index(iw, kw, g.stride_w, g.pad_left, g.dilation_w, g.out_width);
        if (ow < 0) continue;
        const int64_t row = (c * g.kernel_h + kh) * g.kernel_w + kw;
        total += columns[row * row_length + n * out_pixels + oh * g.out_width + ow];
      }
    }
    image[e] = total;
  }
}

}  // namespace

void CudaBackend::im2col(const Tensor& image, const Tensor& columns, const ConvGeometry& g) {
  check_on_device("im2col", {&image, &columns});
  check_im2col_arguments("im2col", image, columns, g);
  if (columns.numel() == 0) return;
  const DeviceGuard guard(device_);
  dispatch_floating(image.dtype(), "im2col", [&](auto zero) {
    using T = decltype(zero);
    launch("im2col_kernel", im2col_kernel<T>, grid_size(columns.numel()), kBlockSize, 0, stream_, g,
           device_data<T>(image), device_data<T>(columns));
  });
}

void CudaBackend::col2im(const Tensor& columns, const Tensor& image, const ConvGeometry& g) {
  check_on_device("col2im", {&columns, &image});
  check_im2col_arguments("col2im", image, columns, g);
  if (image.numel() == 0) return;
  const DeviceGuard guard(device_);
  dispatch_floating(image.dtype(), "col2im", [&](auto zero) {
    using T = decltype(zero);
    launch("col2im_kernel", col2im_kernel<T>, grid_size(image.numel()), kBlockSize, 0, stream_, g,
           device_data<T>(columns), device_data<T>(image));
  });
}

}  // namespace gs::cuda
