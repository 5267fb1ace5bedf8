// The real MNIST, when `make data` or $GRADSCHOOL_DATA_MIRROR provides it; the
// test case is skipped (and says so) otherwise. Also: finding data directories.
#include <cstdlib>
#include <numeric>

#include "data/mnist.h"
#include "data/idx.h"
#include "tests/data_fixtures.h"
#include "tests/helpers.h"

using namespace gs;
using namespace gs::data;
using gs::testing::error_message;
using gs::testing::TempDir;

namespace {

// Prints "skipped: <description>" for every test case skipped by its own
// decorator, so that a skipped check is never mistaken for a passed one.
struct SkipNotes : doctest::IReporter {
  const doctest::ContextOptions& options;
  explicit SkipNotes(const doctest::ContextOptions& in) : options(in) {}
  void test_case_skipped(const doctest::TestCaseData& test) override {
    if (test.m_skip && test.m_description != nullptr) *options.cout << "skipped: " << test.m_description << "\n";
  }
  void report_query(const doctest::QueryData&) override {}
  void test_run_start() override {}
  void test_run_end(const doctest::TestRunStats&) override {}
  void test_case_start(const doctest::TestCaseData&) override {}
  void test_case_reenter(const doctest::TestCaseData&) override {}
  void test_case_end(const doctest::CurrentTestCaseStats&) override {}
  void test_case_exception(const doctest::TestCaseException&) override {}
  void subcase_start(const doctest::SubcaseSignature&) override {}
  void subcase_end() override {}
  void log_assert(const doctest::AssertData&) override {}
  void log_message(const doctest::MessageData&) override {}
};
REGISTER_LISTENER("skip-notes", 1, SkipNotes);

// Decided once, before the tests run (doctest decorators are built at start-up).
const bool kMnistAbsent = find_mnist_dir().empty();

std::vector<int64_t> histogram(const Tensor& labels) {
  std::vector<int64_t> counts(10, 0);
  for (int64_t label : labels.to_vector<int64_t>()) ++counts.at(label);
  return counts;
}

}  // namespace

TEST_CASE("real MNIST: 70,000 images with the published label histograms" *
          doctest::skip(kMnistAbsent) *
          doctest::description(kMnistAbsent ? "MNIST not found (run `make data` or set GRADSCHOOL_DATA_MIRROR)"
                                            : nullptr)) {
  const std::string dir = find_mnist_dir();
  MESSAGE("loading MNIST from " << dir);
  const Dataset train = load_mnist(dir, Split::kTrain);
  const Dataset test = load_mnist(dir, Split::kTest);
  CHECK(train.images.shape() == Shape{60000, 1, 28, 28});
  CHECK(test.images.shape() == Shape{10000, 1, 28, 28});
  CHECK(train.size() + test.size() == 70000);
  CHECK(histogram(train.labels) == std::vector<int64_t>{5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949});
  CHECK(histogram(test.labels) == std::vector<int64_t>{980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009});
  // Pixels span the whole byte range, scaled to exactly [-1, 1].
  const std::vector<float> pixels = train.images.to_vector<float>();
  CHECK(*std::min_element(pixels.begin(), pixels.end()) == -1.0f);
  CHECK(*std::max_element(pixels.begin(), pixels.end()) == 1.0f);
}

TEST_CASE("find_mnist_dir honours --data, and loading from nowhere explains how to get the data") {
  TempDir dir;
  for (const char* stem : {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                           "t10k-labels-idx1-ubyte"}) {
    const bool images = std::string(stem).find("images") != std::string::npos;
    dir.write(std::string(stem) + ".gz",
              images ? idx_file_bytes({2, 28, 28}, std::string(2 * 784, '\x80')) : idx_file_bytes({2}, {1, 7}));
  }
  CHECK(find_mnist_dir(dir.path()) == dir.path());
  CHECK(load_mnist(dir.path(), Split::kTest).labels.to_vector<int64_t>() == std::vector<int64_t>{1, 7});
  TempDir parent;  // --data may also name the folder above mnist/
  std::filesystem::create_directory(parent.file("mnist"));
  for (const auto& entry : std::filesystem::directory_iterator(dir.path()))
    std::filesystem::copy(entry.path(), parent.file("mnist"));
  CHECK(find_mnist_dir(parent.path()) == parent.file("mnist"));
  CHECK(error_message([] { find_mnist_dir("/nonexistent"); }) ==
        "--data /nonexistent: neither this directory nor /nonexistent/mnist holds the MNIST files (the four "
        "*-ubyte.gz files)");
  CHECK(error_message([] { load_mnist("", Split::kTrain); }).find("MNIST not found. Run `make data`") == 0);
}

TEST_CASE("MNIST labels outside 0..9 are rejected with the position") {
  TempDir dir;
  dir.write("t10k-images-idx3-ubyte", idx_file_bytes({2, 28, 28}, std::string(2 * 784, '\0')));
  const std::string labels = dir.write("t10k-labels-idx1-ubyte", idx_file_bytes({2}, {3, 12}));
  CHECK(error_message([&] { load_mnist(dir.path(), Split::kTest); }) ==
        labels + ": label 12 at position 1 is not a digit class 0..9");
}
