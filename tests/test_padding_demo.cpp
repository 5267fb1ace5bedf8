// padding_demo and nn/conv_arithmetic: the output-size formulas against the
// real layers and a brute-force count of kernel placements, the layers'
// probed matrices against the placements, the handout table, the GIF, and
// the terminal step-through driven through a pipe.
#include <gif_lib.h>

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "nn/conv_arithmetic.h"
#include "tests/demo_runner.h"
#include "tests/helpers.h"

using namespace gs;
using namespace gs::conv_arithmetic;
using gs::testing::run_app;

namespace {

// Where the kernel (span K) can sit on input + before + after cells, counted one placement at a time.
int64_t count_placements(int64_t input, int64_t before, int64_t after, int64_t span, int64_t stride) {
  int64_t count = 0;
  for (int64_t start = -before; start + span - 1 <= input - 1 + after; start += stride) ++count;
  return count;
}

// Same padding written out from its definition: the least total padding giving ceil(i / s) placements.
void same_pads(int64_t input, int64_t span, int64_t stride, int64_t& before, int64_t& after) {
  const int64_t wanted = (input + stride - 1) / stride;
  int64_t total = 0;
  while (count_placements(input, total / 2, total - total / 2, span, stride) < wanted) ++total;
  before = total / 2, after = total - total / 2;
}

// F::Padding acting on the height only (the test convolves [.., n, 1] columns).
F::Padding height_only(const F::Padding& padding) {
  if (padding.kind != F::Padding::Kind::Explicit) return padding;
  return F::Padding::explicit_(padding.top, padding.bottom, 0, 0);
}

std::vector<ConvDim> all_cases(bool transposed) {
  std::vector<ConvDim> cases;
  for (int64_t input = 1; input <= 9; ++input)
    for (int64_t kernel = 1; kernel <= 5; ++kernel)
      for (int64_t stride = 1; stride <= 3; ++stride)
        for (int64_t dilation = 1; dilation <= 2; ++dilation)
          for (const std::string padding : {"0", "1", "2", "same", "valid", "full"}) {
            ConvDim dim;
            dim.input = input, dim.kernel = kernel, dim.stride = stride, dim.dilation = dilation;
            dim.transposed = transposed;
            parse_padding(padding, dim);
            const bool numeric = dim.mode == PaddingMode::Explicit || dim.mode == PaddingMode::Full;
            for (int64_t extra = 0; extra < (transposed && numeric ? stride : 1); ++extra) {
              dim.output_padding = extra;
              cases.push_back(dim);
            }
          }
  return cases;
}

Tensor column_kernel(int64_t kernel) {  // weights 1..k down a k x 1 kernel: every tap has its own value
  return arange(1, static_cast<double>(kernel + 1), 1, kFloat64).view({1, 1, kernel, 1});
}

}  // namespace

TEST_CASE("convolution output sizes: formula, real layer and brute-force count agree, and the probed matrix holds "
          "the kernel at every placement") {
  int checked = 0;
  for (const ConvDim& dim : all_cases(false)) {
    INFO("input ", dim.input, " kernel ", dim.kernel, " stride ", dim.stride, " dilation ", dim.dilation, " padding ",
         padding_name(dim), " output_padding ", dim.output_padding);
    const int64_t span = dim.dilation * (dim.kernel - 1) + 1;
    int64_t before = dim.mode == PaddingMode::Explicit ? dim.pad : dim.mode == PaddingMode::Full ? span - 1 : 0;
    int64_t after = before;
    if (dim.mode == PaddingMode::Same) same_pads(dim.input, span, dim.stride, before, after);
    const int64_t count = count_placements(dim.input, before, after, span, dim.stride);
    REQUIRE(output_size(dim) == count);
    const F::Padding padding = height_only(layer_padding(dim));
    if (count == 0) {
      CHECK_THROWS_AS(convolution_matrix(column_kernel(dim.kernel), dim.input, 1, {dim.stride, 1}, padding,
                                         {dim.dilation, 1}),
                      Error);
      continue;
    }
    const Tensor matrix =
        convolution_matrix(column_kernel(dim.kernel), dim.input, 1, {dim.stride, 1}, padding, {dim.dilation, 1});
    REQUIRE(matrix.size(0) == count);
    // Row t reads input cell t*s - before + q*d with weight q + 1, and nothing else.
    std::vector<double> expected(static_cast<size_t>(count * dim.input), 0.0);
    for (int64_t t = 0; t < count; ++t)
      for (int64_t q = 0; q < dim.kernel; ++q) {
        const int64_t cell = t * dim.stride - before + q * dim.dilation;
        if (cell >= 0 && cell < dim.input) expected[t * dim.input + cell] = static_cast<double>(q + 1);
      }
    REQUIRE(matrix.to_vector<double>() == expected);
    ++checked;
  }
  CHECK(checked > 1000);
}

