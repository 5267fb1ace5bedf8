#include "data/cifar10.h"

#include <sys/stat.h>

#include <cstring>
#include <vector>

#include "data/idx.h"
#include "data/zlib_stream.h"
#include "tensor/error.h"

namespace gs::data {
namespace {

constexpr int64_t kSide = 32;
constexpr int64_t kPixels = 3 * kSide * kSide;
constexpr int64_t kRecord = 1 + kPixels;

// dir/name.gz or dir/name, or "".
std::string batch_path(const std::string& dir, const std::string& name) {
  struct stat info {};
  for (const std::string& path : {dir + "/" + name, dir + "/" + name + ".gz"}) {
    if (::stat(path.c_str(), &info) == 0) return path;
  }
  return "";
}

std::vector<std::string> batch_names(Split split) {
  if (split == Split::kTest) return {"test_batch.bin"};
  return {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"};
}

}  // namespace

Dataset load_cifar10_batch(const std::string& path, PixelRange range) {
  return parse_cifar10_batch(read_maybe_gzipped(path), path, range);
}

Dataset parse_cifar10_batch(const std::string& bytes, const std::string& path, PixelRange range) {
  check(!bytes.empty() && bytes.size() % kRecord == 0, path, ": not a CIFAR-10 binary batch: its ", bytes.size(),
        " bytes are not a whole number of 3073-byte records (1 label byte + 3072 pixel bytes)");
  const int64_t count = static_cast<int64_t>(bytes.size()) / kRecord;
  std::string pixels(static_cast<size_t>(count * kPixels), '\0');
  Tensor labels = empty({count}, kInt64);
  int64_t* label = labels.data<int64_t>();
  for (int64_t i = 0; i < count; ++i) {
    const auto value = static_cast<uint8_t>(bytes[i * kRecord]);
    check(value <= 9, path, ": record ", i, " has label ", int{value}, "; CIFAR-10 labels are 0..9 ",
          "(is this the CIFAR-100 binary format?)");
    label[i] = value;
    std::memcpy(&pixels[i * kPixels], &bytes[i * kRecord + 1], kPixels);
  }
  // The planes are already in [N][colour][row][column] order.
  Tensor images = bytes_to_images(reinterpret_cast<const uint8_t*>(pixels.data()), count, 3, kSide, kSide, range);
  return {images, labels};
}

bool has_cifar10_files(const std::string& dir) {
  for (Split split : {Split::kTrain, Split::kTest}) {
    for (const std::string& name : batch_names(split)) {
      if (batch_path(dir, name).empty()) return false;
    }
  }
  return true;
}

std::string find_cifar10_dir(const std::string& data_flag) {
  std::vector<std::string> candidates{"data/cifar10", "data/cifar10/cifar-10-batches-bin"};
  for (const std::string& dir : mirror_candidates("cifar10")) {
    candidates.push_back(dir);
    candidates.push_back(dir + "/cifar-10-batches-bin");
  }
  return find_data_dir(data_flag, candidates, has_cifar10_files,
                       "CIFAR-10 files (data_batch_1.bin to data_batch_5.bin and test_batch.bin)", "cifar10");
}

Dataset load_cifar10(const std::string& dir, Split split, PixelRange range) {
  check(!dir.empty(), "CIFAR-10 not found. Download cifar-10-binary.tar.gz from ",
        "https://www.cs.toronto.edu/~kriz/cifar.html, unpack it into data/cifar10, or pass --data DIR.");
  std::vector<Dataset> parts;
  int64_t total = 0;
  for (const std::string& name : batch_names(split)) {
    const std::string path = batch_path(dir, name);
    check(!path.empty(), "CIFAR-10: ", dir, " lacks ", name);
    parts.push_back(load_cifar10_batch(path, range));
    total += parts.back().size();
  }
  if (parts.size() == 1) return parts[0];
  Dataset all{empty({total, 3, kSide, kSide}, kFloat32), empty({total}, kInt64)};
  int64_t at = 0;
  for (const Dataset& part : parts) {
    std::memcpy(all.images.data<float>() + at * kPixels, part.images.data<float>(), part.size() * kPixels * sizeof(float));
    std::memcpy(all.labels.data<int64_t>() + at, part.labels.data<int64_t>(), part.size() * sizeof(int64_t));
    at += part.size();
  }
  return all;
}

}  // namespace gs::data
