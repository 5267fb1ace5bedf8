#include "data/svhn.h"

#include <sys/stat.h>

#include <cmath>

#include "data/mat_file.h"
#include "tensor/error.h"
#include "tensor/file_io.h"
#include "tensor/parallel.h"

namespace gs::data {
namespace {

std::string variable_names(const MatFile& file) {
  std::string names;
  for (const MatVariable& variable : file.variables) names += (names.empty() ? "" : ", ") + variable.name;
  return names.empty() ? "none" : names;
}

const MatVariable& require_variable(const MatFile& file, const std::string& name, const std::string& path) {
  const MatVariable* variable = file.find(name);
  check(variable != nullptr, path, ": no variable '", name, "' (the file holds: ", variable_names(file),
        "); an SVHN format-2 file holds X (images) and y (labels)");
  return *variable;
}

}  // namespace

Dataset load_svhn_file(const std::string& path, PixelRange range) {
  return parse_svhn_file(read_file(path), path, range);
}

Dataset parse_svhn_file(const std::string& bytes, const std::string& path, PixelRange range) {
  const MatFile file = parse_mat_file(bytes, path);
  const MatVariable& x = require_variable(file, "X", path);
  const MatVariable& y = require_variable(file, "y", path);

  check(x.mat_class == MatClass::kUInt8 && x.storage_type == MatType::kUInt8, path, ": X must be a uint8 array, ",
        "but it is ", mat_class_name(x.mat_class));
  check(x.dims.size() == 4 && x.dims[2] == 3, path, ": X must be rows x columns x 3 x N (colour images), but it is ",
        shape_str(x.dims));
  const int64_t rows = x.dims[0], cols = x.dims[1], count = x.dims[3];
  check(y.numel() == count && (y.dims.size() == 2 && (y.dims[0] == 1 || y.dims[1] == 1)), path, ": y must be ", count,
        " x 1 (one label per image in X), but it is ", shape_str(y.dims));

  const std::vector<double> label_values = y.values(path);
  Tensor labels = empty({count}, kInt64);
  int64_t* label = labels.data<int64_t>();
  for (int64_t i = 0; i < count; ++i) {
    const double value = label_values[i];
    check(value >= 1 && value <= 10 && value == std::floor(value), path, ": label ", value, " of image ", i,
          " is outside 1..10 (SVHN writes the digit 0 as 10)");
    label[i] = static_cast<int64_t>(value) % 10;
  }

  // MATLAB's X(r, c, k, n) sits at r + rows*(c + cols*(k + 3*n)); we want the
  // row-major [n][k][r][c], so each colour plane is transposed on the way.
  Tensor images = empty({count, 3, rows, cols}, kFloat32);
  float* out = images.data<float>();
  const auto* in = reinterpret_cast<const uint8_t*>(x.real.data());
  const int64_t plane = rows * cols;
  parallel_for(count * 3, count * 3 * plane, [&](int64_t n_and_k) {
    const uint8_t* source = in + n_and_k * plane;
    float* target = out + n_and_k * plane;
    for (int64_t c = 0; c < cols; ++c) {
      for (int64_t r = 0; r < rows; ++r) target[r * cols + c] = byte_to_pixel(source[r + rows * c], range);
    }
  });
  return {images, labels};
}

bool has_svhn_files(const std::string& dir) {
  struct stat info {};
  return ::stat((dir + "/train_32x32.mat").c_str(), &info) == 0 && ::stat((dir + "/test_32x32.mat").c_str(), &info) == 0;
}

std::string find_svhn_dir(const std::string& data_flag) {
  std::vector<std::string> candidates{"data/svhn"};
  for (const std::string& dir : mirror_candidates("svhn")) candidates.push_back(dir);
  return find_data_dir(data_flag, candidates, has_svhn_files, "SVHN files (train_32x32.mat and test_32x32.mat)",
                       "svhn");
}

Dataset load_svhn(const std::string& dir, Split split, PixelRange range) {
  check(!dir.empty(), "SVHN not found. Run `make data` (it downloads train_32x32.mat and test_32x32.mat from ",
        "http://ufldl.stanford.edu/housenumbers/, or copies them from $GRADSCHOOL_DATA_MIRROR), ",
        "or pass --data DIR holding them.");
  return load_svhn_file(dir + (split == Split::kTrain ? "/train_32x32.mat" : "/test_32x32.mat"), range);
}

}  // namespace gs::data
