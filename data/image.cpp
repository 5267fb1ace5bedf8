#include "data/image.h"

#include <algorithm>
#include <cstring>

#include "tensor/error.h"
#include "tensor/file_io.h"

// stb is a header-only library; exactly one file of the program compiles its
// code. STATIC keeps its functions private to this file.
#define STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STB_IMAGE_WRITE_STATIC
#include <stb/stb_image.h>
#include <stb/stb_image_write.h>

namespace gs::data {

Tensor make_image_grid(const Tensor& images, int64_t nrow, PixelRange range, int64_t padding) {
  check(images.dim() == 4, "make_image_grid: images must be [N, C, H, W], got ", shape_str(images.shape()));
  check(images.size(1) == 1 || images.size(1) == 3, "make_image_grid: images must have 1 or 3 channels, got ",
        images.size(1), " (shape ", shape_str(images.shape()), ")");
  check(images.size(0) > 0, "make_image_grid: no images to draw");
  check(nrow > 0 && padding >= 0, "make_image_grid: nrow must be positive and padding non-negative, got nrow ", nrow,
        ", padding ", padding);
  const int64_t count = images.size(0), channels = images.size(1), height = images.size(2), width = images.size(3);
  const int64_t columns = std::min(nrow, count), rows = (count + columns - 1) / columns;
  const int64_t cell_height = height + padding, cell_width = width + padding;
  Tensor grid = zeros({rows * cell_height + padding, columns * cell_width + padding, channels}, kUInt8);
  uint8_t* out = grid.data<uint8_t>();
  const int64_t grid_width = grid.size(1);
  const std::vector<double> values = images.to_vector<double>();
  for (int64_t n = 0; n < count; ++n) {
    const int64_t top = (n / columns) * cell_height + padding, left = (n % columns) * cell_width + padding;
    for (int64_t c = 0; c < channels; ++c) {
      for (int64_t y = 0; y < height; ++y) {
        for (int64_t x = 0; x < width; ++x) {
          const double value = values[((n * channels + c) * height + y) * width + x];
          out[((top + y) * grid_width + left + x) * channels + c] = pixel_to_byte(value, range);
        }
      }
    }
  }
  return grid;
}

void save_png(const Tensor& pixels, const std::string& path) {
  check(pixels.dtype() == kUInt8 && pixels.dim() == 3 && pixels.size(2) >= 1 && pixels.size(2) <= 4,
        "save_png: ", path, ": pixels must be uint8 [H, W, C] with C = 1..4, got ", dtype_name(pixels.dtype()), " ",
        shape_str(pixels.shape()));
  const Tensor bytes = pixels.contiguous();
  const int height = static_cast<int>(bytes.size(0)), width = static_cast<int>(bytes.size(1));
  const int channels = static_cast<int>(bytes.size(2));
  std::string png;
  auto append = [](void* context, void* data, int size) {
    static_cast<std::string*>(context)->append(static_cast<const char*>(data), static_cast<size_t>(size));
  };
  const int ok = stbi_write_png_to_func(append, &png, width, height, channels, bytes.data<uint8_t>(), width * channels);
  check(ok != 0, "save_png: ", path, ": stb_image_write could not encode the image");
  write_file_atomic(path, png);
}

void save_image_grid(const Tensor& images, const std::string& path, int64_t nrow, PixelRange range, int64_t padding) {
  save_png(make_image_grid(images, nrow, range, padding), path);
}

Tensor load_image(const std::string& path, int channels, PixelRange range) {
  check(channels == 0 || channels == 1 || channels == 3, "load_image: channels must be 0 (as stored), 1 or 3, got ",
        channels);
  const std::string bytes = read_file(path);
  int width = 0, height = 0, stored = 0;
  stbi_uc* pixels = stbi_load_from_memory(reinterpret_cast<const stbi_uc*>(bytes.data()), static_cast<int>(bytes.size()),
                                          &width, &height, &stored, channels);
  check(pixels != nullptr, path, ": cannot decode the image (", stbi_failure_reason(), ")");
  const int64_t c_count = channels != 0 ? channels : stored;
  Tensor image = empty({c_count, height, width}, kFloat32);
  float* out = image.data<float>();
  for (int64_t c = 0; c < c_count; ++c) {
    for (int64_t i = 0; i < int64_t{height} * width; ++i) out[c * height * width + i] = byte_to_pixel(pixels[i * c_count + c], range);
  }
  stbi_image_free(pixels);
  return image;
}

}  // namespace gs::data
