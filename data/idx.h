// The IDX format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/).
// All integers are big-endian:
//   bytes 0-1  zero
//   byte  2    element type (0x08 = unsigned byte, the only one MNIST uses)
//   byte  3    number of dimensions d
//   4 bytes    size of each dimension (d of them)
//   then the elements, row-major (the last dimension varies fastest).
// Files may be gzipped (.gz); the readers detect that from the content.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "data/pixel_range.h"
#include "tensor/tensor.h"

namespace gs::data {

struct IdxArray {
  std::vector<int64_t> dims;
  std::string bytes;  // the elements, exactly product(dims) of them
};

// Reads any unsigned-byte IDX array; gs::Error naming the file if the magic
// number, the dimensions or the length are wrong.
IdxArray read_idx(const std::string& path);
// The same checks on bytes already in memory; `source` names them in errors.
IdxArray parse_idx(std::string bytes, const std::string& source);

// Images [N, 1, rows, cols] float32, scaled to `range`; the file must hold a 3-D array.
Tensor load_idx_images(const std::string& path, PixelRange range = PixelRange::kMinusOneToOne);
// Labels [N] int64; the file must hold a 1-D array.
Tensor load_idx_labels(const std::string& path);

// Bytes of an unsigned-byte IDX file (for tests and tools): header then elements.
std::string idx_file_bytes(const std::vector<int64_t>& dims, const std::string& elements);

// The writers, so generated data reads back like MNIST. Both write atomically
// and gzip the file when `path` ends in ".gz".
// Images [N, 1, rows, cols] in `range` (values outside it saturate) -> an IDX image file.
void save_idx_images(const std::string& path, const Tensor& images, PixelRange range = PixelRange::kMinusOneToOne);
// Labels [N] (integers 0..255) -> an IDX label file.
void save_idx_labels(const std::string& path, const Tensor& labels);

// Bytes 0..255 to floats in `range`, [N, 1, rows, cols]; shared by the readers.
Tensor bytes_to_images(const uint8_t* bytes, int64_t count, int64_t channels, int64_t rows, int64_t cols,
                       PixelRange range);

}  // namespace gs::data
