// im2col and col2im on the CPU: the data movement that turns a convolution
// into one matrix product (nn/im2col.h explains the lowering).
//
// Work is split into tasks (channel c, a block of images): a task reads or
// writes only the planes (n, c) of its images, which stay in L1/L2 while it
// visits the k*k kernel taps, and for each tap it streams through one
// contiguous stretch of a `columns` row (images n0..n1, all output pixels).
// Tasks own disjoint planes, so col2im's additions never race. When there are
// few channels (a first or last layer) the batch is split into more blocks so
// every thread still gets work.
// im2col gathers through a table of source pixels (one branch-free loop per
// image and tap: 2-3x faster than row by row on the DCGAN's 4-14 pixel rows);
// col2im adds row runs, which vectorise where a table's scatter could not.
#include <algorithm>
#include <vector>

#include "tensor/cpu/cpu_backend.h"
#include "tensor/kernels/im2col.h"
#include "tensor/profile.h"
#include "tensor/parallel.h"

namespace gs::cpu {
namespace {

// For every kernel tap t = (kh, kw) and output pixel p = (oh, ow), the index
// in an image plane of the input pixel that the tap reads there
// (kernels::conv_input_index), or plane_size where that falls into the zero
// padding. Planes are copied into scratch rows of plane_size + 1 values whose
// last value is that zero, so the copy loops below have no branches and no
// bounds to check.
std::vector<int32_t> tap_sources(const ConvGeometry& g) {
  const int64_t out_pixels = g.out_height * g.out_width, plane_size = g.height * g.width;
  check(plane_size < (int64_t(1) << 31), "im2col: image planes of ", plane_size, " pixels are too large");
  std::vector<int32_t> sources(g.kernel_h * g.kernel_w * out_pixels);
  int32_t* source = sources.data();
  for (int64_t kh = 0; kh < g.kernel_h; ++kh)
    for (int64_t kw = 0; kw < g.kernel_w; ++kw)
      for (int64_t oh = 0; oh < g.out_height; ++oh)
        for (int64_t ow = 0; ow < g.out_width; ++ow) {
          const int64_t ih = kernels::conv_input_index(oh, kh, g.stride_h, g.pad_top, g.dilation_h);
          const int64_t iw = kernels::conv_input_index(ow, kw, g.stride_w, g.pad_left, g.dilation_w);
          const bool inside = ih >= 0 && ih < g.height && iw >= 0 && iw < g.width;
          *source++ = static_cast<int32_t>(inside ? ih * g.width + iw : plane_size);
        }
  return sources;
}

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

// One block of images of one channel: columns rows (c, kh, kw), images [first_image, last_image).
struct Task {
  int64_t channel, first_image, last_image;
};

template <typename T>
void im2col_task(const T* image, T* columns, int64_t row_length, const ConvGeometry& g,
                 const std::vector<int32_t>& sources, const Task& task) {
  const int64_t out_pixels = g.out_height * g.out_width, plane_size = g.height * g.width;
  const int64_t images = task.last_image - task.first_image, taps = g.kernel_h * g.kernel_w;
  std::vector<T> padded(images * (plane_size + 1));  // the block's planes, each followed by a zero
  for (int64_t i = 0; i < images; ++i) {
    const T* plane = image + ((task.first_image + i) * g.channels + task.channel) * plane_size;
    std::copy(plane, plane + plane_size, padded.begin() + i * (plane_size + 1));
  }
  for (int64_t tap = 0; tap < taps; ++tap) {
    const int32_t* source = sources.data() + tap * out_pixels;
    T* row = columns + (task.channel * taps + tap) * row_length;
    for (int64_t i = 0; i < images; ++i) {
      const T* plane = padded.data() + i * (plane_size + 1);
      T* out = row + (task.first_image + i) * out_pixels;
      for (int64_t p = 0; p < out_pixels; ++p) out[p] = plane[source[p]];
    }
  }
}

template <typename T>
void col2im_task(const T* columns, T* image, int64_t row_length, const ConvGeometry& g, const Task& task) {
  const int64_t out_pixels = g.out_height * g.out_width, plane_size = g.height * g.width;
  const int64_t c = task.channel;
  for (int64_t n = task.first_image; n < task.last_image; ++n) {
    T* plane = image + (n * g.channels + c) * plane_size;
    std::fill(plane, plane + plane_size, T(0));
  }
  for (int64_t kh = 0; kh < g.kernel_h; ++kh) {
    for (int64_t kw = 0; kw < g.kernel_w; ++kw) {
      const int64_t row = (c * g.kernel_h + kh) * g.kernel_w + kw;
      const ValidRange cols = valid_outputs(g.width, g.out_width, g.stride_w, g.pad_left, kw * g.dilation_w);
      for (int64_t n = task.first_image; n < task.last_image; ++n) {
        T* plane = image + (n * g.channels + c) * plane_size;
        const T* in = columns + row * row_length + n * out_pixels;
        for (int64_t oh = 0; oh < g.out_height; ++oh) {
          const int64_t ih = kernels::conv_input_index(oh, kh, g.stride_h, g.pad_top, g.dilation_h);
          if (ih < 0 || ih >= g.height) continue;
          const T* in_row = in + oh * g.out_width;
          // image index of output column 0's tap (ow = first .. last stay inside the row)
          const int64_t row_start = ih * g.width + kernels::conv_input_index(0, kw, g.stride_w, g.pad_left, g.dilation_w);
          if (g.stride_w == 1) {
            for (int64_t ow = cols.first; ow < cols.last; ++ow) plane[row_start + ow] += in_row[ow];
          } else {
            for (int64_t ow = cols.first; ow < cols.last; ++ow) plane[row_start + ow * g.stride_w] += in_row[ow];
          }
        }
      }
    }
  }
}

// Splits (channels x batch) into tasks: whole batches per channel when there
// are enough channels to keep the threads busy, smaller image blocks otherwise.
template <typename Body>
void for_each_task(const ConvGeometry& g, int64_t work, Body body) {
  const int64_t wanted_tasks = 4 * static_cast<int64_t>(num_threads());
  const int64_t blocks = std::clamp<int64_t>((wanted_tasks + g.channels - 1) / g.channels, 1, g.batch);
  const int64_t images_per_block = (g.batch + blocks - 1) / blocks;
  parallel_for(g.channels * blocks, work, [&](int64_t index) {
    const int64_t c = index / blocks, block = index % blocks;
    const int64_t first = block * images_per_block, last = std::min(g.batch, first + images_per_block);
    if (first < last) body(Task{c, first, last});
  });
}

}  // namespace

void CpuBackend::im2col(const Tensor& image, const Tensor& columns, const ConvGeometry& g) {
  ProfileScope scope("im2col");
  check_im2col_arguments("im2col", image, columns, g);
  const int64_t row_length = g.batch * g.out_height * g.out_width;
  dispatch_floating(image.dtype(), "im2col", [&](auto zero) {
    using T = decltype(zero);
    const T* in = image.data<T>();
    T* out = columns.data<T>();
    const std::vector<int32_t> sources = tap_sources(g);
    for_each_task(g, columns.numel(), [&](const Task& task) { im2col_task(in, out, row_length, g, sources, task); });
  });
}

void CpuBackend::col2im(const Tensor& columns, const Tensor& image, const ConvGeometry& g) {
  ProfileScope scope("col2im");
  check_im2col_arguments("col2im", image, columns, g);
  const int64_t row_length = g.batch * g.out_height * g.out_width;
  dispatch_floating(image.dtype(), "col2im", [&](auto zero) {
    using T = decltype(zero);
    const T* in = columns.data<T>();
    T* out = image.data<T>();
    for_each_task(g, columns.numel(), [&](const Task& task) { col2im_task(in, out, row_length, g, task); });
  });
}

}  // namespace gs::cpu