TEST_CASE("transposed convolution output sizes: the real layer is the adjoint of the convolution whose input "
          "size the formula gives") {
  int checked = 0;
  for (const ConvDim& dim : all_cases(true)) {
    INFO("input ", dim.input, " kernel ", dim.kernel, " stride ", dim.stride, " dilation ", dim.dilation, " padding ",
         padding_name(dim), " output_padding ", dim.output_padding);
    const int64_t span = dim.dilation * (dim.kernel - 1) + 1;
    // The candidates: every size o whose convolution (same arguments) has dim.input placements.
    auto pads_for = [&](int64_t size, int64_t& before, int64_t& after) {
      before = dim.mode == PaddingMode::Explicit ? dim.pad : dim.mode == PaddingMode::Full ? span - 1 : 0;
      after = before;
      if (dim.mode == PaddingMode::Same) same_pads(size, span, dim.stride, before, after);
    };
    std::vector<int64_t> candidates;
    for (int64_t size = 1; size <= 40; ++size) {
      int64_t before, after;
      pads_for(size, before, after);
      if (count_placements(size, before, after, span, dim.stride) == dim.input) candidates.push_back(size);
    }
    // PyTorch's rule (o = (i - 1)s + K - 2p + a) leaves nothing when the padding eats the whole span: the layer refuses.
    const F::Padding padding = height_only(layer_padding(dim));
    if (output_size(dim) <= 0) {
      CHECK_THROWS_AS(transposed_convolution_matrix(column_kernel(dim.kernel), dim.input, 1, {dim.stride, 1}, padding,
                                                    {dim.output_padding, 0}, {dim.dilation, 1}),
                      Error);
      continue;
    }
    // Otherwise the candidates are s consecutive sizes (those below 1 cut off): TensorFlow's 'same' takes the
    // largest (s * i), PyTorch the first, counted back from the largest, plus output_padding.
    REQUIRE(!candidates.empty());
    const int64_t expected =
        dim.mode == PaddingMode::Same ? candidates.back() : candidates.back() - (dim.stride - 1) + dim.output_padding;
    REQUIRE(std::find(candidates.begin(), candidates.end(), expected) != candidates.end());
    REQUIRE(output_size(dim) == expected);
    const Tensor transposed = transposed_convolution_matrix(column_kernel(dim.kernel), dim.input, 1, {dim.stride, 1},
                                                            padding, {dim.output_padding, 0}, {dim.dilation, 1});
    REQUIRE(transposed.size(0) == expected);
    // ... and it is the transpose of that convolution's probed matrix.
    int64_t before, after;
    pads_for(expected, before, after);
    const Tensor forward = convolution_matrix(column_kernel(dim.kernel), expected, 1, {dim.stride, 1},
                                              F::Padding::explicit_(before, after, 0, 0), {dim.dilation, 1});
    REQUIRE(transposed.to_vector<double>() == forward.transpose(0, 1).contiguous().to_vector<double>());
    ++checked;
  }
  CHECK(checked > 1000);
}

