// conv2d and conv_transpose2d: forward values against a direct loop,
// float64 gradchecks over many geometries, the adjoint identity, and the
// output-size rules of Dumoulin & Visin's convolution arithmetic.
#include <cmath>

#include "nn/functional.h"
#include "nn/im2col.h"
#include "tensor/backend.h"
#include "tests/helpers.h"

using namespace gs;
using gs::testing::expect_close;
using gs::testing::expect_gradients_match;
using gs::testing::random_leaf;

namespace {

struct ConvCase {
  const char* name;
  int64_t batch, in_channels, height, width, out_channels, kernel_h, kernel_w;
  F::Pair stride, dilation;
  F::Padding padding;
};

// TensorFlow's 'same' padding, written out independently of nn/im2col.cpp.
void same_pads(int64_t in, int64_t k, int64_t s, int64_t d, int64_t& before, int64_t& after) {
  const int64_t out = (in + s - 1) / s;
  const int64_t total = std::max<int64_t>((out - 1) * s + d * (k - 1) + 1 - in, 0);
  before = total / 2;
  after = total - before;
}

// The definition of cross-correlation, one output element at a time.
Tensor direct_conv2d(const Tensor& x, const Tensor& w, const Tensor& b, const ConvCase& c) {
  int64_t top = 0, bottom = 0, left = 0, right = 0;
  if (c.padding.kind == F::Padding::Kind::Same) {
    same_pads(c.height, c.kernel_h, c.stride.h, c.dilation.h, top, bottom);
    same_pads(c.width, c.kernel_w, c.stride.w, c.dilation.w, left, right);
  } else if (c.padding.kind == F::Padding::Kind::Explicit) {
    top = c.padding.top, bottom = c.padding.bottom, left = c.padding.left, right = c.padding.right;
  }
  const int64_t out_h = (c.height + top + bottom - c.dilation.h * (c.kernel_h - 1) - 1) / c.stride.h + 1;
  const int64_t out_w = (c.width + left + right - c.dilation.w * (c.kernel_w - 1) - 1) / c.stride.w + 1;
  std::vector<double> xv = x.to_vector<double>(), wv = w.to_vector<double>(), bv = b.to_vector<double>();
  std::vector<double> y(c.batch * c.out_channels * out_h * out_w);
  for (int64_t n = 0; n < c.batch; ++n)
    for (int64_t o = 0; o < c.out_channels; ++o)
      for (int64_t i = 0; i < out_h; ++i)
        for (int64_t j = 0; j < out_w; ++j) {
          double sum = bv[o];
          for (int64_t ch = 0; ch < c.in_channels; ++ch)
            for (int64_t p = 0; p < c.kernel_h; ++p)
              for (int64_t q = 0; q < c.kernel_w; ++q) {
                const int64_t row = i * c.stride.h - top + p * c.dilation.h;
                const int64_t col = j * c.stride.w - left + q * c.dilation.w;
                if (row < 0 || row >= c.height || col < 0 || col >= c.width) continue;
                sum += wv[((o * c.in_channels + ch) * c.kernel_h + p) * c.kernel_w + q] *
                       xv[((n * c.in_channels + ch) * c.height + row) * c.width + col];
              }
          y[((n * c.out_channels + o) * out_h + i) * out_w + j] = sum;
        }
  return tensor(y, {c.batch, c.out_channels, out_h, out_w});
}

// Kernels 1, 3, 4, 5; strides 1, 2, 3; Same, Valid, explicit; dilation 2;
// odd and even sizes; batch 1 and 3; non-square inputs and kernels.
const std::vector<ConvCase> kCases = {
    {"k1 s1 valid", 1, 2, 5, 4, 3, 1, 1, 1, 1, F::Padding::valid()},
    {"k3 s1 same, batch 3, 5x6", 3, 2, 5, 6, 3, 3, 3, 1, 1, F::Padding::same()},
    {"k3 s2 same, even 6x6", 1, 2, 6, 6, 2, 3, 3, 2, 1, F::Padding::same()},
    {"k4 s2 same, 7x8 (uneven padding)", 1, 2, 7, 8, 2, 4, 4, 2, 1, F::Padding::same()},
    {"k5 s3 same, 7x7", 1, 2, 7, 7, 2, 5, 5, 3, 1, F::Padding::same()},
    {"k5 s2 same, 8x8", 1, 1, 8, 8, 2, 5, 5, 2, 1, F::Padding::same()},
    {"k3 s1 explicit (1,2,0,1), batch 3", 3, 2, 4, 5, 2, 3, 3, 1, 1, F::Padding::explicit_(1, 2, 0, 1)},
    {"k3 s1 valid dilation 2, 7x6", 1, 2, 7, 6, 2, 3, 3, 1, 2, F::Padding::valid()},
    {"k3 s2 same dilation 2", 1, 2, 7, 7, 2, 3, 3, 2, 2, F::Padding::same()},
    {"k3x2 stride (2,1) explicit, 6x5", 1, 2, 6, 5, 2, 3, 2, F::Pair(2, 1), 1, F::Padding::explicit_(1, 1, 1, 0)},
    {"k4 s3 valid, batch 3, 9x7", 3, 1, 9, 7, 2, 4, 4, 3, 1, F::Padding::valid()},
    // Outputs of at least F::kPerImagePixels pixels: the products run image by image.
    {"k3 s1 same, batch 2, 12x12 (per-image products)", 2, 2, 12, 12, 2, 3, 3, 1, 1, F::Padding::same()},
    {"k5 s2 same, batch 2, 24x23 (per-image products)", 2, 1, 24, 23, 3, 5, 5, 2, 1, F::Padding::same()},
};

}  // namespace

