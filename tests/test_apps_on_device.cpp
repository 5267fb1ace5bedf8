// The apps with --device cuda, on the emulated device (their test builds,
// build/tests/emulated/apps/), in short runs on the tiny stand-in dataset:
// each trains or evaluates on the device, agrees with the same run on the
// CPU, and leaves checkpoints that continue on the other device.
#include <cmath>
#include <sstream>

#include "nn/checkpoint.h"
#include "tests/data_fixtures.h"
#include "tests/demo_runner.h"
#include "tests/helpers.h"

using namespace gs;
using testing::run_app;
using testing::TempDir;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// The numbers of a CSV file's rows, without its header and its last column
// (seconds) when `drop_last` is set.
std::vector<double> csv_numbers(const std::string& path, bool drop_last) {
  std::istringstream lines(read_file(path));
  std::string line;
  std::getline(lines, line);
  std::vector<double> numbers;
  while (std::getline(lines, line)) {
    std::vector<double> row;
    std::istringstream cells(line);
    for (std::string cell; std::getline(cells, cell, ',');) row.push_back(std::stod(cell));
    if (drop_last && !row.empty()) row.pop_back();
    numbers.insert(numbers.end(), row.begin(), row.end());
  }
  return numbers;
}

void expect_close_numbers(const std::vector<double>& device, const std::vector<double>& cpu, double tolerance) {
  REQUIRE(device.size() == cpu.size());
  REQUIRE(!cpu.empty());
  for (size_t i = 0; i < cpu.size(); ++i) {
    INFO("number " << i << ": device " << device[i] << ", cpu " << cpu[i]);
    CHECK(std::abs(device[i] - cpu[i]) <= tolerance * std::max(1.0, std::abs(cpu[i])));
  }
}

}  // namespace

TEST_CASE("[cuda] mnist_gan and mnist_classifier train on the device as on the CPU; checkpoints change device") {
  TempDir data, gan_cpu, gan_device, classifier_cpu, classifier_device;
  testing::write_mnist_fixture(data, 32, 10);
  const std::string common = "--data " + data.path() + " --batch 8 --threads 2 --seed 3 --max-steps 2 ";
  REQUIRE(run_app("mnist_gan", common + "--out " + gan_cpu.path()).status == 0);
  testing::ProgramRun run = run_app("emulated/mnist_gan", common + "--device cuda --out " + gan_device.path());
  INFO(run.output);
  REQUIRE(run.status == 0);
  CHECK(contains(run.output, "cuda:0"));
  CHECK(contains(run.output, "cudaMalloc calls"));  // the device allocator's summary at the end
  expect_close_numbers(csv_numbers(gan_device.file("log.csv"), true), csv_numbers(gan_cpu.file("log.csv"), true), 1e-3);
  // The device's checkpoint continues on the CPU.
  testing::ProgramRun resumed = run_app("mnist_gan", "--data " + data.path() + " --batch 8 --threads 2 --seed 3 "
                                                     "--max-steps 3 --resume --out " + gan_device.path());
  INFO(resumed.output);
  CHECK(resumed.status == 0);
  CHECK(contains(resumed.output, "stopped at --max-steps after 3 iterations"));

  REQUIRE(run_app("mnist_classifier", common + "--out " + classifier_cpu.path()).status == 0);
  run = run_app("emulated/mnist_classifier", common + "--device cuda --out " + classifier_device.path());
  INFO(run.output);
  REQUIRE(run.status == 0);
  expect_close_numbers(csv_numbers(classifier_device.file("log.csv"), true),
                       csv_numbers(classifier_cpu.file("log.csv"), true), 1e-3);

  // gan_eval on the device, with the models trained above: the same scores as on the CPU.
  const std::string models = "--generator " + gan_cpu.file("checkpoint.safetensors") + " --classifier " +
                             classifier_cpu.file("classifier.safetensors") + " --data " + data.path() +
                             " --samples 16 --batch 8 --threads 2 --json --out ";
  TempDir eval_cpu, eval_device;
  const testing::ProgramRun on_cpu = run_app("gan_eval", models + eval_cpu.path());
  const testing::ProgramRun on_device = run_app("emulated/gan_eval", models + eval_device.path() + " --device cuda");
  INFO(on_device.output);
  REQUIRE(on_cpu.status == 0);
  REQUIRE(on_device.status == 0);
  const size_t score_at = on_cpu.output.find("\"score\"");
  REQUIRE(score_at != std::string::npos);
  CHECK(on_device.output.substr(on_device.output.find("\"score\""), 24) == on_cpu.output.substr(score_at, 24));

  // latent on the device
  TempDir paths;
  run = run_app("emulated/latent", "--threads 2 --device cuda interpolate --steps 3 --pairs 2 --out " + paths.path() +
                                       " --generator " + gan_device.file("checkpoint.safetensors"));
  INFO(run.output);
  CHECK(run.status == 0);
}

TEST_CASE("[cuda] ssl trains the mnist-mlp model on the device as on the CPU") {
  TempDir data, on_cpu, on_device;
  testing::write_mnist_fixture(data, 40, 20);
  const std::string common = "--data " + data.path() + " --labels 10 --batch 10 --epochs 1 --threads 2 --seed 2 ";
  REQUIRE(run_app("ssl", common + "--out " + on_cpu.path()).status == 0);
  testing::ProgramRun run = run_app("emulated/ssl", common + "--device cuda --out " + on_device.path());
  INFO(run.output);
  REQUIRE(run.status == 0);
  expect_close_numbers(csv_numbers(on_device.file("log.csv"), true), csv_numbers(on_cpu.file("log.csv"), true), 1e-3);
}

TEST_CASE("--device names a device that is not there: one clear line, exit 1") {
  TempDir data, out;
  testing::write_mnist_fixture(data, 16, 10);
  const testing::ProgramRun run =
      run_app("mnist_gan", "--data " + data.path() + " --max-steps 1 --device cuda:7 --out " + out.path());
  CHECK(run.status == 1);
  CHECK(contains(run.output, "mnist_gan: device cuda:7"));
  CHECK(run_app("mnist_gan", "--device tpu --out " + out.path()).status != 0);
}
