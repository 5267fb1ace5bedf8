// Helpers for the data tests: a temporary directory that removes itself, and
// small byte-level builders for fixture files.
#pragma once
#include <doctest/doctest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "tensor/file_io.h"

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

}  // namespace gs::testing
