#include "data/mnist.h"

#include <sys/stat.h>

#include <cstdlib>
#include <vector>

#include "data/idx.h"
#include "tensor/error.h"

namespace gs::data {
namespace {

const char* const kFileStems[] = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                                  "t10k-labels-idx1-ubyte"};

bool is_file(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode);
}

// dir/stem.gz when present, else dir/stem; "" when neither is.
std::string idx_path(const std::string& dir, const std::string& stem) {
  if (is_file(dir + "/" + stem + ".gz")) return dir + "/" + stem + ".gz";
  if (is_file(dir + "/" + stem)) return dir + "/" + stem;
  return "";
}

Dataset load_idx_pair(const std::string& dir, Split split, PixelRange range, const std::string& what,
                      const std::string& how_to_get) {
  check(!dir.empty(), what, " not found. ", how_to_get);
  const std::string prefix = split == Split::kTrain ? "train" : "t10k";
  const std::string images_path = idx_path(dir, prefix + "-images-idx3-ubyte");
  const std::string labels_path = idx_path(dir, prefix + "-labels-idx1-ubyte");
  check(!images_path.empty() && !labels_path.empty(), what, ": ", dir, " lacks ", prefix,
        "-images-idx3-ubyte(.gz) or ", prefix, "-labels-idx1-ubyte(.gz). ", how_to_get);
  Dataset dataset{load_idx_images(images_path, range), load_idx_labels(labels_path)};
  check(dataset.images.size(0) == dataset.labels.size(0), images_path, " holds ", dataset.images.size(0),
        " images but ", labels_path, " holds ", dataset.labels.size(0), " labels");
  const std::vector<int64_t> labels = dataset.labels.to_vector<int64_t>();
  for (size_t i = 0; i < labels.size(); ++i) {
    check(labels[i] <= 9, labels_path, ": label ", labels[i], " at position ", i, " is not a digit class 0..9");
  }
  return dataset;
}

}  // namespace

bool has_mnist_files(const std::string& dir) {
  for (const char* stem : kFileStems) {
    if (idx_path(dir, stem).empty()) return false;
  }
  return true;
}

std::vector<std::string> mirror_candidates(const std::string& subdir) {
  const char* mirror = std::getenv("GRADSCHOOL_DATA_MIRROR");
  if (mirror == nullptr || *mirror == '\0') return {};
  return {std::string(mirror) + "/" + subdir, mirror};
}

// --data names the folder of the four files, or its parent (`--data data`
// finds data/mnist).
std::string find_data_dir(const std::string& data_flag, const std::vector<std::string>& candidates,
                          bool (*has_files)(const std::string&), const std::string& what,
                          const std::string& subdir) {
  if (!data_flag.empty()) {
    if (has_files(data_flag)) return data_flag;
    const std::string nested = data_flag + "/" + subdir;
    check(has_files(nested), "--data ", data_flag, ": neither this directory nor ", nested, " holds the ", what);
    return nested;
  }
  for (const std::string& dir : candidates) {
    if (has_files(dir)) return dir;
  }
  return "";
}

std::string find_mnist_dir(const std::string& data_flag) {
  std::vector<std::string> candidates{"data/mnist"};
  for (const std::string& dir : mirror_candidates("mnist")) candidates.push_back(dir);
  return find_data_dir(data_flag, candidates, has_mnist_files, "MNIST files (the four *-ubyte.gz files)", "mnist");
}

std::string find_fashion_mnist_dir(const std::string& data_flag) {
  return find_data_dir(data_flag, {"data/fashion-mnist", "/usr/share/datasets/fashion-mnist"}, has_mnist_files,
                       "Fashion-MNIST files (the four *-ubyte.gz files)", "fashion-mnist");
}

Dataset load_mnist(const std::string& dir, Split split, PixelRange range) {
  return load_idx_pair(dir, split, range, "MNIST",
                       "Run `make data` (it downloads the files, or copies them from $GRADSCHOOL_DATA_MIRROR), "
                       "or pass --data DIR with the four *-ubyte.gz files.");
}

Dataset load_fashion_mnist(const std::string& dir, Split split, PixelRange range) {
  return load_idx_pair(dir, split, range, "Fashion-MNIST",
                       "Install Debian's dataset-fashion-mnist package (apt-get install dataset-fashion-mnist), "
                       "or put its four *-ubyte.gz files in data/fashion-mnist.");
}

}  // namespace gs::data
