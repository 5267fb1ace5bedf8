// The ssl app end to end on tiny stand-ins for MNIST and SVHN: it learns the
// labeled examples, writes its outputs, resumes bit for bit, keeps the
// baseline away from unlabeled images, and runs the 32x32x3 models.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "data/mat_file.h"
#include "nn/checkpoint.h"
#include "tests/data_fixtures.h"
#include "tests/demo_runner.h"
#include "tests/helpers.h"

using namespace gs;
using testing::run_app;
using testing::TempDir;

namespace {

// One column of a CSV file with a header row.
std::vector<double> csv_column(const std::string& path, const std::string& name) {
  std::istringstream lines(read_file(path));
  std::string line, cell;
  std::getline(lines, line);
  std::istringstream header(line);
  int column = -1;
  for (int i = 0; std::getline(header, cell, ','); ++i)
    if (cell == name) column = i;
  REQUIRE_MESSAGE(column >= 0, path << " has no column " << name);
  std::vector<double> values;
  while (std::getline(lines, line)) {
    std::istringstream row(line);
    for (int i = 0; std::getline(row, cell, ','); ++i)
      if (i == column) values.push_back(std::stod(cell));
  }
  return values;
}

double mean_of(const std::vector<double>& values, size_t begin, size_t end) {
  double sum = 0;
  for (size_t i = begin; i < end; ++i) sum += values.at(i);
  return sum / static_cast<double>(end - begin);
}

// SVHN's two MAT-files with random 32x32 colour images and labels 1..10 in turn.
void write_svhn_fixture(const TempDir& dir, int64_t train, int64_t test) {
  Generator gen(5);
  auto write = [&](const std::string& name, int64_t count) {
    data::MatVariable x, y;
    x.name = "X";
    x.mat_class = data::MatClass::kUInt8;
    x.storage_type = data::MatType::kUInt8;
    x.dims = {32, 32, 3, count};
    const std::vector<uint8_t> pixels = (rand({32 * 32 * 3 * count}, gen) * 255.0).to(kUInt8).to_vector<uint8_t>();
    x.real.assign(pixels.begin(), pixels.end());
    std::vector<double> labels;
    for (int64_t i = 0; i < count; ++i) labels.push_back(static_cast<double>(i % 10 + 1));
    y.name = "y";
    y.dims = {count, 1};
    y.real.assign(reinterpret_cast<const char*>(labels.data()), labels.size() * sizeof(double));
    data::save_mat_file(dir.file(name), {x, y}, true);
  };
  write("train_32x32.mat", train);
  write("test_32x32.mat", test);
}

// Two checkpoints hold the same tensors with the same values, bit for bit.
void expect_identical(const StateDict& a, const StateDict& b) {
  REQUIRE(a.size() == b.size());
  REQUIRE(a.size() > 50);
  for (const auto& [name, t] : a) {
    CAPTURE(name);
    REQUIRE(b.count(name) == 1);
    CHECK(t.to_vector<double>() == b.at(name).to_vector<double>());
  }
}

}  // namespace

TEST_CASE("ssl learns the labeled examples of a tiny dataset and writes its outputs") {
  TempDir data, out;
  testing::write_mnist_fixture(data, 200, 50);
  testing::ProgramRun run = run_app("ssl", "--data " + data.path() + " --labels 20 --batch 20 --epochs 6 " +
                                               "--threads 2 --seed 3 --out " + out.path());
  INFO(run.output);
  REQUIRE(run.status == 0);
  CHECK(run.output.find("semi-supervised GAN on mnist (mnist-mlp): 20 labels, 200 unlabeled training images") !=
        std::string::npos);
  CHECK(run.output.find("done after 60 iterations (6.00 epochs)") != std::string::npos);
  CHECK(run.output.find("99.07%       0.93%  +- 0.065") != std::string::npos);  // the paper's, for reference
  for (const char* file : {"log.csv", "accuracy.csv", "result.csv", "confusion.png", "samples.png",
                           "samples_epoch_001.png", "samples_epoch_006.png", "checkpoint.safetensors"})
    CHECK(std::filesystem::exists(out.file(file)));
  // The supervised loss on the labeled batches falls: the classifier learns its 20 examples.
  const std::vector<double> supervised = csv_column(out.file("log.csv"), "supervised");
  REQUIRE(supervised.size() == 60);
  CHECK(mean_of(supervised, 50, 60) < 0.5 * mean_of(supervised, 0, 10));
  CHECK(csv_column(out.file("accuracy.csv"), "test_accuracy").size() == 6);  // once per epoch
}

