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
#include <algorithm>
#include <cstring>

#include "tensor/cpu/cpu_backend.h"
#include "tensor/profile.h"
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

// One block of images of one channel: columns rows (c, kh, kw), images [first_image, last_image).
struct Task {
  int64_t channel, first_image, last_image;
};

template <typename T>
void im2col_task(const T* image, T* columns, int64_t row_length, const ConvGeometry& g, const Task& task) {
  const int64_t out_pixels = g.out_height * g.out_width, plane_size = g.height * g.width;
  const int64_t c = task.channel;
  for (int64_t kh = 0; kh < g.kernel_h; ++kh) {
    for (int64_t kw = 0; kw < g.kernel_w; ++kw) {
      const int64_t row = (c * g.kernel_h + kh) * g.kernel_w + kw;
      const ValidRange cols = valid_outputs(g.width, g.out_width, g.stride_w, g.pad_left, kw * g.dilation_w);
      for (int64_t n = task.first_image; n < task.last_image; ++n) {
      const T* plane = image + (n * g.channels + c) * plane_size;
      T* out = columns + row * row_length + n * out_pixels;
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
  ProfileScope scope("im2col");
  check_layout("im2col", image, columns, g);
  const int64_t row_length = g.batch * g.out_height * g.out_width;
  dispatch_floating(image.dtype(), "im2col", [&](auto zero) {
    using T = decltype(zero);
    const T* in = image.data<T>();
    T* out = columns.data<T>();
    for_each_task(g, columns.numel(), [&](const Task& task) { im2col_task(in, out, row_length, g, task); });
  });
}

void CpuBackend::col2im(const Tensor& columns, const Tensor& image, const ConvGeometry& g) {
  ProfileScope scope("col2im");
  check_layout("col2im", image, columns, g);
  const int64_t row_length = g.batch * g.out_height * g.out_width;
  dispatch_floating(image.dtype(), "col2im", [&](auto zero) {
    using T = decltype(zero);
    const T* in = columns.data<T>();
    T* out = image.data<T>();
    for_each_task(g, columns.numel(), [&](const Task& task) { col2im_task(in, out, row_length, g, task); });
  });
}

}  // namespace gs::cpu
