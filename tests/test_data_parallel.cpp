// Data parallelism across processes (nn/data_parallel.h), with mpirun on
// this machine: 2 ranks of one thread each, as root, in a container
// (OMPI_ALLOW_RUN_AS_ROOT, --oversubscribe, no shared-memory single copy).
//  - the collective, sharding, synchronized batch norm and DCGAN gradient
//    cases of tests/distributed/ under mpirun -np 2;
//  - mnist_gan and ssl (mnist-mlp) for 20 iterations on 2 ranks equal 20
//    single-process iterations: losses and weights to 1e-4 relative. They run
//    in float64 (--dtype float64): in float32 the two runs differ from the
//    first step in the last bits (sums over 32 + 32 rows are not sums over
//    64), and GAN training with Adam amplifies that about 4x per step (README,
//    "Several processes"), so float32 would compare rounding, not the method;
//  - --resume across world sizes, a --batch that does not split, a killed rank.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <thread>

#include "apps/common/run_files.h"
#include "nn/checkpoint.h"
#include "tensor/file_io.h"
#include "tests/data_fixtures.h"
#include "tests/demo_runner.h"
#include "tests/helpers.h"

using namespace gs;
using testing::TempDir;

namespace {

// Under make asan, LeakSanitizer walks the full stacks (OpenMPI's libraries
// have no frame pointers) so that tests/lsan-suppressions.txt recognises
// OpenMPI's own allocations.
const std::string kMpirun =
    "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl_vader_single_copy_mechanism=none "
    "OMP_NUM_THREADS=1 ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0 mpirun -np 2 --oversubscribe ";

testing::ProgramRun on_two_ranks(const std::string& app, const std::string& arguments) {
  REQUIRE_MESSAGE(testing::run_command("command -v mpirun").status == 0,
                  "mpirun not found: scripts/install-deps.sh installs openmpi-bin");
  return testing::run_command(kMpirun + testing::program_path(app) + " " + arguments + " 2>&1");
}

testing::ProgramRun in_one_process(const std::string& app, const std::string& arguments) {
  return testing::run_command("OMP_NUM_THREADS=1 " + testing::program_path(app) + " " + arguments + " 2>&1");
}

// Trains `app` with `arguments` in one process into `one` and on 2 ranks into
// `two`; returns what the ranks printed.
std::string train_both_ways(const std::string& app, const std::string& arguments, const TempDir& one,
                            const TempDir& two) {
  REQUIRE(in_one_process(app, arguments + " --out " + one.path()).status == 0);
  const testing::ProgramRun ranks = on_two_ranks(app, arguments + " --out " + two.path());
  INFO(ranks.output);
  REQUIRE(ranks.status == 0);
  return ranks.output;
}

// The numeric columns of a log, row by row (the header dropped, the seconds column too).
std::vector<std::vector<double>> log_values(const std::string& path) {
  std::istringstream lines(read_file(path));
  std::string line;
  std::getline(lines, line);
  const std::vector<std::string> header = apps::csv_fields(line);
  std::vector<std::vector<double>> rows;
  while (std::getline(lines, line)) {
    const std::vector<std::string> fields = apps::csv_fields(line);
    std::vector<double> row;
    for (size_t i = 0; i < fields.size(); ++i)
      if (header[i] != "seconds") row.push_back(std::stod(fields[i]));
    rows.push_back(row);
  }
  return rows;
}

void expect_logs_close(const std::string& a, const std::string& b, double tolerance) {
  const auto rows_a = log_values(a), rows_b = log_values(b);
  REQUIRE(rows_a.size() == rows_b.size());
  REQUIRE(rows_a.size() > 0);
  for (size_t r = 0; r < rows_a.size(); ++r)
    for (size_t c = 0; c < rows_a[r].size(); ++c) {
      CAPTURE(r);
      CAPTURE(c);
      CHECK(std::abs(rows_a[r][c] - rows_b[r][c]) <= tolerance * std::max(1.0, std::abs(rows_b[r][c])));
    }
}

// A bias right before a batch norm has gradient 0 in exact arithmetic (the
// norm subtracts it), so Adam moves it by +-lr on rounding noise: it changes
// no output, and it (with its optimizer state and average) is compared
// through the outputs, not by value. The DCGAN has four.
bool feeds_batch_norm(const std::string& name) {
  for (const char* dead : {"generator.4.bias", "generator.7.bias", "discriminator.2.bias", "discriminator.5.bias",
                           "averaged_generator.4.bias", "averaged_generator.7.bias"})
    if (name == dead) return true;
  return name.find("optimizer.") != std::string::npos || name.find("generator_average.") != std::string::npos;
}

void expect_checkpoints_close(const std::string& a, const std::string& b, double tolerance) {
  const StateDict x = load(a), y = load(b);
  REQUIRE(x.size() == y.size());
  for (const auto& [name, tensor] : x) {
    CAPTURE(name);
    REQUIRE(y.count(name) == 1);
    if (feeds_batch_norm(name)) continue;
    const Tensor p = tensor.to(kFloat64), q = y.at(name).to(kFloat64);
    const double norm = std::sqrt((q * q).sum().item()), difference = std::sqrt(((p - q) * (p - q)).sum().item());
    CHECK(difference <= tolerance * std::max(norm, 1e-12));
  }
}

// A /proc file's bytes ("" once the process is gone).
std::string proc_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_CASE("the data-parallel cases of tests/distributed pass on 2 ranks") {
  const char* build = std::getenv("GS_BUILD_DIR");
  const std::string binary = std::string(build ? build : "build") + "/tests/gradschool_distributed_tests";
  const testing::ProgramRun run = testing::run_command(kMpirun + binary + " --no-colors 2>&1");
  INFO(run.output);
  CHECK(run.status == 0);
  CHECK(run.output.find("Status: SUCCESS") != std::string::npos);
}

// Two "hosts" on this machine: network namespaces joined by a veth pair, and
// mpirun starting the second rank in the other namespace (tests/netns_agent.sh
// as its remote shell), the ranks talking TCP. Needs root with CAP_NET_ADMIN:
// make test leaves the suite out, saying so, where `ip netns add` is refused.
TEST_CASE("two hosts: the data-parallel cases pass across two network namespaces over TCP" *
          doctest::test_suite("two-hosts")) {
  const std::string suffix = std::to_string(getpid());
  const std::string a = "gsa" + suffix, b = "gsb" + suffix;
  const std::string setup = "ip netns add " + a + " && ip netns add " + b + " && ip link add v" + a +
                            " type veth peer name v" + b + " && ip link set v" + a + " netns " + a +
                            " && ip link set v" + b + " netns " + b + " && ip -n " + a +
                            " addr add 10.77.0.1/24 dev v" + a + " && ip -n " + b + " addr add 10.77.0.2/24 dev v" +
                            b + " && ip -n " + a + " link set v" + a + " up && ip -n " + b + " link set v" + b +
                            " up && ip -n " + a + " link set lo up && ip -n " + b + " link set lo up";
  struct Teardown {
    std::string a, b;
    ~Teardown() { testing::run_command("ip netns del " + a + " 2>/dev/null; ip netns del " + b + " 2>/dev/null"); }
  } teardown{a, b};
  const testing::ProgramRun made = testing::run_command("(" + setup + ") 2>&1");
  INFO(made.output);
  REQUIRE(made.status == 0);
  const char* build = std::getenv("GS_BUILD_DIR");
  const std::string binary = std::string(build ? build : "build") + "/tests/gradschool_distributed_tests";
  const std::string agent = std::filesystem::absolute("tests/netns_agent.sh").string();
  const testing::ProgramRun run = testing::run_command(
      "GS_NETNS_HOSTS='10.77.0.1=" + a + " 10.77.0.2=" + b + "' OMPI_ALLOW_RUN_AS_ROOT=1 "
      "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_NUM_THREADS=1 ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}"
      "fast_unwind_on_malloc=0 ip netns exec " + a +
      " mpirun -np 2 -H 10.77.0.1,10.77.0.2 --mca plm_rsh_agent " + agent +
      " --mca btl tcp,self --mca btl_tcp_if_include 10.77.0.0/24 --mca oob_tcp_if_include 10.77.0.0/24 " +
      std::filesystem::absolute(binary).string() + " --no-colors 2>&1");
  INFO(run.output);
  CHECK(run.status == 0);
  CHECK(run.output.find("Status: SUCCESS") != std::string::npos);
}

// make asan leaves the whole-app runs out (TEST_ARGS there): under ASan their
// 11 training runs would take longer than the rest of the suite.
TEST_SUITE_BEGIN("data-parallel-apps");

TEST_CASE("mnist_gan: 2 ranks x 32 equal 1 process x 64 for 20 iterations, and --resume crosses world sizes") {
  TempDir data, one, two, two_then_one, one_then_two;
  testing::write_mnist_fixture(data, 1280, 10);
  // The dcgan rates with minibatch discrimination (all-gathered over the
  // ranks): under --recipe improved (Adam at 2e-3 for G, two G steps) that
  // D amplifies rounding, so that one process on 1 and on 2 threads already
  // differ by 1e-2 in the losses by iteration 12; at the dcgan rates they
  // agree to 6 digits, and so must 2 ranks.
  const std::string arguments = "--data " + data.path() +
                                " --batch 64 --threads 1 --dtype float64 --sample-every 0 --recipe dcgan "
                                "--minibatch-kernels 100";
  const std::string output = train_both_ways("mnist_gan", arguments + " --max-steps 20", one, two);
  CHECK(output.find("2 ranks x 32 of each batch") != std::string::npos);
  CHECK(log_values(two.file("log.csv")).size() == 20);  // rank 0 alone logs
  expect_logs_close(two.file("log.csv"), one.file("log.csv"), 1e-4);
  expect_checkpoints_close(two.file("checkpoint.safetensors"), one.file("checkpoint.safetensors"), 1e-4);

  // 10 iterations on 2 ranks, 10 more in one process; and the reverse.
  REQUIRE(on_two_ranks("mnist_gan", arguments + " --max-steps 10 --out " + two_then_one.path()).status == 0);
  REQUIRE(in_one_process("mnist_gan", arguments + " --max-steps 20 --resume --out " + two_then_one.path()).status == 0);
  REQUIRE(in_one_process("mnist_gan", arguments + " --max-steps 10 --out " + one_then_two.path()).status == 0);
  REQUIRE(on_two_ranks("mnist_gan", arguments + " --max-steps 20 --resume --out " + one_then_two.path()).status == 0);
  for (const TempDir* resumed : {&two_then_one, &one_then_two}) {
    expect_logs_close(resumed->file("log.csv"), one.file("log.csv"), 1e-4);
    expect_checkpoints_close(resumed->file("checkpoint.safetensors"), one.file("checkpoint.safetensors"), 1e-4);
  }
}

TEST_CASE("ssl (mnist-mlp): 2 ranks equal 1 process for 20 iterations") {
  TempDir data, one, two;
  testing::write_mnist_fixture(data, 1000, 100);
  const std::string arguments =
      "--data " + data.path() + " --threads 1 --dtype float64 --max-steps 20 --eval-every 0 --epochs 1";
  train_both_ways("ssl", arguments, one, two);
  expect_logs_close(two.file("log.csv"), one.file("log.csv"), 1e-4);
  expect_checkpoints_close(two.file("checkpoint.safetensors"), one.file("checkpoint.safetensors"), 1e-4);
}

TEST_CASE("mnist_classifier: 2 ranks train like 1 process (float32, 5 iterations)") {
  TempDir data, one, two;
  testing::write_mnist_fixture(data, 640, 100);
  const std::string arguments = "--data " + data.path() + " --batch 64 --threads 1 --max-steps 5";
  train_both_ways("mnist_classifier", arguments, one, two);
  // float32 after 5 Adam steps: the sums over 32 + 32 rows round differently,
  // nothing more; the loss is compared (an accuracy would jump by a whole image).
  const auto rows_two = log_values(two.file("log.csv")), rows_one = log_values(one.file("log.csv"));
  REQUIRE(rows_two.size() == 1);
  REQUIRE(rows_one.size() == 1);
  CHECK(rows_two[0][1] == 5);  // epoch, iteration, train_loss, ...
  CHECK(std::abs(rows_two[0][2] - rows_one[0][2]) <= 1e-3 * rows_one[0][2]);
}

TEST_CASE("a --batch that does not split over the ranks is one clear error") {
  TempDir data, out;
  testing::write_mnist_fixture(data, 128, 10);
  const testing::ProgramRun run =
      on_two_ranks("mnist_gan", "--data " + data.path() + " --batch 63 --max-steps 1 --out " + out.path());
  INFO(run.output);
  CHECK(run.status != 0);
  CHECK(run.output.find("--batch 63 does not split evenly over 2 ranks") != std::string::npos);
}

TEST_CASE("a killed rank ends the run within seconds and the last checkpoint survives") {
  TempDir data, out;
  testing::write_mnist_fixture(data, 640, 10);
  const std::string command = kMpirun + testing::program_path("mnist_gan") + " --data " + data.path() +
                              " --batch 64 --threads 1 --epochs 1000 --sample-every 0 --out " + out.path() +
                              " > " + out.file("output.txt") + " 2>&1";
  std::fflush(nullptr);
  const pid_t launcher = fork();
  REQUIRE(launcher >= 0);
  if (launcher == 0) {
    execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  // Wait for the first epoch's checkpoint, then SIGKILL the rank-1 process.
  const std::string checkpoint = out.file("checkpoint.safetensors");
  for (int i = 0; i < 600 && !std::filesystem::exists(checkpoint); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  REQUIRE(std::filesystem::exists(checkpoint));
  pid_t rank_one = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string environment = proc_file(entry.path().string() + "/environ");
    const std::string command_line = proc_file(entry.path().string() + "/cmdline");
    if (command_line.find(out.path()) != std::string::npos &&
        environment.find(std::string("OMPI_COMM_WORLD_RANK=1") + '\0') != std::string::npos)
      rank_one = std::stoi(entry.path().filename().string());
  }
  REQUIRE(rank_one > 0);
  const auto killed_at = std::chrono::steady_clock::now();
  kill(rank_one, SIGKILL);
  int status = 0;
  pid_t ended = 0;
  while ((ended = waitpid(launcher, &status, WNOHANG)) == 0 &&
         std::chrono::steady_clock::now() - killed_at < std::chrono::seconds(30))
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - killed_at).count();
  if (ended == 0) {
    kill(launcher, SIGKILL);
    waitpid(launcher, &status, 0);
  }
  INFO(read_file(out.file("output.txt")));
  REQUIRE(ended == launcher);
  CHECK(seconds < 10);
  CHECK((WIFEXITED(status) && WEXITSTATUS(status) != 0));
  CHECK(read_file(out.file("output.txt")).find("exited on signal 9") != std::string::npos);
  CHECK(load(checkpoint).size() > 0);  // whole, and it resumes
  CHECK(in_one_process("mnist_gan", "--data " + data.path() + " --batch 64 --threads 1 --sample-every 0 --resume "
                                    "--max-steps 12 --out " + out.path())
            .status == 0);
}

TEST_SUITE_END();
