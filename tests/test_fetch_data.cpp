// make data (scripts/fetch-data.sh): MNIST alone by default, exit 0 once it
// is there; a dataset asked for by name that cannot be had is an error that
// names its files and how to provide them. Downloads are switched off
// (GRADSCHOOL_NO_DOWNLOAD=1), so only a mirror can provide the files.
#include <cstdlib>
#include <filesystem>

#include "data/mnist.h"
#include "tests/data_fixtures.h"
#include "tests/demo_runner.h"
#include "tests/helpers.h"

using gs::testing::TempDir;

namespace {

struct ScriptRun {
  std::string output;
  int status;
};

// scripts/fetch-data.sh with `arguments`, filling `destination`, reading `mirror` (may be empty).
ScriptRun fetch(const std::string& arguments, const std::string& destination, const std::string& mirror) {
  const std::string command = "GRADSCHOOL_NO_DOWNLOAD=1 GRADSCHOOL_DATA_DIR='" + destination +
                              "' GRADSCHOOL_DATA_MIRROR='" + mirror + "' bash scripts/fetch-data.sh " + arguments +
                              " 2>&1";
  ScriptRun run{"", -1};
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) run.output.append(buffer, n);
  const int status = pclose(pipe);
  run.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Decided once, before the tests run (doctest decorators are built at start-up).
std::string mnist_mirror() {
  const char* mirror = std::getenv("GRADSCHOOL_DATA_MIRROR");
  return mirror && !gs::data::find_mnist_dir(mirror).empty() ? mirror : "";
}
const bool kNoMirror = mnist_mirror().empty();

}  // namespace

TEST_CASE("make data asked for a dataset it cannot get fails, naming the files and how to provide them") {
  TempDir destination, empty_mirror;
  const ScriptRun svhn = fetch("svhn", destination.path(), empty_mirror.path());
  INFO(svhn.output);
  CHECK(svhn.status == 1);
  CHECK(contains(svhn.output, "svhn/train_32x32.mat (md5 e26dedcc434d2e4c54c9b2d4a06d8373)"));
  CHECK(contains(svhn.output, "set GRADSCHOOL_DATA_MIRROR"));
  const ScriptRun cifar = fetch("cifar10", destination.path(), empty_mirror.path());
  CHECK(cifar.status == 1);
  CHECK(contains(cifar.output, "cifar10/cifar-10-binary.tar.gz"));
  CHECK(fetch("imagenet", destination.path(), empty_mirror.path()).status == 2);
}

TEST_CASE("make data fetches MNIST alone by default and succeeds once it is there" * doctest::skip(kNoMirror) *
          doctest::description(kNoMirror ? "no MNIST mirror (set GRADSCHOOL_DATA_MIRROR to a folder with MNIST)"
                                         : nullptr)) {
  const std::string mirror = mnist_mirror();
  TempDir destination;
  const ScriptRun run = fetch("", destination.path(), mirror);
  INFO(run.output);
  CHECK(run.status == 0);
  CHECK(contains(run.output, "SVHN and CIFAR-10 on request"));
  CHECK(std::filesystem::exists(destination.file("mnist/train-images-idx3-ubyte.gz")));
  CHECK(!std::filesystem::exists(destination.file("svhn")));
  // A second run finds the files in place.
  CHECK(contains(fetch("", destination.path(), "").output, "mnist: all files present and verified"));
}
