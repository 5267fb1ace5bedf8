// The IDX reader (MNIST, Fashion-MNIST): exact round trips of small fixtures,
// and a clear gs::Error for every way a file can be broken.
#include <chrono>

#include "data/dataset.h"
#include "data/idx.h"
#include "data/mnist.h"
#include "data/zlib_stream.h"
#include "tests/data_fixtures.h"
#include "tests/helpers.h"

using namespace gs;
using namespace gs::data;
using gs::testing::error_message;
using gs::testing::TempDir;

namespace {

// Three 2x4 images with distinct bytes, including 0 and 255.
std::string fixture_pixels() {
  std::string pixels;
  for (int i = 0; i < 3 * 2 * 4; ++i) pixels += static_cast<char>(i == 5 ? 255 : (i * 37) % 256);
  return pixels;
}

std::string fixture_image_file() { return idx_file_bytes({3, 2, 4}, fixture_pixels()); }

}  // namespace

TEST_CASE("the IDX header is big-endian: magic 00 00 08 <rank>, then one 32-bit size per dimension") {
  const std::string bytes = idx_file_bytes({3, 2, 4}, fixture_pixels());
  const std::string expected_header{0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 4};
  CHECK(bytes.substr(0, 16) == expected_header);
  CHECK(bytes.size() == 16 + 24);
}

TEST_CASE("IDX images and labels read back exactly, raw and gzipped, in both pixel ranges") {
  TempDir dir;
  const std::string pixels = fixture_pixels();
  for (bool gzipped : {false, true}) {
    const std::string image_bytes = fixture_image_file();
    const std::string label_bytes = idx_file_bytes({3}, std::string{3, 0, 9});
    const std::string images_path = dir.write("images", gzipped ? gzip(image_bytes) : image_bytes);
    const std::string labels_path = dir.write("labels", gzipped ? gzip(label_bytes) : label_bytes);
    INFO("gzipped: " << gzipped);

    const Tensor symmetric = load_idx_images(images_path);
    const Tensor unit = load_idx_images(images_path, PixelRange::kZeroToOne);
    REQUIRE(symmetric.shape() == Shape{3, 1, 2, 4});
    const std::vector<float> s = symmetric.to_vector<float>(), u = unit.to_vector<float>();
    for (size_t i = 0; i < pixels.size(); ++i) {
      const double byte = static_cast<uint8_t>(pixels[i]);
      CHECK(s[i] == doctest::Approx(byte / 127.5 - 1.0).epsilon(1e-6));
      CHECK(u[i] == doctest::Approx(byte / 255.0).epsilon(1e-6));
    }
    CHECK(s[0] == -1.0f);  // byte 0 is exactly the bottom of tanh's range
    CHECK(s[5] == 1.0f);   // byte 255 exactly the top

    const Tensor labels = load_idx_labels(labels_path);
    CHECK(labels.dtype() == kInt64);
    CHECK(labels.to_vector<int64_t>() == std::vector<int64_t>{3, 0, 9});
  }
}

TEST_CASE("every truncation of an IDX file is a gs::Error naming the file") {
  TempDir dir;
  const std::string whole = fixture_image_file();
  for (size_t length = 0; length < whole.size(); ++length) {
    const std::string path = dir.write("cut.idx", whole.substr(0, length));
    const std::string message = error_message([&] { load_idx_images(path); });
    INFO("length " << length << ": " << message);
    CHECK(message.find(path) != std::string::npos);
    if (length < 4) {
      CHECK(message.find("fewer than the 4-byte magic number") != std::string::npos);
    } else if (length < 16) {
      CHECK(message.find("truncated IDX header: 3 dimensions need 16 header bytes") != std::string::npos);
    } else {
      CHECK(message.find("the IDX header says [3,2,4] = more than " + std::to_string(length - 16) + " bytes") !=
            std::string::npos);
      CHECK(message.find("(truncated file?)") != std::string::npos);
    }
  }
}