TEST_CASE("padding_demo prints the output size, formula, relationship and the 'same' split") {
  auto run = run_app("padding_demo", "-i 5 -k 3 -s 2 -p same");
  REQUIRE(run.status == 0);
  CHECK(run.output.find("output: 3x3\n") != std::string::npos);
  CHECK(run.output.find("= ceil(5 / 2) = 3\n") != std::string::npos);
  CHECK(run.output.find("Relationship 6") != std::string::npos);
  CHECK(run.output.find("split 1 before + 1 after") != std::string::npos);
  CHECK(run.output.find("max |F::conv2d - the dot products step by step| = 0\n") != std::string::npos);

  run = run_app("padding_demo", "-i 4 -k 4 -p same");  // even kernel: the odd zero goes after
  CHECK(run.output.find("split 1 before + 2 after") != std::string::npos);
  run = run_app("padding_demo", "-i 7 -k 3 -p valid");
  CHECK(run.output.find("o = i - k + 1 = 7 - 3 + 1 = 5\n") != std::string::npos);
  CHECK(run.output.find("Relationship 1 ") != std::string::npos);
}

TEST_CASE("padding_demo --transposed agrees with the equivalent direct convolution") {
  for (const char* arguments : {"-t -i 2 -k 3 -s 2", "-t -i 3 -k 3 -s 2 -p 1 --output-padding 1", "-t -i 4 -k 4 -p same",
                                "-t -i 3 -k 2 -s 3 -p same", "-t -i 6 -k 3 -d 2 -p full", "-t -i 8 -k 3 -p 3"}) {
    CAPTURE(arguments);
    const auto run = run_app("padding_demo", arguments);
    REQUIRE(run.status == 0);
    CHECK(run.output.find("max |F::conv_transpose2d - direct convolution| = 0\n") != std::string::npos);
  }
  const auto run = run_app("padding_demo", "-t -i 2 -k 3 -s 2");
  CHECK(run.output.find("o' = s(i' - 1) + k = 2*(2 - 1) + 3 = 5\n") != std::string::npos);
  CHECK(run.output.find("Relationship 12") != std::string::npos);
}

TEST_CASE("padding_demo --table rows match a direct count") {
  const auto run = run_app("padding_demo", "--table --table-inputs 5,8 --table-kernels 3,4 --table-strides 1,2");
  REQUIRE(run.status == 0);
  // input kernel stride | conv: valid same p=1 full | transposed: valid same p=1
  auto row = [](int64_t i, int64_t k, int64_t s) {
    auto text = [](int64_t v) { return v > 0 ? std::to_string(v) : std::string("-"); };
    std::ostringstream line;
    for (int64_t v : {i, k, s}) line << std::string(6 - std::to_string(v).size(), ' ') << v;
    line << " |       ";
    for (int64_t v : {count_placements(i, 0, 0, k, s), (i + s - 1) / s, count_placements(i, 1, 1, k, s),
                      count_placements(i, k - 1, k - 1, k, s)})
      line << std::string(6 - text(v).size(), ' ') << text(v);
    line << " |            ";
    for (int64_t v : {(i - 1) * s + k, i * s, (i - 1) * s + k - 2}) line << std::string(6 - text(v).size(), ' ') << text(v);
    return line.str() + "\n";
  };
  for (int64_t i : {5, 8})
    for (int64_t k : {3, 4})
      for (int64_t s : {1, 2}) {
        INFO("i ", i, " k ", k, " s ", s);
        CHECK(run.output.find(row(i, k, s)) != std::string::npos);
      }
}

TEST_CASE("padding_demo --gif decodes with one frame per output cell") {
  const std::string path = "build/test_padding_demo.gif";
  const auto run = run_app("padding_demo", "-i 5 -k 3 -s 2 -p 1 --gif " + path);
  REQUIRE(run.status == 0);
  int error = 0;
  GifFileType* gif = DGifOpenFileName(path.c_str(), &error);
  REQUIRE(gif != nullptr);
  REQUIRE(DGifSlurp(gif) == GIF_OK);
  CHECK(gif->ImageCount == 9);  // a 3x3 output
  // 7x7 padded grid and 3x3 output, 32-pixel cells, 16-pixel margins, 48 between the grids.
  CHECK(gif->SWidth == 2 * 16 + (7 + 3) * 32 + 48);
  CHECK(gif->SHeight == 2 * 16 + 7 * 32);
  DGifCloseFile(gif, &error);
  std::remove(path.c_str());
}

