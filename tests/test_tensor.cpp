// Creating, printing, saving and loading tensors; clear errors on misuse.
#include <chrono>
#include <cstdio>
#include <unistd.h>

#include <fstream>

#include "tensor/file_io.h"
#include "tests/helpers.h"

using namespace gs;

TEST_CASE("creation functions") {
  CHECK(zeros({2, 3}).to_vector<float>() == std::vector<float>(6, 0.0f));
  CHECK(ones({2}, kFloat64).dtype() == kFloat64);
  CHECK(full({2}, 7.5).to_vector<float>() == std::vector<float>{7.5, 7.5});
  CHECK(arange(5).to_vector<float>() == std::vector<float>{0, 1, 2, 3, 4});
  CHECK(arange(1, 2, 0.25, kFloat64).to_vector<double>() == std::vector<double>{1, 1.25, 1.5, 1.75});
  CHECK(arange(4, kInt64).to_vector<int64_t>() == std::vector<int64_t>{0, 1, 2, 3});
  CHECK(scalar_tensor(3.0).dim() == 0);
  CHECK(scalar_tensor(3.0).item() == 3.0);
  CHECK(tensor(std::vector<float>{1, 2, 3}).shape() == Shape{3});
  CHECK(testing::error_message([] { tensor(std::vector<float>{1, 2, 3}, {2, 2}); }) ==
        "tensor: 3 values cannot fill shape [2,2] (4 elements)");
}

TEST_CASE("printing looks like PyTorch and names shape, dtype, device") {
  CHECK(tensor(std::vector<float>{1, -2.5, 0, 3}, {2, 2}).str() ==
        "tensor([[ 1.0000, -2.5000],\n"
        "        [ 0.0000,  3.0000]], shape=[2,2], dtype=float32, device=cpu)");
  CHECK(arange(3, kInt64).str() == "tensor([0, 1, 2], shape=[3], dtype=int64, device=cpu)");
  CHECK(scalar_tensor(2.0, kFloat64).str() == "tensor(2., shape=[], dtype=float64, device=cpu)");
  CHECK(tensor(std::vector<float>{1e-6f, 2e-6f}).str() ==
        "tensor([1.0000e-06, 2.0000e-06], shape=[2], dtype=float32, device=cpu)");
  CHECK(ones({2}).requires_grad_().str() == "tensor([1., 1.], shape=[2], dtype=float32, device=cpu, requires_grad=true)");
  std::string long_one = arange(2000).str();
  CHECK(long_one == "tensor([   0.,    1.,    2., ..., 1997., 1998., 1999.], shape=[2000], dtype=float32, device=cpu)");
}

TEST_CASE("misuse gives gs::Error with a message, not a crash") {
  Tensor undefined;
  CHECK(testing::error_message([&] { undefined.shape(); }).find("undefined tensor") != std::string::npos);
  CHECK(testing::error_message([] { zeros({2, 2}).item(); }) ==
        "item(): the tensor has 4 elements (shape [2,2]), item() needs exactly one");
  CHECK(testing::error_message([] { zeros({2}).data<double>(); }) == "data<float64>(): the tensor holds float32");
  CHECK(testing::error_message([] { zeros({2}).to(Device::cuda(63)); }).find("device cuda:63") == 0);
  CHECK(testing::error_message([] { zeros({2, 3}).size(2); }) ==
        "size: dim 2 is out of range for a tensor with 2 dims");
  CHECK(testing::error_message([] { parse_device("gpu"); }) == "unknown device 'gpu' (expected cpu, cuda or cuda:N)");
}

namespace {
std::string temp_path(const std::string& name) { return "/tmp/gradschool-test-" + std::to_string(getpid()) + "-" + name; }
}  // namespace

TEST_CASE(".npy round trip for every dtype, views and zero dims") {
  const std::string path = temp_path("x.npy");
  for (DType dtype : {kFloat32, kFloat64, kInt64, kUInt8}) {
    Tensor x = arange(12, dtype).reshape({3, 4}).t();  // a non-contiguous view is saved in C order
    save_npy(x, path);
    Tensor y = load_npy(path);
    CHECK(y.dtype() == dtype);
    CHECK(y.shape() == Shape{4, 3});
    CHECK(y.to_vector<double>() == x.to_vector<double>());
  }
  save_npy(scalar_tensor(5.0), path);
  CHECK(load_npy(path).dim() == 0);
  save_npy(zeros({7}), path);
  CHECK(load_npy(path).shape() == Shape{7});
  std::remove(path.c_str());
}

TEST_CASE(".npy reads the header NumPy writes") {
  // np.save of np.arange(3, dtype='<f8').reshape(1, 3): version 1.0; the 10-byte
  // preamble plus the header fill 128 bytes (spaces, then a newline)
  std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 3), }";
  header += std::string(128 - 10 - header.size() - 1, ' ') + "\n";
  std::string bytes = std::string("\x93NUMPY\x01\x00", 8) + char(header.size()) + '\0' + header;
  for (double v : {0.0, 1.0, 2.0}) bytes.append(reinterpret_cast<const char*>(&v), 8);
  const std::string path = temp_path("numpy.npy");
  write_file_atomic(path, bytes);
  Tensor x = load_npy(path);
  CHECK(x.shape() == Shape{1, 3});
  CHECK(x.to_vector<double>() == std::vector<double>{0, 1, 2});
  // our writer produces exactly NumPy's bytes for the same array
  save_npy(x, path);
  CHECK(read_file(path) == bytes);
  std::remove(path.c_str());
}