TEST_CASE("every truncation of a gzipped IDX file is a gs::Error naming the file") {
  TempDir dir;
  const std::string whole = gzip(fixture_image_file());
  for (size_t length = 1; length < whole.size(); ++length) {
    const std::string path = dir.write("cut.gz", whole.substr(0, length));
    const std::string message = error_message([&] { load_idx_images(path); });
    INFO("length " << length << ": " << message);
    CHECK(message.find(path) != std::string::npos);
  }
  // Cut inside the deflate data itself: zlib reports a stream that ends early.
  const std::string path = dir.write("half.gz", whole.substr(0, whole.size() / 2));
  CHECK(error_message([&] { load_idx_images(path); }).find("ends early (truncated file?)") != std::string::npos);
}

TEST_CASE("a flipped magic number or a wrong element type is rejected with the reason") {
  TempDir dir;
  std::string bytes = fixture_image_file();
  bytes[0] = 0x08;  // the magic's bytes shifted: not an IDX file at all
  std::string path = dir.write("flipped", bytes);
  CHECK(error_message([&] { load_idx_images(path); }) ==
        path + ": not an IDX file: the magic number must start with two zero bytes but starts with 8, 0");

  bytes = fixture_image_file();
  bytes[2] = 0x0D;  // IDX type 0x0D is float
  path = dir.write("floats", bytes);
  CHECK(error_message([&] { load_idx_images(path); }) ==
        path + ": IDX element type 0xd is not supported (MNIST uses unsigned bytes, type 0x08)");
}

TEST_CASE("an IDX file whose dimensions disagree with its length is rejected") {
  TempDir dir;
  const std::string path = dir.write("long", fixture_image_file() + "xy");
  CHECK(error_message([&] { load_idx_images(path); }) ==
        path + ": the IDX header says [3,2,4] = 24 bytes of data, but the file has 26 after the header (trailing bytes)");
}

TEST_CASE("an IDX header claiming 4 billion images fails before allocating them") {
  TempDir dir;
  std::string bytes = fixture_image_file();
  bytes[4] = bytes[5] = bytes[6] = bytes[7] = '\xff';  // N = 4,294,967,295
  const std::string path = dir.write("absurd", bytes);
  const auto start = std::chrono::steady_clock::now();
  const std::string message = error_message([&] { load_idx_images(path); });
  CHECK(message == path + ": the IDX header says [4294967295,2,4] = more than 24 bytes of data, but the file has 24 "
                          "after the header (truncated file?)");
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(100));
}

TEST_CASE("an IDX header with an empty dimension is refused (found by fuzzing)") {
  // tests/fuzz/fuzz_idx: [2365623552, 0, 121] holds no bytes, so the length
  // check passed, and building the images walked 2.4 billion empty ones.
  const std::string found("\x00\x00\x08\x03\x8d\x00\x8d\x00\x00\x00\x00\x00\x00\x00\x00\x79", 16);
  CHECK(error_message([&] { parse_idx(found, "fuzzed.idx"); }) ==
        "fuzzed.idx: the IDX header says [2365623552,0,121], an empty dimension");
  CHECK(error_message([&] { parse_idx(idx_file_bytes({0}, ""), "empty.idx"); }).find("an empty dimension") !=
        std::string::npos);
}

TEST_CASE("an image file is not a label file and vice versa") {
  TempDir dir;
  const std::string images = dir.write("images", fixture_image_file());
  const std::string labels = dir.write("labels", idx_file_bytes({3}, std::string{3, 0, 9}));
  CHECK(error_message([&] { load_idx_labels(images); }) ==
        images + ": expected an IDX label file (1 dimension: count) but it has 3 ([3,2,4]); is this an image file?");
  CHECK(error_message([&] { load_idx_images(labels); }) ==
        labels + ": expected an IDX image file (3 dimensions: count x rows x cols) but it has 1 ([3]); "
                 "is this a label file?");
}

