// Helpers for the data tests: a temporary directory that removes itself, and
// small byte-level builders for fixture files.
#pragma once
#include <doctest/doctest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "data/idx.h"
#include "data/zlib_stream.h"
#include "tensor/file_io.h"
#include "autograd/ops.h"
#include "tensor/generator.h"

namespace gs::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "gradschool-test-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data()) ? pattern : "";
    REQUIRE_MESSAGE(!path_.empty(), "could not create a temporary directory");
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // path/name, after writing `bytes` there when given.
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  std::string write(const std::string& name, const std::string& bytes) const {
    write_file_atomic(file(name), bytes);
    return file(name);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Little-endian 32-bit integer as 4 bytes, for hand-assembled files.
inline std::string le32(uint32_t value) {
  return {char(value & 0xff), char(value >> 8 & 0xff), char(value >> 16 & 0xff), char(value >> 24 & 0xff)};
}

// Writes a stand-in for MNIST into `dir`: the four gzipped IDX files with
// `train` and `test` random 28x28 images and labels 0..9 in turn.
inline void write_mnist_fixture(const TempDir& dir, int64_t train, int64_t test, uint64_t seed = 1) {
  Generator gen(seed);
  auto write_split = [&](const std::string& prefix, int64_t count) {
    std::vector<uint8_t> pixels = (rand({count * 28 * 28}, gen) * 255.0).to(kUInt8).to_vector<uint8_t>();
    std::string labels;
    for (int64_t i = 0; i < count; ++i) labels += static_cast<char>(i % 10);
    dir.write(prefix + "-images-idx3-ubyte.gz",
              data::gzip(data::idx_file_bytes({count, 28, 28}, std::string(pixels.begin(), pixels.end()))));
    dir.write(prefix + "-labels-idx1-ubyte.gz", data::gzip(data::idx_file_bytes({count}, labels)));
  };
  write_split("train", train);
  write_split("t10k", test);
}

}  // namespace gs::testing
