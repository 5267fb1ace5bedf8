#include "data/idx.h"

#include "data/zlib_stream.h"
#include "tensor/error.h"
#include "tensor/file_io.h"
#include "tensor/parallel.h"

namespace gs::data {
namespace {

constexpr uint8_t kUnsignedByte = 0x08;

void write_idx_file(const std::string& path, const std::vector<int64_t>& dims, const std::string& elements) {
  const bool gzipped = path.size() >= 3 && path.compare(path.size() - 3, 3, ".gz") == 0;
  const std::string bytes = idx_file_bytes(dims, elements);
  write_file_atomic(path, gzipped ? gzip(bytes) : bytes);
}

uint32_t read_big_endian_u32(const std::string& bytes, size_t at) {
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data() + at);
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | uint32_t{p[3]};
}

}  // namespace

IdxArray parse_idx(std::string bytes, const std::string& source) {
  check(bytes.size() >= 4, source, ": not an IDX file: it has only ", bytes.size(),
        " bytes, fewer than the 4-byte magic number");
  const auto* magic = reinterpret_cast<const uint8_t*>(bytes.data());
  check(magic[0] == 0 && magic[1] == 0, source, ": not an IDX file: the magic number must start with two zero bytes",
        " but starts with ", int{magic[0]}, ", ", int{magic[1]});
  check(magic[2] == kUnsignedByte, source, ": IDX element type 0x", std::hex, int{magic[2]}, std::dec,
        " is not supported (MNIST uses unsigned bytes, type 0x08)");
  const int rank = magic[3];
  check(rank >= 1, source, ": IDX header declares 0 dimensions");
  const size_t header_size = 4 + 4 * static_cast<size_t>(rank);
  check(bytes.size() >= header_size, source, ": truncated IDX header: ", rank, " dimensions need ", header_size,
        " header bytes but the file has ", bytes.size());

  IdxArray array;
  // Multiply in 64 bits while comparing with the length we have, so a header
  // claiming billions of images is caught before anything is allocated.
  const uint64_t available = bytes.size() - header_size;
  uint64_t expected = 1;
  bool exceeds = false, has_zero = false;  // the product of the dims exceeds the bytes; a dim is 0
  for (int d = 0; d < rank; ++d) {
    const uint32_t size = read_big_endian_u32(bytes, 4 + 4 * static_cast<size_t>(d));
    array.dims.push_back(size);
    if (size == 0) has_zero = true;
    if (size != 0 && expected > available / size) exceeds = true;
    expected *= size;  // only reported when it did not overflow
  }
  // A dimension of size 0 holds nothing, yet its siblings may claim billions
  // of (empty) images for a loop to walk through: no data set has one.
  check(!has_zero, source, ": the IDX header says ", shape_str(array.dims), ", an empty dimension");
  if (exceeds) expected = available + 1;
  check(expected == available, source, ": the IDX header says ", shape_str(array.dims), " = ",
        expected > available ? "more than " + std::to_string(available) : std::to_string(expected),
        " bytes of data, but the file has ", available, " after the header",
        expected > available ? " (truncated file?)" : " (trailing bytes)");
  bytes.erase(0, header_size);
  array.bytes = std::move(bytes);
  return array;
}

IdxArray read_idx(const std::string& path) { return parse_idx(read_maybe_gzipped(path), path); }

Tensor bytes_to_images(const uint8_t* bytes, int64_t count, int64_t channels, int64_t rows, int64_t cols,
                       PixelRange range) {
  Tensor images = empty({count, channels, rows, cols}, kFloat32);
  float* out = images.data<float>();
  const int64_t per_image = channels * rows * cols;
  parallel_for(count, count * per_image, [&](int64_t n) {
    for (int64_t i = n * per_image; i < (n + 1) * per_image; ++i) out[i] = byte_to_pixel(bytes[i], range);
  });
  return images;
}

Tensor load_idx_images(const std::string& path, PixelRange range) {
  IdxArray array = read_idx(path);
  check(array.dims.size() == 3, path, ": expected an IDX image file (3 dimensions: count x rows x cols) but it has ",
        array.dims.size(), " (", shape_str(array.dims), "); is this a label file?");
  return bytes_to_images(reinterpret_cast<const uint8_t*>(array.bytes.data()), array.dims[0], 1, array.dims[1],
                         array.dims[2], range);
}

Tensor load_idx_labels(const std::string& path) {
  IdxArray array = read_idx(path);
  check(array.dims.size() == 1, path, ": expected an IDX label file (1 dimension: count) but it has ",
        array.dims.size(), " (", shape_str(array.dims), "); is this an image file?");
  Tensor labels = empty({array.dims[0]}, kInt64);
  int64_t* out = labels.data<int64_t>();
  for (int64_t i = 0; i < array.dims[0]; ++i) out[i] = static_cast<uint8_t>(array.bytes[i]);
  return labels;
}

std::string idx_file_bytes(const std::vector<int64_t>& dims, const std::string& elements) {
  check(!dims.empty() && dims.size() < 256, "idx_file_bytes: an IDX array has 1 to 255 dimensions, not ",
        dims.size());
  std::string bytes{'\0', '\0', static_cast<char>(kUnsignedByte), static_cast<char>(dims.size())};
  for (int64_t size : dims) {
    check(size >= 0 && size <= 0xffffffffLL, "idx_file_bytes: dimension ", size, " does not fit in 32 bits");
    for (int shift = 24; shift >= 0; shift -= 8) bytes += static_cast<char>((size >> shift) & 0xff);
  }
  return bytes + elements;
}

void save_idx_images(const std::string& path, const Tensor& images, PixelRange range) {
  check(images.dim() == 4 && images.size(1) == 1, "save_idx_images: IDX image files hold one channel, so the ",
        "images must be [N, 1, rows, cols], not ", shape_str(images.shape()));
  const std::vector<double> pixels = images.to_vector<double>();
  std::string elements(pixels.size(), '\0');
  for (size_t i = 0; i < pixels.size(); ++i) elements[i] = static_cast<char>(pixel_to_byte(pixels[i], range));
  write_idx_file(path, {images.size(0), images.size(2), images.size(3)}, elements);
}

void save_idx_labels(const std::string& path, const Tensor& labels) {
  check(labels.dim() == 1, "save_idx_labels: labels must be [N], not ", shape_str(labels.shape()));
  const std::vector<int64_t> values = labels.to_vector<int64_t>();
  std::string elements(values.size(), '\0');
  for (size_t i = 0; i < values.size(); ++i) {
    check(values[i] >= 0 && values[i] <= 255, "save_idx_labels: label ", values[i], " at position ", i,
          " does not fit in an unsigned byte (0..255)");
    elements[i] = static_cast<char>(values[i]);
  }
  write_idx_file(path, {labels.size(0)}, elements);
}

}  // namespace gs::data
