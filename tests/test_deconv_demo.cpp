// deconv_demo and the convolution matrix: C built by probing conv2d
// reproduces conv2d, and its transpose is conv_transpose2d and autograd's
// input gradient (float64, 1e-12); the demo's lecture answer and overlap counts.
#include <sstream>

#include "nn/conv_arithmetic.h"
#include "tests/demo_runner.h"
#include "tests/helpers.h"

using namespace gs;
using gs::testing::random_leaf;
using gs::testing::run_app;

namespace {

struct MatrixCase {
  int64_t size, kernel, stride, before, after, dilation;
};

double max_difference(const Tensor& a, const Tensor& b) {
  REQUIRE(a.numel() == b.numel());
  const std::vector<double> x = a.to_vector<double>(), y = b.to_vector<double>();
  double worst = 0;
  for (size_t i = 0; i < x.size(); ++i) worst = std::max(worst, std::abs(x[i] - y[i]));
  return worst;
}

}  // namespace

TEST_CASE("C x == conv2d(x), and C^T y == conv_transpose2d(y) == the gradient of <conv2d(x), y> by autograd") {
  const MatrixCase cases[] = {{4, 3, 1, 0, 0, 1}, {5, 3, 2, 1, 1, 1}, {6, 4, 2, 1, 1, 1},
                              {7, 3, 3, 0, 2, 1}, {6, 3, 1, 2, 2, 2}, {5, 2, 2, 0, 1, 1}};
  uint64_t seed = 1;
  for (const MatrixCase& c : cases) {
    INFO("size ", c.size, " kernel ", c.kernel, " stride ", c.stride, " padding ", c.before, "/", c.after,
         " dilation ", c.dilation);
    const F::Padding padding = F::Padding::explicit_(c.before, c.after, c.before, c.after);
    const Tensor weight = random_leaf({1, 1, c.kernel, c.kernel}, seed++).detach();
    const Tensor C = conv_arithmetic::convolution_matrix(weight, c.size, c.size, c.stride, padding, c.dilation);
    const int64_t out = F::conv_output_size(c.size, c.kernel, c.stride, c.before, c.after, c.dilation);
    REQUIRE(C.size(0) == out * out);
    REQUIRE(C.size(1) == c.size * c.size);

    const Tensor x = random_leaf({1, 1, c.size, c.size}, seed++);
    CHECK(max_difference(matmul(C, x.detach().reshape({-1, 1})),
                         F::conv2d(x.detach(), weight, Tensor(), c.stride, padding, c.dilation)) < 1e-12);

    const Tensor y = random_leaf({1, 1, out, out}, seed++).detach();
    const Tensor by_matrix = matmul(C.transpose(0, 1), y.reshape({-1, 1}));
    // The output_padding that makes conv_transpose2d map back to size x size.
    const int64_t extra = c.size - ((out - 1) * c.stride + c.dilation * (c.kernel - 1) + 1 - c.before - c.after);
    const Tensor by_layer = F::conv_transpose2d(y, weight, Tensor(), c.stride, padding, extra, c.dilation);
    sum(F::conv2d(x, weight, Tensor(), c.stride, padding, c.dilation) * y).backward();
    CHECK(max_difference(by_matrix, by_layer) < 1e-12);
    CHECK(max_difference(by_matrix, x.grad()) < 1e-12);
    // Probing conv_transpose2d gives C^T entry for entry.
    CHECK(max_difference(conv_arithmetic::transposed_convolution_matrix(weight, out, out, c.stride, padding, extra,
                                                                        c.dilation),
                         C.transpose(0, 1).contiguous()) < 1e-12);
  }
}

TEST_CASE("deconv_demo prints the 4x16 matrix of the default 4x4 / 3x3 convolution and checks it") {
  const auto run = run_app("deconv_demo", "");
  REQUIRE(run.status == 0);
  CHECK(run.output.find("C (4x16,") != std::string::npos);
  // Row 0 lays the kernel 1..9 over input pixels 0-2, 4-6, 8-10.
  CHECK(run.output.find("\n   1  2  3  .  4  5  6  .  7  8  9  .  .  .  .  .\n") != std::string::npos);
  CHECK(run.output.find("\n   .  .  .  .  .  1  2  3  .  4  5  6  .  7  8  9\n") != std::string::npos);
  CHECK(run.output.find("max |C x - conv2d(x)| = 0\n") != std::string::npos);
  CHECK(run.output.find("max difference = 0\n") != std::string::npos);
  // The lecture's question, answered by the real layer's shapes.
  CHECK(run.output.find("same : conv_transpose2d(A 4x4) = B 4x4, and conv2d(B 4x4, same) is 4x4\n") != std::string::npos);
  CHECK(run.output.find("valid: conv_transpose2d(A 4x4) = B 7x7, and conv2d(B 7x7, valid) is 4x4\n") !=
        std::string::npos);

  for (const char* arguments : {"--stride 2 -i 5", "-i 5 -s 2 -p same", "-i 6 -k 4 -s 2 -p 1", "-k 2 -p full"}) {
    INFO(arguments);
    const auto strided = run_app("deconv_demo", arguments);
    REQUIRE(strided.status == 0);
    CHECK(strided.output.find("max difference = 0\n") != std::string::npos);
  }
}

TEST_CASE("deconv_demo --overlap counts the kernel taps on each output pixel") {
  const auto run = run_app("deconv_demo", "--overlap -i 4");
  REQUIRE(run.status == 0);
  for (int64_t kernel : {3, 4}) {
    // 1-D: output pixel o is hit by input j and tap q with 2j + q = o; the 2-D count is the product.
    const int64_t size = 3 * 2 + kernel;
    std::vector<int64_t> hits(static_cast<size_t>(size), 0);
    for (int64_t j = 0; j < 4; ++j)
      for (int64_t q = 0; q < kernel; ++q) ++hits[2 * j + q];
    std::ostringstream expected;
    expected << "kernel " << kernel << ", stride 2 -> " << size << "x" << size << ":\n";
    for (int64_t r = 0; r < size; ++r) {
      expected << " ";
      for (int64_t c = 0; c < size; ++c) {
        const std::string count = std::to_string(hits[r] * hits[c]);
        expected << std::string(5 - count.size(), ' ') << count;
      }
      expected << "\n";
    }
    INFO("kernel ", kernel);
    CHECK(run.output.find(expected.str()) != std::string::npos);
  }
}

TEST_CASE("deconv_demo explains bad arguments") {
  auto run = run_app("deconv_demo", "-p diagonal");
  CHECK(run.status != 0);
  CHECK(run.output.find("padding must be 'same', 'valid', 'full' or a number from 0 to 64, got 'diagonal'") !=
        std::string::npos);
  run = run_app("deconv_demo", "-i 2 -k 3");
  CHECK(run.status != 0);
  CHECK(run.output.find("does not fit in the 2x2 input") != std::string::npos);
  run = run_app("deconv_demo", "--kernel x");
  CHECK(run.status != 0);
  CHECK(run.output.find("--kernel") != std::string::npos);
}
