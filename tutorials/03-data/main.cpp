// Chapter 3: data. Loads MNIST (or Fashion-MNIST, or a stand-in it writes
// itself when neither is installed), shows the IDX header byte by byte, picks
// a 100-label semi-supervised split and saves the first 64 images as a PNG grid.
//   build/tutorials/03-data [--data DIR]
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>

#include "data/idx.h"
#include "data/image.h"
#include "data/mnist.h"
#include "data/split.h"
#include "data/zlib_stream.h"
#include "tensor/file_io.h"

using namespace gs;
using namespace gs::data;

// 60,000 + 10,000 28x28 images of the same IDX shape as MNIST: class c is a
// white bar at a height that depends on c. Only used when no dataset is installed.
std::string write_stand_in_dataset() {
  const std::string dir = (std::filesystem::temp_directory_path() / "gradschool-03-data-stand-in").string();
  std::filesystem::create_directories(dir);
  for (const auto& [prefix, count] : {std::pair<std::string, int>{"train", 60000}, {"t10k", 10000}}) {
    std::string pixels(static_cast<size_t>(count) * 784, '\0'), labels(count, '\0');
    for (int i = 0; i < count; ++i) {
      const int digit = i % 10;
      labels[i] = static_cast<char>(digit);
      for (int row = 2 + 2 * digit; row < 6 + 2 * digit; ++row)
        for (int col = 4; col < 24; ++col) pixels[static_cast<size_t>(i) * 784 + row * 28 + col] = '\xff';
    }
    write_file_atomic(dir + "/" + prefix + "-images-idx3-ubyte", idx_file_bytes({count, 28, 28}, pixels));
    write_file_atomic(dir + "/" + prefix + "-labels-idx1-ubyte", idx_file_bytes({count}, labels));
  }
  return dir;
}

int main(int argc, char** argv) {
  const std::string data_flag = argc > 2 && std::string(argv[1]) == "--data" ? argv[2] : "";
  std::string dir = find_mnist_dir(data_flag);
  if (dir.empty()) dir = find_fashion_mnist_dir();
  if (dir.empty()) dir = write_stand_in_dataset();
  std::fprintf(stderr, "03-data: reading %s\n", dir.c_str());

  // The IDX header, byte by byte.
  const std::string gzipped = dir + "/train-images-idx3-ubyte.gz";
  const std::string path = std::filesystem::exists(gzipped) ? gzipped : dir + "/train-images-idx3-ubyte";
  const std::string bytes = read_maybe_gzipped(path);
  auto hex = [&](int from, int to) {
    std::string s;
    for (int i = from; i < to; ++i) {
      char byte[4];
      std::snprintf(byte, sizeof byte, "%02x ", static_cast<uint8_t>(bytes[i]));
      s += byte;
    }
    return s;
  };
  const IdxArray header = parse_idx(bytes, path);
  std::printf("train-images-idx3-ubyte, its first 16 bytes:\n");
  std::printf("  %s        zero, zero\n", hex(0, 2).c_str());
  std::printf("  %s           element type 0x08: unsigned byte\n", hex(2, 3).c_str());
  std::printf("  %s           3 dimensions follow\n", hex(3, 4).c_str());
  std::printf("  %s  %lld images\n", hex(4, 8).c_str(), static_cast<long long>(header.dims[0]));
  std::printf("  %s  %lld rows\n", hex(8, 12).c_str(), static_cast<long long>(header.dims[1]));
  std::printf("  %s  %lld columns\n", hex(12, 16).c_str(), static_cast<long long>(header.dims[2]));
  std::printf("then %zu pixel bytes, one image after another\n", bytes.size() - 16);

  const Dataset train = load_mnist(dir, Split::kTrain, PixelRange::kMinusOneToOne);
  const std::vector<float> pixels = train.images.to_vector<float>();
  std::printf("\nimages %s float32, from %.0f to %.0f (byte / 127.5 - 1)\n", shape_str(train.images.shape()).c_str(),
              *std::min_element(pixels.begin(), pixels.end()), *std::max_element(pixels.begin(), pixels.end()));
  std::printf("labels %s int64\n", shape_str(train.labels.shape()).c_str());

  const SemiSupervisedSplit split = semi_supervised_split(train.labels, 100, /*seed=*/0);
  std::vector<int> per_class(10, 0);
  for (int64_t i : split.labeled_indices.to_vector<int64_t>()) ++per_class[train.labels.data<int64_t>()[i]];
  std::printf("\nsemi-supervised split: %lld labeled, %lld unlabeled\nlabeled per class:",
              static_cast<long long>(split.labeled_indices.size(0)), static_cast<long long>(split.unlabeled_indices.size(0)));
  for (int count : per_class) std::printf(" %d", count);
  std::printf("\n");

  std::filesystem::create_directories("out");
  const Tensor first64 = train.images.narrow(0, 0, 64);
  save_image_grid(first64, "out/03-data-grid.png", /*nrow=*/8, PixelRange::kMinusOneToOne);
  const Tensor grid = load_image("out/03-data-grid.png");
  std::printf("\nwrote out/03-data-grid.png: the first 64 images, 8 per row, %lld x %lld pixels\n",
              static_cast<long long>(grid.size(2)), static_cast<long long>(grid.size(1)));
  return 0;
}
