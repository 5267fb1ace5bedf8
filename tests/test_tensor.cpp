// Creating, printing, saving and loading tensors; clear errors on misuse.
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