TEST_CASE("padding_demo --step runs from piped input and stops at q") {
  const auto run = run_app("padding_demo", "-i 4 -k 3 -s 2 -p 1 --step", "\\nq\\n");
  REQUIRE(run.status == 0);
  CHECK(run.output.find("\x1b[") == std::string::npos);  // not a terminal: no colour codes
  CHECK(run.output.find("step 1 of 4: output cell (0, 0)\n") != std::string::npos);
  // Padding row and column are 0; the window reads [0 0 0; 0 1 2; 0 5 6] against [0 1 2; 2 2 0; 0 1 2].
  CHECK(run.output.find("y(0, 0) = 0*0 + 1*0 + 2*0 + 2*0 + 2*1 + 0*2 + 0*0 + 1*5 + 2*6 = 19\n") != std::string::npos);
  CHECK(run.output.find("  [   .][   .][   .]    .     .     .       [  19]    ?\n") != std::string::npos);
  CHECK(run.output.find("step 2 of 4: output cell (0, 1)\n") != std::string::npos);
  CHECK(run.output.find("step 3 of 4") == std::string::npos);
}

TEST_CASE("padding_demo explains bad arguments") {
  auto run = run_app("padding_demo", "-p sideways");
  CHECK(run.status != 0);
  CHECK(run.output.find("padding must be 'same', 'valid', 'full' or a number from 0 to 64, got 'sideways'") != std::string::npos);
  run = run_app("padding_demo", "-i 2 -k 5");
  CHECK(run.status != 0);
  CHECK(run.output.find("leaves no output for a 2x2 input") != std::string::npos);
  run = run_app("padding_demo", "--stride 0");
  CHECK(run.status != 0);
  CHECK(run.output.find("--stride") != std::string::npos);
  run = run_app("padding_demo", "-t -s 2 -p same --output-padding 1");
  CHECK(run.status != 0);
  CHECK(run.output.find("--output-padding only goes with") != std::string::npos);
}

TEST_CASE("padding_demo keeps sizes and values of 6 and more digits apart, and --table takes --padding's p") {
  const auto wide = run_app("padding_demo", "--table --table-inputs 4096 --table-kernels 64 --table-strides 64 -d 8");
  REQUIRE(wide.status == 0);
  CHECK(wide.output.find(" 262585 262144 262583\n") != std::string::npos);  // transposed: s(i-1)+K, s i, -2p
  // A large transposed walkthrough: 6-digit dot products, every number its own column.
  const auto big = run_app("padding_demo", "-i 32 -k 16 -s 8 -d 8 -t -p full");
  REQUIRE(big.status == 0);
  CHECK(big.output.find("max |F::conv_transpose2d - direct convolution| = 0") != std::string::npos);
  CHECK(big.output.find("0104") == std::string::npos);  // "...0" and "104..." never run together
  const auto png = run_app("padding_demo", "-i 32 -k 16 -p full --png build/test_padding_demo_big.png");
  CHECK(png.status == 1);  // 2,209 frames of 3568x2016 pixels: refused before drawing, not an out-of-memory kill
  CHECK(png.output.find("are too many to draw") != std::string::npos);
  const auto p3 = run_app("padding_demo", "--table -p 3 --table-inputs 4 --table-kernels 4 --table-strides 2");
  CHECK(p3.output.find("p=3") != std::string::npos);
  CHECK(p3.output.find("     4     4     2 |            1     2     4     4 |                10     8     4") !=
        std::string::npos);  // conv p=3: floor((4 + 6 - 4) / 2) + 1 = 4; transposed: 2*3 + 4 - 6 = 4
  const auto explicit_pad = run_app("padding_demo", "--table -p 3 --table-pad 1 --table-inputs 4");
  CHECK(explicit_pad.output.find("p=1") != std::string::npos);  // --table-pad given wins
}
