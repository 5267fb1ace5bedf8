// The mnist_classifier app end to end on a tiny stand-in dataset: it reports
// the test accuracy, writes its log and checkpoint, and a run stopped and
// resumed equals an uninterrupted one bit for bit.
#include <cmath>
#include <filesystem>

#include "nn/checkpoint.h"
#include "tests/data_fixtures.h"
#include "tests/demo_runner.h"
#include "tests/helpers.h"

using namespace gs;
using testing::run_app;
using testing::TempDir;

namespace {

// The model's tensors (weights and batch-norm buffers) of a checkpoint.
StateDict model_tensors(const std::string& checkpoint) {
  StateDict model;
  for (auto& [name, t] : load(checkpoint))
    if (name.rfind("classifier.", 0) == 0) model[name] = t;
  return model;
}

}  // namespace

TEST_CASE("mnist_classifier trains on a tiny dataset and writes its log and checkpoint") {
  TempDir data, out;
  testing::write_mnist_fixture(data, 64, 10);
  testing::ProgramRun run = run_app("mnist_classifier", "--data " + data.path() +
                                                            " --batch 16 --threads 2 --epochs 2 --out " + out.path());
  INFO(run.output);
  REQUIRE(run.status == 0);
  CHECK(run.output.find("epoch 1.00: test accuracy ") != std::string::npos);
  CHECK(run.output.find("epoch 2.00: test accuracy ") != std::string::npos);
  CHECK(run.output.find("done after 8 iterations") != std::string::npos);
  const std::string log = read_file(out.file("log.csv"));
  CHECK(log.rfind("epoch,iteration,train_loss,train_accuracy,test_accuracy,seconds\n1,4,", 0) == 0);
  CHECK(std::count(log.begin(), log.end(), '\n') == 3);  // header + 2 epochs

  Metadata metadata;
  const StateDict checkpoint = load(out.file("classifier.safetensors"), &metadata);
  CHECK(metadata.at("format") == "gradschool mnist_classifier checkpoint");
  // The accuracy in the file is the one printed last, and one of 0/10 .. 10/10.
  const double accuracy = std::stod(metadata.at("test_accuracy"));
  CHECK(std::abs(accuracy * 10 - std::round(accuracy * 10)) < 1e-9);
  char printed[64];
  std::snprintf(printed, sizeof printed, ": test accuracy %.2f%%\nlog:", 100 * accuracy);
  CHECK(run.output.find(printed) != std::string::npos);
  CHECK(checkpoint.at("run.position").to_vector<int64_t>() == std::vector<int64_t>{8, 2, 0});
  CHECK(model_tensors(out.file("classifier.safetensors")).size() > 20);
}

TEST_CASE("mnist_classifier resumed from a checkpoint equals an uninterrupted run bit for bit") {
  TempDir data, straight, resumed;
  testing::write_mnist_fixture(data, 64, 10);
  const std::string common = "--data " + data.path() + " --batch 16 --threads 2 --seed 4 --epochs 2 ";
  REQUIRE(run_app("mnist_classifier", common + "--out " + straight.path()).status == 0);

  SUBCASE("stopped at an epoch boundary") {
    REQUIRE(run_app("mnist_classifier", "--data " + data.path() + " --batch 16 --threads 2 --seed 4 --epochs 1 --out " +
                                            resumed.path()).status == 0);
  }
  SUBCASE("stopped mid-epoch (after 3 of its 4 iterations)") {
    testing::ProgramRun first = run_app("mnist_classifier", common + "--max-steps 3 --out " + resumed.path());
    INFO(first.output);
    REQUIRE(first.status == 0);
    CHECK(first.output.find("stopped at --max-steps after 3 iterations") != std::string::npos);
  }
  testing::ProgramRun second = run_app("mnist_classifier", common + "--resume --out " + resumed.path());
  INFO(second.output);
  REQUIRE(second.status == 0);
  CHECK(second.output.find("resumed from") != std::string::npos);
  const StateDict a = model_tensors(straight.file("classifier.safetensors"));
  const StateDict b = model_tensors(resumed.file("classifier.safetensors"));
  REQUIRE(a.size() == b.size());
  for (const auto& [name, t] : a) {
    CAPTURE(name);
    REQUIRE(b.count(name) == 1);
    CHECK(t.to_vector<double>() == b.at(name).to_vector<double>());
  }
}

TEST_CASE("mnist_classifier explains what is wrong") {
  TempDir empty, out;
  testing::ProgramRun missing = run_app("mnist_classifier", "--data " + empty.path() + " --out " + out.path());
  CHECK(missing.status == 1);
  CHECK(missing.output.find("mnist_classifier: --data " + empty.path() + ": neither this directory nor " +
                            empty.path() + "/mnist holds the MNIST files") == 0);
  TempDir data;
  testing::write_mnist_fixture(data, 20, 10);
  testing::ProgramRun no_checkpoint =
      run_app("mnist_classifier", "--data " + data.path() + " --resume --batch 8 --out " + out.path());
  CHECK(no_checkpoint.status == 1);
  CHECK(no_checkpoint.output.find("--resume: no checkpoint at " + out.file("classifier.safetensors")) !=
        std::string::npos);
  out.write("classifier.safetensors", "not a checkpoint");
  testing::ProgramRun corrupt =
      run_app("mnist_classifier", "--data " + data.path() + " --resume --batch 8 --out " + out.path());
  CHECK(corrupt.status == 1);
  CHECK(corrupt.output.find("load '" + out.file("classifier.safetensors") + "': the header length") !=
        std::string::npos);
  testing::ProgramRun help = run_app("mnist_classifier", "--help");
  CHECK(help.status == 0);
  for (const char* flag : {"--epochs", "--minutes", "--batch", "--seed", "--threads", "--data", "--dataset", "--out",
                           "--resume", "--lr"})
    CHECK(help.output.find(flag) != std::string::npos);
}
