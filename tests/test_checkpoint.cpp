// safetensors checkpoints: bit-exact round trips, and every kind of damaged
// file gives a gs::Error naming the file, never a crash.
#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "nn/nn.h"
#include "optim/optim.h"
#include "tensor/file_io.h"
#include "tests/helpers.h"

using namespace gs;
using gs::testing::error_message;

namespace {

std::string temp_path(const std::string& name) { return "/tmp/gs_test_" + std::to_string(::getpid()) + "_" + name; }

bool same_bytes(const Tensor& a, const Tensor& b) {
  if (a.dtype() != b.dtype() || a.shape() != b.shape()) return false;
  Tensor x = a.contiguous(), y = b.contiguous();
  size_t bytes = x.numel() * dtype_size(x.dtype());
  return std::memcmp(static_cast<char*>(x.storage()->data()) + x.offset() * dtype_size(x.dtype()),
                     static_cast<char*>(y.storage()->data()) + y.offset() * dtype_size(y.dtype()), bytes) == 0;
}

StateDict mixed_dtypes() {
  Generator gen(13);
  return {{"weights", randn({3, 4}, gen)},
          {"precise", randn({2, 2}, gen, kFloat64) * 1e-300},  // subnormal-adjacent values survive too
          {"labels", tensor(std::vector<int64_t>{-5, 0, int64_t(1) << 62})},
          {"pixels", tensor(std::vector<uint8_t>{0, 128, 255}, {3, 1})},
          {"scalar", scalar_tensor(2.5)},
          {"empty", zeros({0, 4})}};
}

// A file built by hand: header text + data bytes.
std::string file_with_header(const std::string& header, const std::string& data) {
  std::string out(8, '\0');
  uint64_t n = header.size();
  std::memcpy(&out[0], &n, 8);
  return out + header + data;
}

}  // namespace

TEST_CASE("a checkpoint round trip is bit-exact for float32, float64, int64 and uint8, with metadata") {
  std::string path = temp_path("roundtrip.safetensors");
  StateDict dict = mixed_dtypes();
  save(dict, path, {{"epoch", "12"}, {"note", "gradschool"}});
  Metadata metadata;
  StateDict loaded = load(path, &metadata);
  REQUIRE(loaded.size() == dict.size());
  for (const auto& [name, t] : dict) {
    INFO(name);
    CHECK(same_bytes(loaded.at(name), t));
  }
  CHECK(metadata == Metadata{{"epoch", "12"}, {"note", "gradschool"}});
  std::remove(path.c_str());
}

TEST_CASE("the file layout is safetensors: little-endian header length, JSON, aligned data") {
  StateDict dict{{"b", tensor(std::vector<float>{1, 2})}, {"a", tensor(std::vector<uint8_t>{7})}};
  std::string bytes = to_safetensors(dict);
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= uint64_t(static_cast<unsigned char>(bytes[i])) << (8 * i);
  CHECK((8 + n) % 8 == 0);
  nlohmann::json header = nlohmann::json::parse(bytes.substr(8, n));
  CHECK(header["a"]["dtype"] == "U8");
  CHECK(header["a"]["data_offsets"] == nlohmann::json::array({0, 1}));
  CHECK(header["b"]["shape"] == nlohmann::json::array({2}));
  CHECK(header["b"]["data_offsets"] == nlohmann::json::array({1, 9}));
  CHECK(bytes.size() == 8 + n + 9);
  float second;
  std::memcpy(&second, bytes.data() + 8 + n + 1 + 4, 4);
  CHECK(second == 2.0f);
}

TEST_CASE("saving and loading a module restores every parameter and buffer") {
  std::string path = temp_path("module.safetensors");
  Generator gen(14);
  nn::Sequential source(nn::Conv2d(1, 2, 3, gen), nn::BatchNorm2d(2));
  source(randn({2, 1, 5, 5}, gen));  // moves the running estimates away from 0 and 1
  save(source, path);
  nn::Sequential target(nn::Conv2d(1, 2, 3, gen), nn::BatchNorm2d(2));
  load(target, path);
  for (const auto& [name, t] : source.state_dict()) CHECK(same_bytes(target.state_dict().at(name), t));

  nn::Sequential wider(nn::Conv2d(1, 3, 3), nn::BatchNorm2d(3));
  CHECK(error_message([&] { load(wider, path); }) ==
        "load '" + path + "': load_state_dict: '0.bias' has shape [2] but the module expects [3]");
  nn::Sequential longer(nn::Conv2d(1, 2, 3), nn::BatchNorm2d(2), nn::Linear(2, 2));
  CHECK(error_message([&] { load(longer, path); }) ==
        "load '" + path + "': load_state_dict: missing tensor '2.bias' (shape [2])");
  nn::Sequential shorter(nn::Conv2d(1, 2, 3));
  CHECK(error_message([&] { load(shorter, path); }).find("unexpected tensor '1.bias'") != std::string::npos);
  nn::Sequential in_float64(nn::Conv2d(1, 2, 3), nn::BatchNorm2d(2));
  in_float64.to(kFloat64);
  CHECK(error_message([&] { load(in_float64, path); }).find("is float32 but the module's is float64") !=
        std::string::npos);
  std::remove(path.c_str());
}

