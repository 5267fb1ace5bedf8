// SVHN format 2 (MAT-files) and CIFAR-10 binary batches, on fixtures written
// here: no real SVHN or CIFAR-10 is needed.
#include "data/cifar10.h"
#include "data/mat_file.h"
#include "data/svhn.h"
#include "data/zlib_stream.h"
#include "tests/data_fixtures.h"
#include "tests/helpers.h"

using namespace gs;
using namespace gs::data;
using gs::testing::error_message;
using gs::testing::TempDir;

namespace {

constexpr int64_t kRows = 3, kCols = 5, kCount = 4;  // not square, so a missed transpose shows

// MATLAB's X(r, c, k, n), column-major: r + rows*(c + cols*(k + 3*n)).
int64_t column_major(int64_t r, int64_t c, int64_t k, int64_t n) { return r + kRows * (c + kCols * (k + 3 * n)); }

uint8_t pixel_value(int64_t r, int64_t c, int64_t k, int64_t n) { return static_cast<uint8_t>(r + 10 * c + 60 * k + 7 * n); }

MatVariable svhn_x() {
  MatVariable x;
  x.name = "X";
  x.mat_class = MatClass::kUInt8;
  x.storage_type = MatType::kUInt8;
  x.dims = {kRows, kCols, 3, kCount};
  x.real.resize(kRows * kCols * 3 * kCount);
  for (int64_t n = 0; n < kCount; ++n)
    for (int64_t k = 0; k < 3; ++k)
      for (int64_t c = 0; c < kCols; ++c)
        for (int64_t r = 0; r < kRows; ++r) x.real[column_major(r, c, k, n)] = static_cast<char>(pixel_value(r, c, k, n));
  return x;
}

MatVariable svhn_y(const std::vector<double>& labels) {
  MatVariable y;
  y.name = "y";
  y.dims = {static_cast<int64_t>(labels.size()), 1};
  y.real.assign(reinterpret_cast<const char*>(labels.data()), labels.size() * sizeof(double));
  return y;
}

}  // namespace

TEST_CASE("SVHN: MATLAB's column-major X becomes row-major [N, 3, H, W], and label 10 becomes digit 0") {
  TempDir dir;
  for (bool compressed : {false, true}) {
    INFO("compressed: " << compressed);
    const std::string path = dir.file("train_32x32.mat");
    save_mat_file(path, {svhn_x(), svhn_y({10, 1, 5, 10})}, compressed);
    const Dataset data = load_svhn_file(path, PixelRange::kZeroToOne);
    REQUIRE(data.images.shape() == Shape{kCount, 3, kRows, kCols});
    CHECK(data.labels.to_vector<int64_t>() == std::vector<int64_t>{0, 1, 5, 0});
    // One known pixel: row 1, column 4, blue, image 3.
    CHECK(data.images.select(0, 3).select(0, 2).select(0, 1).select(0, 4).item() ==
          doctest::Approx(pixel_value(1, 4, 2, 3) / 255.0));
    const std::vector<float> images = data.images.to_vector<float>();
    int64_t i = 0;
    for (int64_t n = 0; n < kCount; ++n)
      for (int64_t k = 0; k < 3; ++k)
        for (int64_t r = 0; r < kRows; ++r)
          for (int64_t c = 0; c < kCols; ++c, ++i) REQUIRE(images[i] == doctest::Approx(pixel_value(r, c, k, n) / 255.0));
  }
}

TEST_CASE("SVHN: a missing variable, a wrong class or labels out of range are named in the error") {
  TempDir dir;
  const std::string path = dir.file("test_32x32.mat");

  save_mat_file(path, {svhn_x()}, true);
  CHECK(error_message([&] { load_svhn_file(path); }) ==
        path + ": no variable 'y' (the file holds: X); an SVHN format-2 file holds X (images) and y (labels)");

  save_mat_file(path, {svhn_x(), svhn_y({10, 0, 5, 10})}, true);
  CHECK(error_message([&] { load_svhn_file(path); }) ==
        path + ": label 0 of image 1 is outside 1..10 (SVHN writes the digit 0 as 10)");

  save_mat_file(path, {svhn_x(), svhn_y({10, 11, 5, 10})}, false);
  CHECK(error_message([&] { load_svhn_file(path); }) ==
        path + ": label 11 of image 1 is outside 1..10 (SVHN writes the digit 0 as 10)");

  save_mat_file(path, {svhn_x(), svhn_y({1, 2, 3})}, false);
  CHECK(error_message([&] { load_svhn_file(path); }) ==
        path + ": y must be 4 x 1 (one label per image in X), but it is [3,1]");

  MatVariable double_x = svhn_y(std::vector<double>(kRows * kCols * 3 * kCount, 1.0));
  double_x.name = "X";
  double_x.dims = {kRows, kCols, 3, kCount};
  save_mat_file(path, {double_x, svhn_y({1, 2, 3, 4})}, false);
  CHECK(error_message([&] { load_svhn_file(path); }) == path + ": X must be a uint8 array, but it is double");

  CHECK(error_message([] { load_svhn("", Split::kTrain); }).find("SVHN not found. Run `make data`") == 0);
}

TEST_CASE("CIFAR-10: records of 1 label byte + red, green, blue planes, raw or gzipped") {
  TempDir dir;
  std::string bytes;
  for (int record = 0; record < 2; ++record) {
    bytes += static_cast<char>(record == 0 ? 6 : 9);
    for (int i = 0; i < 3072; ++i) bytes += static_cast<char>((i * 13 + record) % 256);
  }
  for (bool gzipped : {false, true}) {
    const std::string path = dir.write(gzipped ? "test_batch.bin.gz" : "test_batch.bin", gzipped ? gzip(bytes) : bytes);
    const Dataset data = load_cifar10_batch(path, PixelRange::kZeroToOne);
    REQUIRE(data.images.shape() == Shape{2, 3, 32, 32});
    CHECK(data.labels.to_vector<int64_t>() == std::vector<int64_t>{6, 9});
    // Record 1, green plane (1024 bytes in), row 2, column 7.
    const int i = 1024 + 2 * 32 + 7;
    CHECK(data.images.select(0, 1).select(0, 1).select(0, 2).select(0, 7).item() ==
          doctest::Approx(((i * 13 + 1) % 256) / 255.0));
  }
  const std::string short_path = dir.write("short.bin", bytes.substr(0, 5000));
  CHECK(error_message([&] { load_cifar10_batch(short_path); }) ==
        short_path + ": not a CIFAR-10 binary batch: its 5000 bytes are not a whole number of 3073-byte records "
                     "(1 label byte + 3072 pixel bytes)");
  bytes[3073] = 57;
  const std::string bad_label = dir.write("label.bin", bytes);
  CHECK(error_message([&] { load_cifar10_batch(bad_label); }) ==
        bad_label + ": record 1 has label 57; CIFAR-10 labels are 0..9 (is this the CIFAR-100 binary format?)");
}