TEST_CASE("ssl resumed from a checkpoint equals an uninterrupted run bit for bit") {
  TempDir data, straight, resumed;
  testing::write_mnist_fixture(data, 60, 20);
  const std::string common = "--data " + data.path() + " --labels 10 --batch 20 --threads 2 --seed 5 ";
  REQUIRE(run_app("ssl", common + "--epochs 2 --out " + straight.path()).status == 0);

  SUBCASE("stopped at an epoch boundary") {
    REQUIRE(run_app("ssl", common + "--epochs 1 --out " + resumed.path()).status == 0);
  }
  SUBCASE("stopped mid-epoch by the time budget (after its first iteration)") {
    testing::ProgramRun first = run_app("ssl", common + "--epochs 2 --minutes 0.00001 --out " + resumed.path());
    INFO(first.output);
    REQUIRE(first.status == 0);
    CHECK(first.output.find("stopped at --minutes after 1 iterations") != std::string::npos);
  }
  SUBCASE("stopped mid-epoch by --max-steps (after 2 of the 3 iterations of an epoch)") {
    testing::ProgramRun first = run_app("ssl", common + "--epochs 2 --max-steps 2 --out " + resumed.path());
    INFO(first.output);
    REQUIRE(first.status == 0);
    CHECK(first.output.find("stopped at --max-steps after 2 iterations") != std::string::npos);
  }
  testing::ProgramRun second = run_app("ssl", common + "--epochs 2 --resume --out " + resumed.path());
  INFO(second.output);
  REQUIRE(second.status == 0);
  CHECK(second.output.find("resumed from") != std::string::npos);
  // Everything: both models, both optimizers, the Polyak average, the random streams, the position.
  expect_identical(load(straight.file("checkpoint.safetensors")), load(resumed.file("checkpoint.safetensors")));
  CHECK(read_file(straight.file("result.csv")).substr(0, 60) == read_file(resumed.file("result.csv")).substr(0, 60));
}

TEST_CASE("ssl --minibatch-kernels adds the layer to D's head, resumes bit for bit and refuses other flags") {
  TempDir data, straight, resumed, plain;
  testing::write_mnist_fixture(data, 60, 20);
  const std::string common = "--data " + data.path() + " --labels 10 --batch 20 --threads 2 --seed 5 ";
  const std::string minibatch = "--minibatch-kernels 7 --minibatch-dims 3 ";
  testing::ProgramRun run = run_app("ssl", common + minibatch + "--epochs 2 --out " + straight.path());
  INFO(run.output);
  REQUIRE(run.status == 0);
  CHECK(run.output.find("semi-supervised GAN with minibatch discrimination (7 kernels x 3) on mnist") !=
        std::string::npos);
  const StateDict a = load(straight.file("checkpoint.safetensors"));
  CHECK(a.at("discriminator.head.1.weight").shape() == Shape{250, 21});   // T: 250 features -> 7 x 3
  CHECK(a.at("discriminator.head.2.weight_v").shape() == Shape{10, 257});  // the last layer sees 250 + 7

  REQUIRE(run_app("ssl", common + minibatch + "--epochs 2 --max-steps 4 --out " + resumed.path()).status == 0);
  REQUIRE(run_app("ssl", common + minibatch + "--epochs 2 --resume --out " + resumed.path()).status == 0);
  expect_identical(a, load(resumed.file("checkpoint.safetensors")));

  testing::ProgramRun other = run_app("ssl", common + "--epochs 3 --resume --out " + resumed.path());
  CHECK(other.status == 1);
  CHECK(other.output.find("a checkpoint with minibatch discrimination (7 kernels x 3), but this run has no minibatch "
                          "discrimination; resume with the --minibatch-kernels and --minibatch-dims it was trained "
                          "with") != std::string::npos);
  testing::ProgramRun both = run_app("ssl", common + minibatch + "--feature-matching abs --out " + plain.path());
  CHECK(both.status == 1);
  CHECK(both.output.find("--feature-matching is G's loss without minibatch discrimination") != std::string::npos);
}