TEST_CASE("a missing file is a gs::Error naming it") {
  CHECK(error_message([] { load_idx_images("/nonexistent/train-images-idx3-ubyte.gz"); })
            .find("/nonexistent/train-images-idx3-ubyte.gz: cannot open") == 0);
}

TEST_CASE("save_idx_images/save_idx_labels write files the MNIST readers and the DataLoader read back") {
  TempDir dir;
  Generator gen(4);
  // Pixels that are exact bytes in [-1, 1] (b / 127.5 - 1), so the round trip is exact.
  const Tensor bytes = (rand({5, 1, 3, 2}, gen) * 255.0).to(kUInt8).to(kFloat32);
  const Tensor images = bytes / 127.5 - 1.0;
  const Tensor labels = tensor(std::vector<int64_t>{7, 0, 255, 3, 9});
  for (const std::string suffix : {"", ".gz"}) {
    INFO("suffix '" << suffix << "'");
    const std::string images_path = dir.file("images" + suffix), labels_path = dir.file("labels" + suffix);
    save_idx_images(images_path, images);
    save_idx_labels(labels_path, labels);
    CHECK(is_gzip(read_file(images_path)) == (suffix == ".gz"));
    testing::expect_close(load_idx_images(images_path), images, 1e-6, 0);
    CHECK(load_idx_labels(labels_path).to_vector<int64_t>() == labels.to_vector<int64_t>());
    // The header is the IDX one: 3 dimensions N x rows x cols.
    CHECK(read_idx(images_path).dims == std::vector<int64_t>{5, 3, 2});
  }
  // Written under MNIST's file names, the pair is a dataset the MNIST loader
  // and the DataLoader walk like the real one.
  save_idx_images(dir.file("train-images-idx3-ubyte.gz"), images);
  save_idx_labels(dir.file("train-labels-idx1-ubyte.gz"), tensor(std::vector<int64_t>{7, 0, 5, 3, 9}));
  save_idx_images(dir.file("t10k-images-idx3-ubyte.gz"), images.narrow(0, 0, 2));
  save_idx_labels(dir.file("t10k-labels-idx1-ubyte.gz"), tensor(std::vector<int64_t>{1, 2}));
  REQUIRE(has_mnist_files(dir.path()));
  DataLoader loader(load_mnist(dir.path(), Split::kTrain), {.batch_size = 2, .shuffle = false});
  std::vector<int64_t> seen_labels;
  int64_t batches = 0;
  for (const Batch& batch : loader) {
    testing::expect_close(batch.images, images.narrow(0, 2 * batches, batch.images.size(0)), 1e-6, 0);
    for (int64_t label : batch.labels.to_vector<int64_t>()) seen_labels.push_back(label);
    ++batches;
  }
  CHECK(batches == 3);
  CHECK(seen_labels == std::vector<int64_t>{7, 0, 5, 3, 9});
  // Values outside the range saturate instead of wrapping around.
  save_idx_images(dir.file("saturated"), tensor(std::vector<float>{-3.f, 2.f}, {1, 1, 1, 2}));
  CHECK(read_idx(dir.file("saturated")).bytes == std::string{'\0', '\xff'});
  // Zero-to-one images keep their own scale.
  save_idx_images(dir.file("unit"), tensor(std::vector<float>{0.f, 1.f}, {1, 1, 1, 2}), PixelRange::kZeroToOne);
  CHECK(read_idx(dir.file("unit")).bytes == std::string{'\0', '\xff'});
}

TEST_CASE("the IDX writers reject what an IDX file cannot hold") {
  TempDir dir;
  CHECK(error_message([&] { save_idx_images(dir.file("x"), zeros({2, 3, 4, 4})); }) ==
        "save_idx_images: IDX image files hold one channel, so the images must be [N, 1, rows, cols], not [2,3,4,4]");
  CHECK(error_message([&] { save_idx_labels(dir.file("y"), tensor(std::vector<int64_t>{1, 300})); }) ==
        "save_idx_labels: label 300 at position 1 does not fit in an unsigned byte (0..255)");
}