TEST_CASE(".npy errors name the file and the problem") {
  const std::string path = temp_path("bad.npy");
  save_npy(arange(10, kFloat64), path);
  const std::string good = read_file(path);
  write_file_atomic(path, good.substr(0, good.size() - 3));
  CHECK(testing::error_message([&] { load_npy(path); }) ==
        path + ": shape [10] of float64 needs 80 data bytes but the file holds 77");
  write_file_atomic(path, "not numpy at all");
  CHECK(testing::error_message([&] { load_npy(path); }) == path + ": not a .npy file (missing the \\x93NUMPY magic)");
  for (size_t cut = 0; cut < good.size(); ++cut) {  // every truncation is an error, never a crash
    write_file_atomic(path, good.substr(0, cut));
    CHECK_THROWS_AS(load_npy(path), Error);
  }
  std::remove(path.c_str());
  CHECK(testing::error_message([&] { load_npy(path); }).find(path + ": cannot open for reading") == 0);
}

TEST_CASE(".npy headers are read in one pass, never by a backtracking search (found by fuzzing)") {
  // tests/fuzz/fuzz_npy: std::regex spent minutes backtracking on this 128-byte file.
  const std::string found("\x93\x4e\x55\x4d\x50\x59\x01\x00\x76\x00\x7b\x27\x64\x65\x73\x63\x72\x27\x3a\x20\x27\x3c\x69\x38\x27\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x2c\x20\x27\x66\x6f\x72\x74\x72\x61\x6e\x5f\x6f\x72\x64\x65\x72\x27\x3a\x20\x46\x61\x6c\x73\x65\x2c\x75\x31\x20\x27\x73\x68\x61\x70\x65\x27\x3a\x20\x28\x31\x6e\x5f\x6f\x72\x64\x6f\x65\x72\x27\x3b\x3a\x20\x46\x61\x2c\x73\x6c\x65\x20\x31\x39\x30\x34\x39\x3d\x31\x31\x31\x31\x31\x31\x31\x31\x31\x27\x73\x68\x69\x70\x65\x30\x2c\x29\xff\xff\xff\xff\xff\xff\xff\xff", 128);
  const auto start = std::chrono::steady_clock::now();
  CHECK(testing::error_message([&] { parse_npy(found, "fuzzed.npy"); }).rfind("fuzzed.npy: ", 0) == 0);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(100));
}

TEST_CASE("shapes whose element count or strides overflow 64 bits are errors (found by fuzzing)") {
  // tests/fuzz/fuzz_npy: (3, 0, 23333, 30, 33, 1, 3, 3, 0, 2333333333333339) holds no element, but its
  // strides overflowed (undefined behaviour that UBSan reports).
  const Shape huge = {3, 0, 23333, 30, 33, 1, 3, 3, 0, 2333333333333339};
  CHECK(testing::error_message([&] { empty(huge); }).find("strides do not fit 64 bits") != std::string::npos);
  CHECK(testing::error_message([&] { numel({int64_t(1) << 40, int64_t(1) << 40}); }).find("more than 2^63") !=
        std::string::npos);
  // ... and in a .npy header the refusal names the file.
  const std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 0, 3333, 30, 33333333, 30, 3333, "
                             "303, 3, 33, 39), }";
  const std::string file = std::string("\x93NUMPY\x01\x00", 8) + static_cast<char>(header.size()) + '\0' + header;
  CHECK(testing::error_message([&] { parse_npy(file, "fuzzed.npy"); }).find("fuzzed.npy: shape [3,0,3333") == 0);
}

TEST_CASE(".npy shapes beyond the file are refused before anything is allocated (found by fuzzing)") {
  // tests/fuzz/fuzz_npy: a 60-digit dimension made std::stoll throw std::out_of_range.
  const std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': (3, " + std::string(60, '8') + "), }";
  std::string file = std::string("\x93NUMPY\x01\x00", 8) + static_cast<char>(header.size()) + '\0' + header;
  CHECK(testing::error_message([&] { parse_npy(file, "fuzzed.npy"); }).find("fuzzed.npy: shape dimension 8888") == 0);
  // Dims whose product overflows 64 bits, and one claiming 10^12 elements.
  for (const std::string& shape : {std::string("4294967296, 4294967296, 16"), std::string("1000000000000,")}) {
    const std::string big = "{'descr': '<f8', 'fortran_order': False, 'shape': (" + shape + "), }";
    file = std::string("\x93NUMPY\x01\x00", 8) + static_cast<char>(big.size()) + '\0' + big + std::string(16, '\0');
    CHECK(testing::error_message([&] { parse_npy(file, "huge.npy"); }).find("data bytes but the file holds 16") !=
          std::string::npos);
  }
}