TEST_CASE("conv2d matches the direct definition of cross-correlation") {
  for (const ConvCase& c : kCases) {
    INFO(c.name);
    Tensor x = random_leaf({c.batch, c.in_channels, c.height, c.width}, 1);
    Tensor w = random_leaf({c.out_channels, c.in_channels, c.kernel_h, c.kernel_w}, 2);
    Tensor b = random_leaf({c.out_channels}, 3);
    expect_close(F::conv2d(x, w, b, c.stride, c.padding, c.dilation), direct_conv2d(x, w, b, c), 1e-12, 1e-12);
  }
}

TEST_CASE("conv2d float32 agrees with float64") {
  const ConvCase& c = kCases[3];
  Tensor x = random_leaf({c.batch, c.in_channels, c.height, c.width}, 4);
  Tensor w = random_leaf({c.out_channels, c.in_channels, c.kernel_h, c.kernel_w}, 5);
  Tensor y32 = F::conv2d(x.detach().to(kFloat32), w.detach().to(kFloat32), Tensor(), c.stride, c.padding);
  expect_close(y32, F::conv2d(x, w, Tensor(), c.stride, c.padding), 1e-5, 1e-5);
}

TEST_CASE("conv2d gradients (input, weight, bias) pass gradcheck") {
  for (const ConvCase& c : kCases) {
    INFO(c.name);
    Tensor x = random_leaf({c.batch, c.in_channels, c.height, c.width}, 6);
    Tensor w = random_leaf({c.out_channels, c.in_channels, c.kernel_h, c.kernel_w}, 7);
    Tensor b = random_leaf({c.out_channels}, 8);
    expect_gradients_match(
        [&](const std::vector<Tensor>& in) { return F::conv2d(in[0], in[1], in[2], c.stride, c.padding, c.dilation); },
        {x, w, b});
  }
}

TEST_CASE("conv_transpose2d gradients (input, weight, bias) pass gradcheck") {
  struct TransposedCase {
    const char* name;
    ConvCase conv;
    F::Pair output_padding;
  };
  const std::vector<TransposedCase> cases = {
      {"k4 s1 valid 3x3", {"", 1, 2, 3, 3, 2, 4, 4, 1, 1, F::Padding::valid()}, 0},
      {"k5 s2 same, batch 3, 3x4", {"", 3, 2, 3, 4, 2, 5, 5, 2, 1, F::Padding::same()}, 0},
      {"k3 s3 same 2x3", {"", 1, 2, 2, 3, 2, 3, 3, 3, 1, F::Padding::same()}, 0},
      {"k3 s2 explicit + output_padding", {"", 1, 2, 3, 3, 2, 3, 3, 2, 1, F::Padding::symmetric(1)}, 1},
      {"k3 s1 valid dilation 2", {"", 1, 2, 3, 4, 2, 3, 3, 1, 2, F::Padding::valid()}, 0},
      {"k1 s2 valid", {"", 1, 3, 3, 3, 2, 1, 1, 2, 1, F::Padding::valid()}, 0},
      // Inputs of at least F::kPerImagePixels pixels: the products run image by image.
      {"k5 s2 same, batch 2, 12x11 (per-image products)", {"", 2, 2, 12, 11, 1, 5, 5, 2, 1, F::Padding::same()}, 0},
  };
  for (const TransposedCase& t : cases) {
    INFO(t.name);
    const ConvCase& c = t.conv;
    Tensor x = random_leaf({c.batch, c.in_channels, c.height, c.width}, 9);
    Tensor w = random_leaf({c.in_channels, c.out_channels, c.kernel_h, c.kernel_w}, 10);
    Tensor b = random_leaf({c.out_channels}, 11);
    expect_gradients_match(
        [&](const std::vector<Tensor>& in) {
          return F::conv_transpose2d(in[0], in[1], in[2], c.stride, c.padding, t.output_padding, c.dilation);
        },
        {x, w, b});
  }
}

