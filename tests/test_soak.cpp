// Crash safety of training runs. mnist_gan (and ssl once) is killed with
// SIGKILL again and again, at moments drawn from a fixed seed: at random
// times, half-way through writing a checkpoint (or sample grid) and half-way
// through a log row (GRADSCHOOL_FAULT, tensor/file_io.h), and resumed with
// --resume each time. At the end the checkpoint loads, log.csv holds every
// iteration exactly once, and the weights equal an uninterrupted run's bit
// for bit. GS_SOAK_KILLS sets the number of kills (default 6;
// scripts/soak.sh runs 20). Also: a full disk (ulimit -f) and an
// unwritable --out give one clear line and leave the last checkpoint intact;
// an exploding loss stops every training app with its last good checkpoint.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <sstream>
#include <thread>

#include "data/idx.h"
#include "nn/checkpoint.h"
#include "tensor/file_io.h"
#include "tests/data_fixtures.h"
#include "tests/demo_runner.h"
#include "tests/helpers.h"

using namespace gs;
using testing::run_app;
using testing::TempDir;

namespace {

int soak_kills() {
  const char* kills = std::getenv("GS_SOAK_KILLS");
  return kills ? std::max(1, std::atoi(kills)) : 6;
}

// Starts `app` with `arguments` (split on spaces) and GRADSCHOOL_FAULT=`fault`
// (none when empty); kills it with SIGKILL after `kill_after_ms` unless it
// ended first (0: never). Returns how it ended: the exit status, or -signal.
int run_and_maybe_kill(const std::string& app, const std::string& arguments, const std::string& fault,
                       int kill_after_ms) {
  std::vector<std::string> words = {testing::program_path(app)};
  std::istringstream split(arguments);
  for (std::string word; split >> word;) words.push_back(word);
  std::fflush(nullptr);
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr)) _exit(126);
    if (!fault.empty()) setenv("GRADSCHOOL_FAULT", fault.c_str(), 1);
    std::vector<char*> argv;
    for (std::string& word : words) argv.push_back(word.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kill_after_ms);
  while (waitpid(child, &status, WNOHANG) == 0) {
    if (kill_after_ms > 0 && std::chrono::steady_clock::now() >= deadline) {
      kill(child, SIGKILL);
      waitpid(child, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

// The model, optimizer and run-state tensors of a checkpoint (everything but
// the copy of the averaged weights, which is derived from them).
StateDict checkpoint_tensors(const std::string& path) {
  StateDict all = load(path), kept;
  for (auto& [name, t] : all)
    if (name.rfind("averaged_generator.", 0) != 0) kept[name] = t;
  return kept;
}

void expect_identical(const StateDict& a, const StateDict& b) {
  REQUIRE(a.size() == b.size());
  for (const auto& [name, t] : a) {
    CAPTURE(name);
    REQUIRE(b.count(name) == 1);
    CHECK(t.to_vector<double>() == b.at(name).to_vector<double>());
  }
}

// The iteration column of a log: each value must appear once, in order 1..n.
void expect_each_iteration_once(const std::string& log_path, int64_t iterations, size_t column) {
  std::istringstream lines(read_file(log_path));
  std::string line;
  std::getline(lines, line);  // header
  int64_t expected = 1;
  while (std::getline(lines, line)) {
    std::istringstream cells(line);
    std::string cell;
    for (size_t i = 0; i <= column; ++i) std::getline(cells, cell, ',');
    CAPTURE(line);
    CHECK(std::stoll(cell) == expected);
    ++expected;
  }
  CHECK(expected - 1 == iterations);
}

// Kills a resumable run `kills` times at seeded moments, then lets it finish.
// Returns the number of kills that landed on each kind of moment.
void soak(const std::string& app, const std::string& arguments, const std::string& out, int kills, uint64_t seed) {
  std::mt19937_64 random(seed);
  int timed = 0, in_checkpoint = 0, in_log = 0;
  for (int k = 0; k < kills; ++k) {
    const bool resume = std::filesystem::exists(out + "/checkpoint.safetensors");
    const std::string command = arguments + (resume ? " --resume" : "") + " --out " + out;
    const int kind = static_cast<int>(random() % 3);
    int status;
    if (kind == 0) {
      status = run_and_maybe_kill(app, command, "", 50 + static_cast<int>(random() % 2500));
      ++timed;
    } else if (kind == 1) {  // half-way through the 1st..4th file written (checkpoints, sample grids)
      status = run_and_maybe_kill(app, command, "atomic-write:" + std::to_string(1 + random() % 4), 0);
      ++in_checkpoint;
    } else {  // half-way through the 1st..15th log row of this process
      status = run_and_maybe_kill(app, command, "log-row:" + std::to_string(1 + random() % 15), 0);
      ++in_log;
    }
    INFO("kill " << k << " (kind " << kind << ") ended with " << status);
    CHECK((status == -SIGKILL || status == 0));
  }
  MESSAGE(app << ": " << kills << " kills: " << timed << " at random times, " << in_checkpoint
              << " while writing a file, " << in_log << " in the middle of a log row");
  const bool resume = std::filesystem::exists(out + "/checkpoint.safetensors");
  REQUIRE(run_and_maybe_kill(app, arguments + (resume ? " --resume" : "") + " --out " + out, "", 0) == 0);
  // No temporary file outlives a finished run.
  for (const auto& entry : std::filesystem::directory_iterator(out))
    CHECK(entry.path().filename().string().find(".tmp-") == std::string::npos);
}

}  // namespace

TEST_CASE("mnist_gan killed again and again (SIGKILL) and resumed ends exactly as an uninterrupted run") {
  TempDir data, straight, killed;
  testing::write_mnist_fixture(data, 64, 10);
  const std::string arguments = "--data " + data.path() + " --batch 8 --epochs 3 --threads 1 --seed 7";
  REQUIRE(run_and_maybe_kill("mnist_gan", arguments + " --out " + straight.path(), "", 0) == 0);
  soak("mnist_gan", arguments, killed.path(), soak_kills(), 11);
  expect_identical(checkpoint_tensors(killed.file("checkpoint.safetensors")),
                   checkpoint_tensors(straight.file("checkpoint.safetensors")));
  expect_each_iteration_once(killed.file("log.csv"), 24, 0);
}

TEST_CASE("ssl killed again and again (SIGKILL) and resumed ends exactly as an uninterrupted run") {
  TempDir data, straight, killed;
  testing::write_mnist_fixture(data, 60, 20);
  const std::string arguments = "--data " + data.path() + " --labels 10 --batch 20 --epochs 3 --threads 1 --seed 5";
  REQUIRE(run_and_maybe_kill("ssl", arguments + " --out " + straight.path(), "", 0) == 0);
  soak("ssl", arguments, killed.path(), std::max(3, soak_kills() / 2), 12);
  expect_identical(load(killed.file("checkpoint.safetensors")), load(straight.file("checkpoint.safetensors")));
  expect_each_iteration_once(killed.file("log.csv"), 9, 0);
}

TEST_CASE("a full disk or an unwritable --out is one clear line, and the last checkpoint stays intact") {
  TempDir data, out;
  testing::write_mnist_fixture(data, 32, 10);
  const std::string arguments = "--data " + data.path() + " --batch 8 --threads 1 --out " + out.path();
  REQUIRE(run_app("mnist_gan", arguments + " --epochs 1").status == 0);
  const std::string checkpoint = out.file("checkpoint.safetensors");
  const std::string before = read_file(checkpoint);
  // ulimit -f 64: files may grow to 64 KiB, far below a checkpoint's size.
  const testing::ProgramRun full = testing::run_command("ulimit -f 64; " + testing::program_path("mnist_gan") + " " +
                                                        arguments + " --epochs 2 --resume 2>&1 >/dev/null");
  INFO(full.output);
  CHECK(full.status == 1);
  CHECK(full.output.find("File too large") != std::string::npos);
  CHECK(full.output.find("the previous file, if any, is untouched") != std::string::npos);
  CHECK(std::count(full.output.begin(), full.output.end(), '\n') == 1);
  CHECK(read_file(checkpoint) == before);
  CHECK(run_app("mnist_gan", arguments + " --epochs 2 --resume").status == 0);  // and it goes on from there

  // An --out that cannot be a folder (a file is in the way).
  const std::string blocked = data.write("a-file", "not a folder");
  const testing::ProgramRun unwritable =
      testing::run_app_apart("mnist_gan", "--data " + data.path() + " --batch 8 --out " + blocked + "/run");
  CHECK(unwritable.status == 1);
  CHECK(std::count(unwritable.errors.begin(), unwritable.errors.end(), '\n') == 1);
  CHECK(unwritable.errors.find(blocked) != std::string::npos);
}

TEST_CASE("an exploding loss stops every training app with its last good checkpoint") {
  TempDir data;
  testing::write_mnist_fixture(data, 40, 20);
  // One iteration per epoch (a batch of all 40 images), so the checkpoint of
  // epoch 1 exists when the learning rate of 1e18 blows the loss up.
  for (const auto& [app, flags] : std::vector<std::pair<std::string, std::string>>{
           {"mnist_gan", "--batch 40 --epochs 5 --lr-g 1e18"},
           {"mnist_classifier", "--batch 40 --epochs 5 --lr 1e18"},
           {"ssl", "--labels 10 --batch 40 --epochs 5 --lr 1e18"}}) {
    CAPTURE(app);
    TempDir out;
    const testing::ProgramRun run =
        testing::run_app_apart(app, "--data " + data.path() + " --threads 1 " + flags + " --out " + out.path());
    INFO(run.errors);
    CHECK(run.status == 1);
    CHECK(run.errors.find("became NaN/Inf at iteration") != std::string::npos);
    const std::string checkpoint = out.file(app == "mnist_classifier" ? "classifier.safetensors" : "checkpoint.safetensors");
    CHECK(run.errors.find("The last good checkpoint is " + checkpoint) != std::string::npos);
    const std::vector<int64_t> position = load(checkpoint).at("run.position").to_vector<int64_t>();
    CHECK(position[0] >= 1);  // a checkpoint from before the losses went bad, and it loads
  }
}