TEST_CASE("--baseline trains on the labeled images alone, and --compare shows it beside the GAN") {
  TempDir data, baseline, gan;
  testing::write_mnist_fixture(data, 100, 20);
  const std::string common = "--data " + data.path() + " --labels 10 --batch 10 --epochs 1 --threads 2 ";
  testing::ProgramRun run = run_app("ssl", common + "--baseline --out " + baseline.path());
  INFO(run.output);
  REQUIRE(run.status == 0);
  // Only the 10 labeled images are kept in memory, yet an epoch has the GAN's 100 / 10 steps.
  CHECK(run.output.find("baseline (labeled images only) on mnist (mnist-mlp): 10 labels, 10 labeled training images") !=
        std::string::npos);
  CHECK(run.output.find("done after 10 iterations (1.00 epochs)") != std::string::npos);
  for (const char* column : {"unsupervised_real", "unsupervised_fake", "generator"})
    for (double value : csv_column(baseline.file("log.csv"), column)) CHECK(value == 0.0);
  CHECK_FALSE(std::filesystem::exists(baseline.file("samples.png")));
  CHECK(read_file(baseline.file("result.csv")).find("\nbaseline,10,") != std::string::npos);

  testing::ProgramRun compared = run_app("ssl", common + "--compare " + baseline.path() + " --out " + gan.path());
  INFO(compared.output);
  REQUIRE(compared.status == 0);
  CHECK(compared.output.find("--compare " + baseline.path() + " (baseline)") != std::string::npos);
}

TEST_CASE("the 32x32x3 models train on an SVHN stand-in and on MNIST padded to 32x32 (mnist32)") {
  TempDir svhn, mnist;
  write_svhn_fixture(svhn, 40, 20);
  testing::write_mnist_fixture(mnist, 40, 20);
  for (const char* arch : {"svhn-blog", "svhn-paper"}) {
    CAPTURE(arch);
    TempDir out;
    testing::ProgramRun run = run_app("ssl", std::string("--dataset svhn --arch ") + arch + " --data " + svhn.path() +
                                                 " --labels 10 --batch 8 --epochs 1 --threads 2 --out " + out.path());
    INFO(run.output);
    REQUIRE(run.status == 0);
    CHECK(run.output.find("done after 5 iterations (1.00 epochs)") != std::string::npos);
    CHECK(run.output.find("91.89%       8.11%  +- 1.3") != std::string::npos);
    CHECK(std::filesystem::exists(out.file("samples_epoch_001.png")));
    for (double loss : csv_column(out.file("log.csv"), "generator")) CHECK(std::isfinite(loss));
  }
  TempDir out;
  testing::ProgramRun padded = run_app("ssl", "--dataset mnist32 --arch svhn-blog --data " + mnist.path() +
                                                  " --labels 10 --batch 8 --epochs 1 --threads 2 --out " + out.path());
  INFO(padded.output);
  REQUIRE(padded.status == 0);
  CHECK(padded.output.find("semi-supervised GAN on mnist32 (svhn-blog)") != std::string::npos);
}

TEST_CASE("ssl explains what is wrong") {
  TempDir svhn, mnist, out;
  write_svhn_fixture(svhn, 20, 10);
  testing::write_mnist_fixture(mnist, 20, 10);
  testing::ProgramRun wrong_shape =
      run_app("ssl", "--dataset svhn --arch mnist-mlp --data " + svhn.path() + " --out " + out.path());
  CHECK(wrong_shape.status == 1);
  CHECK(wrong_shape.output.find("ssl: --arch mnist-mlp takes images [1,28,28] but --dataset svhn has [3,32,32] "
                                "(use --dataset mnist or fashion)") == 0);
  testing::ProgramRun no_checkpoint =
      run_app("ssl", "--data " + mnist.path() + " --labels 10 --resume --batch 5 --out " + out.path());
  CHECK(no_checkpoint.status == 1);
  CHECK(no_checkpoint.output.find("--resume: no checkpoint at " + out.file("checkpoint.safetensors")) !=
        std::string::npos);
  testing::ProgramRun help = run_app("ssl", "--help");
  CHECK(help.status == 0);
  for (const char* flag : {"--dataset", "--labels", "--arch", "--epochs", "--minutes", "--seed", "--out", "--resume",
                           "--baseline", "--device"})
    CHECK(help.output.find(flag) != std::string::npos);
}