TEST_CASE("conv_transpose2d is the adjoint of conv2d") {
  // <conv2d(z, w), y> == <z, conv_transpose2d(y, w)> for z of conv_transpose2d's output shape.
  for (const ConvCase& c : kCases) {
    INFO(c.name);
    Tensor z = random_leaf({c.batch, c.in_channels, c.height, c.width}, 12).detach();
    Tensor w = random_leaf({c.out_channels, c.in_channels, c.kernel_h, c.kernel_w}, 13).detach();
    Tensor conv = F::conv2d(z, w, Tensor(), c.stride, c.padding, c.dilation);
    Tensor y = random_leaf(conv.shape(), 14).detach();
    // conv2d drops the rows/columns that no window reaches; output_padding restores them.
    F::Pair output_padding = 0;
    F::Padding padding = c.padding;
    if (c.padding.kind != F::Padding::Kind::Same) {
      int64_t used_h = (conv.size(2) - 1) * c.stride.h + c.dilation.h * (c.kernel_h - 1) + 1;
      int64_t used_w = (conv.size(3) - 1) * c.stride.w + c.dilation.w * (c.kernel_w - 1) + 1;
      padding = F::Padding::explicit_(c.padding.top, c.padding.bottom, c.padding.left, c.padding.right);
      output_padding = F::Pair(c.height + c.padding.top + c.padding.bottom - used_h,
                               c.width + c.padding.left + c.padding.right - used_w);
    } else if (c.height % c.stride.h != 0 || c.width % c.stride.w != 0) {
      continue;  // 'same' transposed gives in * stride, a different size
    }
    Tensor back = F::conv_transpose2d(y, w, Tensor(), c.stride, padding, output_padding, c.dilation);
    REQUIRE(back.shape() == z.shape());
    const double lhs = (conv * y).sum().item(), rhs = (z * back).sum().item();
    CHECK(std::abs(lhs - rhs) <= 1e-10 * std::max(1.0, std::abs(lhs)));
  }
}

TEST_CASE("col2im is the sum over kernel taps in tap order, on both of the CPU's paths") {
  // The CPU gathers through a table at strides > 1 when it fits in L1 and adds
  // row runs otherwise: the 24x23 float64 case and the 40x40 planes take the
  // runs, the small strided ones the table. Both must equal the definition,
  // taps in order, to the last bit.
  std::vector<ConvCase> cases = kCases;
  cases.push_back({"k5 s2 same, 40x40", 2, 3, 40, 40, 1, 5, 5, 2, 1, F::Padding::same()});
  cases.push_back({"k5 s2 same, 14x14, 5 channels", 3, 5, 14, 14, 1, 5, 5, 2, 1, F::Padding::same()});
  for (const ConvCase& c : cases) {
    for (DType dtype : {kFloat32, kFloat64}) {
      INFO(c.name << " " << dtype_name(dtype));
      const ConvGeometry g = F::conv_geometry({c.batch, c.in_channels, c.height, c.width}, c.kernel_h, c.kernel_w,
                                              c.stride, c.padding, c.dilation);
      const int64_t out_pixels = g.out_height * g.out_width, taps = g.kernel_h * g.kernel_w;
      Generator gen(15);
      const Tensor columns = randn({g.channels * taps, g.batch * out_pixels}, gen, dtype);
      const Tensor image = empty({g.batch, g.channels, g.height, g.width}, dtype);
      backend(columns.device()).col2im(columns, image, g);
      const std::vector<double> column_values = columns.to_vector<double>();
      std::vector<double> expected(image.numel(), 0.0);
      for (int64_t ch = 0; ch < g.channels; ++ch)
        for (int64_t p = 0; p < g.kernel_h; ++p)
          for (int64_t q = 0; q < g.kernel_w; ++q)
            for (int64_t n = 0; n < g.batch; ++n)
              for (int64_t i = 0; i < g.out_height; ++i)
                for (int64_t j = 0; j < g.out_width; ++j) {
                  const int64_t row = i * g.stride_h - g.pad_top + p * g.dilation_h;
                  const int64_t col = j * g.stride_w - g.pad_left + q * g.dilation_w;
                  if (row < 0 || row >= g.height || col < 0 || col >= g.width) continue;
                  const double value =
                      column_values[((ch * g.kernel_h + p) * g.kernel_w + q) * g.batch * out_pixels +
                                    n * out_pixels + i * g.out_width + j];
                  double& sum = expected[((n * g.channels + ch) * g.height + row) * g.width + col];
                  sum = dtype == kFloat32 ? double(float(sum) + float(value)) : sum + value;
                }
      CHECK(image.to_vector<double>() == expected);
    }
  }
}

