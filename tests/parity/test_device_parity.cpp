// Tensors and modules across devices: moving them, mixing them (a clear
// error), checkpoints that do not care where they were written, the device
// allocator's steady state, and the message of a device that is not there.
#include <filesystem>
#include <sstream>

#include "autograd/ops.h"
#include "nn/nn.h"
#include "tests/parity/parity.h"

using namespace gs;
using gs::testing::cuda0;
using gs::testing::error_message;

namespace {

// The number before " cudaMalloc calls" in a memory summary.
long long cuda_malloc_calls(const std::string& summary) {
  const size_t at = summary.find(" cudaMalloc calls");
  REQUIRE(at != std::string::npos);
  const size_t start = summary.rfind(' ', at - 1) + 1;
  return std::stoll(summary.substr(start, at - start));
}

}  // namespace

TEST_CASE("a device that is not there is a clear error, never a crash") {
  std::string why_none;
  const int count = device_count(DeviceType::CUDA, &why_none);
  if (count == 0) {
    CHECK(!why_none.empty());
    CHECK(error_message([] { zeros({2}, Device::cuda(0)); }).find(why_none) != std::string::npos);
  } else {
    CHECK(error_message([] { zeros({2}, Device::cuda(63)); }).find("cuda:63 does not exist") != std::string::npos);
  }
  CHECK(error_message([] { parse_device("gpu"); }).find("expected cpu, cuda or cuda:N") != std::string::npos);
}

TEST_CASE("[cuda] tensors move to the device and back unchanged, and to() is differentiable") {
  Generator gen(1);
  Tensor x = randn({3, 77}, gen, kFloat64).requires_grad_();
  Tensor on_device = x.to(cuda0());
  CHECK(on_device.device() == cuda0());
  CHECK(on_device.cpu().to_vector<double>() == x.to_vector<double>());
  CHECK(x.t().to(cuda0()).cpu().to_vector<double>() == x.t().contiguous().to_vector<double>());
  (on_device * 3.0).sum().backward();
  REQUIRE(x.grad().defined());
  CHECK(x.grad().device() == Device::cpu());
  CHECK(x.grad().to_vector<double>() == std::vector<double>(3 * 77, 3.0));
}

TEST_CASE("[cuda] ops mixing devices are errors that name both devices") {
  const Tensor a = ones({2, 3}), b = ones({2, 3}, cuda0());
  CHECK(error_message([&] { a + b; }).find("different devices (cpu and cuda:0)") != std::string::npos);
  CHECK(error_message([&] { matmul(a, b.t()); }).find("cuda:0") != std::string::npos);
  CHECK(error_message([&] { F::conv2d(ones({1, 1, 4, 4}, cuda0()), ones({1, 1, 3, 3})); }).find("devices") !=
        std::string::npos);
  nn::Linear layer(3, 2);
  layer.to(cuda0());
  CHECK(error_message([&] { layer(a); }).find("devices") != std::string::npos);
  CHECK(error_message([&] { b.data<float>(); }).find("move it with .to(Device::cpu()) first") != std::string::npos);
}

TEST_CASE("[cuda] modules move with their buffers, and checkpoints load on either device") {
  Generator gen(2);
  nn::Sequential model;
  model.push_back(std::make_shared<nn::Linear>(4, 3, gen));
  model.push_back(std::make_shared<nn::BatchNorm1d>(3));
  model(randn({5, 4}, gen));  // moves the running statistics away from 0 and 1
  const StateDict before = model.state_dict();
  model.to(cuda0());
  for (const auto& [name, t] : model.state_dict()) {
    CAPTURE(name);
    CHECK(t.device() == cuda0());
    CHECK(t.to_vector<double>() == before.at(name).to_vector<double>());
  }
  const std::string path = (std::filesystem::temp_directory_path() / "gs_device_checkpoint.safetensors").string();
  save(model, path);
  nn::Sequential on_cpu;
  on_cpu.push_back(std::make_shared<nn::Linear>(4, 3));
  on_cpu.push_back(std::make_shared<nn::BatchNorm1d>(3));
  load(on_cpu, path);  // written from cuda:0, read into CPU tensors
  for (const auto& [name, t] : on_cpu.state_dict()) {
    CAPTURE(name);
    CHECK(t.device() == Device::cpu());
    CHECK(t.to_vector<double>() == before.at(name).to_vector<double>());
  }
  on_cpu.to(cuda0());
  load(on_cpu, path);
  CHECK(on_cpu.state_dict().at("0.weight").device() == cuda0());
  std::filesystem::remove(path);
}

TEST_CASE("[cuda] a training loop's steady state makes no new device allocations") {
  Generator gen(3);
  nn::Linear layer(50, 20, gen);
  layer.to(cuda0());
  const Tensor x = randn({16, 50}, gen).to(cuda0());
  auto iteration = [&] {
    layer.zero_grad();
    (layer(x) * 2.0).sum().backward();
  };
  iteration();
  iteration();
  const long long warm = cuda_malloc_calls(backend(cuda0()).memory_summary());
  for (int i = 0; i < 5; ++i) iteration();
  CHECK(cuda_malloc_calls(backend(cuda0()).memory_summary()) == warm);
  CHECK(backend(cuda0()).memory_summary().find("requests served from the cache") != std::string::npos);
}
