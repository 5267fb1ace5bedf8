// The mnist_gan app end to end on a tiny stand-in dataset: it writes its
// outputs, and a run stopped and resumed equals an uninterrupted one bit for bit.
#include <filesystem>

#include "nn/checkpoint.h"
#include "tests/data_fixtures.h"
#include "tests/demo_runner.h"
#include "tests/helpers.h"

using namespace gs;
using testing::run_app;
using testing::TempDir;

namespace {

// Generator and discriminator weights (and batch-norm buffers) of a checkpoint.
StateDict model_tensors(const std::string& checkpoint) {
  StateDict all = load(checkpoint), models;
  for (auto& [name, t] : all)
    if (name.rfind("generator.", 0) == 0 || name.rfind("discriminator.", 0) == 0) models[name] = t;
  return models;
}

void expect_identical(const StateDict& a, const StateDict& b) {
  REQUIRE(a.size() == b.size());
  REQUIRE(a.size() > 20);
  for (const auto& [name, t] : a) {
    CAPTURE(name);
    REQUIRE(b.count(name) == 1);
    CHECK(t.to_vector<double>() == b.at(name).to_vector<double>());
  }
}

}  // namespace

TEST_CASE("mnist_gan trains on a tiny dataset and writes samples, log and checkpoint") {
  TempDir data, out;
  testing::write_mnist_fixture(data, 64, 10);
  const std::string common = "--data " + data.path() + " --batch 16 --threads 2 --seed 3 ";
  testing::ProgramRun run = run_app("mnist_gan", common + "--epochs 2 --out " + out.path());
  INFO(run.output);
  REQUIRE(run.status == 0);
  CHECK(run.output.find("done after 8 iterations (2.0 epochs)") != std::string::npos);
  for (const char* file : {"samples.png", "samples_epoch_001.png", "samples_epoch_002.png", "log.csv",
                           "checkpoint.safetensors"})
    CHECK(std::filesystem::exists(out.file(file)));
  const std::string log = read_file(out.file("log.csv"));
  CHECK(log.rfind("iteration,epoch,d_loss,g_loss,d_real,d_fake,seconds\n1,1,", 0) == 0);
  CHECK(std::count(log.begin(), log.end(), '\n') == 9);  // header + 8 iterations
}

TEST_CASE("mnist_gan resumed from a checkpoint equals an uninterrupted run bit for bit") {
  TempDir data, straight, resumed;
  testing::write_mnist_fixture(data, 64, 10);
  const std::string common = "--data " + data.path() + " --batch 16 --threads 2 --seed 5 --epochs 2 ";
  REQUIRE(run_app("mnist_gan", common + "--out " + straight.path()).status == 0);

  SUBCASE("stopped at an epoch boundary") {
    REQUIRE(run_app("mnist_gan", "--data " + data.path() + " --batch 16 --threads 2 --seed 5 --epochs 1 --out " +
                                     resumed.path()).status == 0);
  }
  SUBCASE("stopped mid-epoch by the time budget (after its first iteration)") {
    testing::ProgramRun first = run_app("mnist_gan", common + "--minutes 0.00001 --out " + resumed.path());
    INFO(first.output);
    REQUIRE(first.status == 0);
    CHECK(first.output.find("done after 1 iterations") != std::string::npos);
  }
  testing::ProgramRun second = run_app("mnist_gan", common + "--resume --out " + resumed.path());
  INFO(second.output);
  REQUIRE(second.status == 0);
  CHECK(second.output.find("resumed from") != std::string::npos);
  expect_identical(model_tensors(straight.file("checkpoint.safetensors")),
                   model_tensors(resumed.file("checkpoint.safetensors")));
}

TEST_CASE("mnist_gan explains what is wrong") {
  TempDir empty, out;
  testing::ProgramRun missing = run_app("mnist_gan", "--data " + empty.path() + " --out " + out.path());
  CHECK(missing.status == 1);
  CHECK(missing.output.find("mnist_gan: --data " + empty.path() + ": this directory does not hold the MNIST files") ==
        0);
  TempDir data;
  testing::write_mnist_fixture(data, 20, 10);
  testing::ProgramRun no_checkpoint =
      run_app("mnist_gan", "--data " + data.path() + " --resume --batch 8 --out " + out.path());
  CHECK(no_checkpoint.status == 1);
  CHECK(no_checkpoint.output.find("--resume: no checkpoint at " + out.file("checkpoint.safetensors")) !=
        std::string::npos);
  testing::ProgramRun help = run_app("mnist_gan", "--help");
  CHECK(help.status == 0);
  CHECK(help.output.find("--smooth") != std::string::npos);
}