TEST_CASE("every truncation of a checkpoint is rejected with the file name, never a crash") {
  std::string path = temp_path("truncated.safetensors");
  StateDict dict{{"w", tensor(std::vector<float>{1, 2, 3})}, {"n", tensor(std::vector<int64_t>{4, 5})},
                 {"b", tensor(std::vector<uint8_t>{6})}};
  std::string bytes = to_safetensors(dict, {{"k", "v"}});
  for (size_t length = 0; length < bytes.size(); ++length) {
    INFO("truncated to " << length << " of " << bytes.size() << " bytes");
    write_file_atomic(path, bytes.substr(0, length));
    std::string message = error_message([&] { load(path); });
    CHECK(message.find("load '" + path + "': ") == 0);
  }
  write_file_atomic(path, bytes);
  CHECK(load(path).size() == 3);
  std::remove(path.c_str());
}

TEST_CASE("damaged headers and data give a clear error naming the problem") {
  auto problem = [](const std::string& bytes) { return error_message([&] { from_safetensors(bytes, "x.st"); }); };
  const std::string four_floats(16, '\0');
  CHECK(problem("abc") ==
        "load 'x.st': the file is 3 bytes long, too short for the 8-byte header length of a safetensors file");
  CHECK(problem(file_with_header("{\"w\": {", four_floats)) == "load 'x.st': the JSON header is not well-formed");
  CHECK(problem(file_with_header("[1, 2]", "")).find("not an object") != std::string::npos);
  std::string huge_length(8, '\xff');
  CHECK(problem(huge_length + "{}").find("the header length 18446744073709551615 runs past the end") !=
        std::string::npos);

  auto entry = [](const std::string& dtype, const std::string& shape, const std::string& offsets) {
    return "{\"w\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}}";
  };
  CHECK(problem(file_with_header(entry("F16", "[4]", "[0,8]"), std::string(8, '\0'))) ==
        "load 'x.st': entry 'w' has dtype \"F16\"; gradschool reads F32, F64, I64, U8");
  CHECK(problem(file_with_header(entry("F32", "[5]", "[0,16]"), four_floats)) ==
        "load 'x.st': entry 'w' of shape [5] and dtype F32 needs 20 bytes but its data_offsets span 16");
  CHECK(problem(file_with_header(entry("F32", "[4]", "[0,32]"), four_floats)).find("outside the 16 bytes") !=
        std::string::npos);
  CHECK(problem(file_with_header(entry("F32", "[-4]", "[0,16]"), four_floats)).find("not a size") !=
        std::string::npos);
  CHECK(problem(file_with_header(entry("F32", "[4294967296,4294967296,16]", "[0,16]"), four_floats))
            .find("too large") != std::string::npos);
  CHECK(problem(file_with_header(entry("F32", "[4]", "[0,16]"), four_floats + "xx")).find("trailing bytes") !=
        std::string::npos);
  CHECK(problem(file_with_header("{\"w\":{\"dtype\":\"F32\",\"shape\":[4]}}", four_floats))
            .find("no \"data_offsets\" pair") != std::string::npos);

  std::string overlapping =
      "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
      "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
  CHECK(problem(file_with_header(overlapping, std::string(12, '\0'))).find("overlaps") != std::string::npos);
  std::string gap =
      "{\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]},"
      "\"b\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[3,5]}}";
  CHECK(problem(file_with_header(gap, std::string(5, '\0'))) ==
        "load 'x.st': bytes 2..3 of the tensor data belong to no entry");
  CHECK(problem(file_with_header("{\"__metadata__\":{\"epoch\":3}}", "")).find("'epoch' is not a string") !=
        std::string::npos);
  CHECK(error_message([] { load("/nonexistent/dir/model.safetensors"); }).find("/nonexistent/dir/model.safetensors") !=
        std::string::npos);
}

TEST_CASE("every corruption of one header byte is either read or rejected, never a crash") {
  StateDict dict{{"w", tensor(std::vector<float>{1, 2, 3})}, {"n", tensor(std::vector<int64_t>{4})}};
  std::string bytes = to_safetensors(dict);
  uint64_t header_length = 0;
  std::memcpy(&header_length, bytes.data(), 8);
  for (size_t i = 0; i < 8 + header_length; ++i)
    for (unsigned char value : {0x00, 0x22, 0x39, 0x5d, 0x7d, 0xff}) {
      std::string damaged = bytes;
      damaged[i] = static_cast<char>(value);
      try {
        from_safetensors(damaged, "damaged");
      } catch (const Error& e) {
        CHECK(std::string(e.what()).find("load 'damaged': ") == 0);
      }
    }
}
