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
// image and tap: 2-3x faster than row by row on the DCGAN's 4-14 pixel rows).
// col2im adds row runs, which vectorise at stride 1; at larger strides a run
// is a strided scatter of a few values, so there each pixel gathers its sum
// through a table instead (1.2-1.4x faster on the DCGAN's 7x7 and 14x14
// planes and svhn-blog's 16x16), as long as the table and one image's columns
// fit in L1 (at 28x28 the two are even, on 56x56 and 112x112 planes the runs
// are 1.1-1.2x faster). Both add in the order of the taps, as the GPU's col2im
// does, so all give the same numbers.
#include <algorithm>
#include <numeric>
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

// At most how many of an axis's k taps land on one input coordinate: those
// whose offsets tap * dilation agree modulo the stride.
int64_t taps_per_coordinate(int64_t kernel, int64_t stride, int64_t dilation) {
  const int64_t period = stride / std::gcd(stride, dilation);
  return (kernel + period - 1) / period;
}

int64_t max_taps_per_pixel(const ConvGeometry& g) {
  return taps_per_coordinate(g.kernel_h, g.stride_h, g.dilation_h) *
         taps_per_coordinate(g.kernel_w, g.stride_w, g.dilation_w);
}

constexpr int64_t kPixelBlock = 32;  // pixels whose sums stay in registers across the slots

// For every image-plane pixel p, the column entries (tap, output pixel) that
// im2col copied from it, taps in order (kernels::conv_output_index), as
// indices tap * out_pixels + output pixel into one image's columns. Stored
// slot-major, `stride` (the plane rounded up to whole pixel blocks) apart:
// slot j of pixel p is index[j * stride + p]. Pixels with fewer entries, and
// the block padding past the plane, point at taps * out_pixels: a zero.
struct PixelSources {
  int64_t slots = 0, stride = 0;
  std::vector<int32_t> index;
};

PixelSources pixel_sources(const ConvGeometry& g) {
  const int64_t plane_size = g.height * g.width, out_pixels = g.out_height * g.out_width;
  const int64_t taps = g.kernel_h * g.kernel_w;
  check(taps * out_pixels < (int64_t(1) << 31), "col2im: ", taps, " taps of ", out_pixels,
        " output pixels are too many");
  PixelSources sources;
  sources.stride = (plane_size + kPixelBlock - 1) / kPixelBlock * kPixelBlock;
  sources.index.assign(max_taps_per_pixel(g) * sources.stride, static_cast<int32_t>(taps * out_pixels));
  std::vector<int64_t> filled(plane_size, 0);
  for (int64_t kh = 0; kh < g.kernel_h; ++kh)
    for (int64_t kw = 0; kw < g.kernel_w; ++kw)
      for (int64_t ih = 0; ih < g.height; ++ih) {
        const int64_t oh = kernels::conv_output_index(ih, kh, g.stride_h, g.pad_top, g.dilation_h, g.out_height);
        if (oh < 0) continue;
        for (int64_t iw = 0; iw < g.width; ++iw) {
          const int64_t ow = kernels::conv_output_index(iw, kw, g.stride_w, g.pad_left, g.dilation_w, g.out_width);
          if (ow < 0) continue;
          const int64_t p = ih * g.width + iw;
          sources.index[filled[p]++ * sources.stride + p] =
              static_cast<int32_t>((kh * g.kernel_w + kw) * out_pixels + oh * g.out_width + ow);
        }
      }
  sources.slots = *std::max_element(filled.begin(), filled.end());  // the bound may not be reached at the borders
  sources.index.resize(sources.slots * sources.stride);
  return sources;
}

// Whether col2im gathers (see the top): strided, with the table and one
// image's columns within 32 KiB.
template <typename T>
bool gather_fits_in_l1(const ConvGeometry& g) {
  if (g.stride_h == 1 && g.stride_w == 1) return false;
  const int64_t bytes = max_taps_per_pixel(g) * g.height * g.width * int64_t(sizeof(int32_t)) +
                        g.kernel_h * g.kernel_w * g.out_height * g.out_width * int64_t(sizeof(T));
  return bytes <= 32 * 1024;
}

// col2im by gathering: one image's columns of channel c are copied into an
// L1-resident buffer (taps x out_pixels, then the zero); for each block of
// pixels the slots' gathers are summed in registers and stored once.
template <typename T>
void col2im_gather_task(const T* columns, T* image, int64_t row_length, const ConvGeometry& g,
                        const PixelSources& sources, const Task& task) {
  const int64_t out_pixels = g.out_height * g.out_width, plane_size = g.height * g.width;
  const int64_t taps = g.kernel_h * g.kernel_w;
  std::vector<T> entries(taps * out_pixels + 1, T(0));
  for (int64_t n = task.first_image; n < task.last_image; ++n) {
    for (int64_t tap = 0; tap < taps; ++tap) {
      const T* row = columns + (task.channel * taps + tap) * row_length + n * out_pixels;
      std::copy(row, row + out_pixels, entries.begin() + tap * out_pixels);
    }
    T* plane = image + (n * g.channels + task.channel) * plane_size;
    for (int64_t first = 0; first < plane_size; first += kPixelBlock) {
      T sum[kPixelBlock] = {};
      for (int64_t j = 0; j < sources.slots; ++j) {
        const int32_t* source = sources.index.data() + j * sources.stride + first;
        for (int64_t p = 0; p < kPixelBlock; ++p) sum[p] += entries[source[p]];
      }
      std::copy(sum, sum + std::min(kPixelBlock, plane_size - first), plane + first);
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
    if (!gather_fits_in_l1<T>(g)) {
      for_each_task(g, columns.numel(), [&](const Task& task) { col2im_task(in, out, row_length, g, task); });
    } else {
      const PixelSources sources = pixel_sources(g);
      for_each_task(g, columns.numel(),
                    [&](const Task& task) { col2im_gather_task(in, out, row_length, g, sources, task); });
    }
  });
}

}  // namespace gs::cpu