TEST_CASE("conv_transpose2d output sizes follow the convolution arithmetic") {
  Tensor x = zeros({1, 1, 4, 4});
  Tensor k4 = zeros({1, 1, 4, 4});
  CHECK(F::conv_transpose2d(x, k4, Tensor(), 1, F::Padding::same()).shape() == Shape{1, 1, 4, 4});
  CHECK(F::conv_transpose2d(x, k4, Tensor(), 1, F::Padding::valid()).shape() == Shape{1, 1, 7, 7});
  // PyTorch: (4 - 1) * 2 - 2 + (3 - 1) + 1 + 1 = 8
  CHECK(F::conv_transpose2d(x, zeros({1, 1, 3, 3}), Tensor(), 2, F::Padding::symmetric(1), 1).shape() ==
        Shape{1, 1, 8, 8});
  CHECK(F::conv_transpose2d(x, zeros({1, 1, 3, 3}), Tensor(), 1, F::Padding::valid(), 0, 2).shape() ==
        Shape{1, 1, 8, 8});

  // The DCGAN generator: 4 -> 7 (k4 s1 valid) -> 14 (k5 s2 same) -> 28 (k5 s2 same).
  Tensor h = zeros({2, 8, 4, 4});
  h = F::conv_transpose2d(h, zeros({8, 4, 4, 4}), Tensor(), 1, F::Padding::valid());
  CHECK(h.shape() == Shape{2, 4, 7, 7});
  h = F::conv_transpose2d(h, zeros({4, 2, 5, 5}), Tensor(), 2, F::Padding::same());
  CHECK(h.shape() == Shape{2, 2, 14, 14});
  h = F::conv_transpose2d(h, zeros({2, 1, 5, 5}), Tensor(), 2, F::Padding::same());
  CHECK(h.shape() == Shape{2, 1, 28, 28});

  // And its discriminator back down: 28 -> 14 -> 7 -> 4 (k5 s2 same).
  Tensor d = zeros({2, 1, 28, 28});
  d = F::conv2d(d, zeros({2, 1, 5, 5}), Tensor(), 2, F::Padding::same());
  CHECK(d.shape() == Shape{2, 2, 14, 14});
  d = F::conv2d(d, zeros({2, 2, 5, 5}), Tensor(), 2, F::Padding::same());
  CHECK(d.shape() == Shape{2, 2, 7, 7});
  d = F::conv2d(d, zeros({2, 2, 5, 5}), Tensor(), 2, F::Padding::same());
  CHECK(d.shape() == Shape{2, 2, 4, 4});
}

TEST_CASE("conv_output_size and same_padding") {
  CHECK(F::conv_output_size(28, 5, 2, 1, 2) == 14);
  CHECK(F::conv_output_size(7, 3, 1, 0, 0, 2) == 3);
  F::SamePadding pad = F::same_padding(28, 5, 2);  // needs (14-1)*2 + 5 - 28 = 3: 1 before, 2 after
  CHECK(pad.before == 1);
  CHECK(pad.after == 2);
  pad = F::same_padding(7, 1, 2);
  CHECK(pad.before == 0);
  CHECK(pad.after == 0);
}

TEST_CASE("convolution errors explain the mistake") {
  Tensor x = zeros({2, 3, 8, 8});
  CHECK(gs::testing::error_message([&] { F::conv2d(x, zeros({64, 1, 5, 5})); }) ==
        "conv2d: input has 3 channels but the weight expects 1 (weight shape [64,1,5,5])");
  CHECK(gs::testing::error_message([&] { F::conv2d(zeros({3, 8, 8}), zeros({4, 3, 3, 3})); })
            .find("expects an input [N, C, H, W]") != std::string::npos);
  CHECK(gs::testing::error_message([&] { F::conv2d(x, zeros({4, 3, 9, 9})); }).find("does not fit") !=
        std::string::npos);
  CHECK(gs::testing::error_message([&] { F::conv2d(x, zeros({4, 3, 3, 3}), zeros({5})); })
            .find("bias must have shape [4]") != std::string::npos);
  CHECK(gs::testing::error_message([&] { F::conv2d(x, zeros({4, 3, 3, 3}), Tensor(), 0); }).find("stride") !=
        std::string::npos);
  CHECK(gs::testing::error_message([&] {
          F::conv_transpose2d(x, zeros({3, 2, 3, 3}), Tensor(), 2, F::Padding::same(), 1);
        }).find("output_padding only goes with explicit padding") != std::string::npos);
  CHECK(gs::testing::error_message([&] {
          F::conv_transpose2d(x, zeros({2, 3, 3, 3}));
        }) == "conv_transpose2d: input has 3 channels but the weight expects 2 (weight shape [2,3,3,3])");
}
