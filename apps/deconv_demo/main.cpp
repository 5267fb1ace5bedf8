// deconv_demo: a convolution is a matrix multiplication y = C x with a sparse
// C holding the kernel weights; the transposed convolution ("deconvolution")
// multiplies by C^T, which is also the gradient of <conv2d(x), y> with
// respect to x. Everything is computed with the framework's own layers:
// C is built by probing F::conv2d with basis images (nn/conv_arithmetic.h).
// --overlap shows why kernel 3 with stride 2 makes checkerboard artifacts in
// generators and kernel 4 with stride 2 does not (Odena, Dumoulin & Olah,
// "Deconvolution and Checkerboard Artifacts", Distill 2016).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <iostream>

#include "apps/common/cli.h"
#include "apps/common/frame.h"
#include "data/image.h"
#include "nn/conv_arithmetic.h"

using namespace gs;
using namespace gs::apps;
using conv_arithmetic::ConvDim;

namespace {

struct Options {
  ConvDim dim{4, 3, 1, 1};
  std::string padding = "valid", png;
  bool overlap = false;
};

std::string cell(double value, size_t width, bool dot_for_zero = false) {
  const std::string text = dot_for_zero && value == 0 ? "." : number_text(value);
  return std::string(width > text.size() ? width - text.size() : 0, ' ') + text;
}

void print_grid(const std::string& title, const Tensor& t, int64_t rows, int64_t cols, bool dots = false) {
  const std::vector<double> values = t.to_vector<double>();
  if (!title.empty()) std::cout << title << "\n";
  for (int64_t r = 0; r < rows; ++r) {
    std::cout << " ";
    for (int64_t c = 0; c < cols; ++c) std::cout << cell(values[r * cols + c], dots ? 3 : 5, dots);
    std::cout << "\n";
  }
}

// 1, 2, ..., rows * cols row by row, as [1, 1, rows, cols] float64.
Tensor ramp(int64_t rows, int64_t cols) {
  return arange(1, static_cast<double>(rows * cols + 1), 1, kFloat64).view({1, 1, rows, cols});
}

// C heat map: one square per entry, blue for positive, red for negative, white for 0.
void write_matrix_png(const Tensor& matrix, const std::string& path) {
  const int rows = static_cast<int>(matrix.size(0)), cols = static_cast<int>(matrix.size(1)), size = 16;
  const std::vector<double> values = matrix.to_vector<double>();
  double largest = 0;
  for (double v : values) largest = std::max(largest, std::abs(v));
  Frame frame(cols * size + 2, rows * size + 2, Color{153, 153, 153});
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) {
      const double v = largest > 0 ? values[r * cols + c] / largest : 0;
      const auto fade = static_cast<uint8_t>(255 - std::lround(std::abs(v) * 255));
      frame.fill_rect(1 + c * size, 1 + r * size, size - 1, size - 1,
                      v >= 0 ? Color{fade, fade, 255} : Color{255, fade, fade});
    }
  data::save_png(frame.to_pixels(), path);
  std::cout << "wrote " << path << " (C as a heat map, " << frame.width() << "x" << frame.height() << ")\n";
}

void matrix_demo(const Options& options) {
  const ConvDim& dim = options.dim;
  const F::Padding padding = conv_arithmetic::layer_padding(dim);
  const int64_t n = dim.input, out = conv_arithmetic::output_size(dim);
  check(out > 0, "the ", dim.kernel, "x", dim.kernel, " kernel does not fit in the ", n, "x", n,
        " input with padding ", conv_arithmetic::padding_name(dim));
  // Weights 1, 2, ..., k^2: no zero among them, so C's sparsity pattern is the kernel's footprint.
  const Tensor weight = ramp(dim.kernel, dim.kernel);
  const Tensor C = conv_arithmetic::convolution_matrix(weight, n, n, dim.stride, padding);
  std::cout << "conv2d: " << n << "x" << n << " input, " << dim.kernel << "x" << dim.kernel << " kernel, stride "
            << dim.stride << ", padding " << conv_arithmetic::padding_name(dim) << " -> " << out << "x" << out
            << " output\n";
  print_grid("kernel:", weight, dim.kernel, dim.kernel);
  std::cout << "C (" << C.size(0) << "x" << C.size(1) << ", column j = conv2d of the image with a single 1 at pixel j; "
            << "row i = the kernel laid over the input where output pixel i reads it):\n";
  print_grid("", C, C.size(0), C.size(1), true);

  const Tensor x = ramp(n, n);
  const Tensor y_matrix = matmul(C, x.reshape({n * n, 1}));
  const Tensor y_layer = F::conv2d(x, weight, Tensor(), dim.stride, padding);
  std::cout << "\ny = C x  vs  conv2d(x), x = 1, 2, ..., " << n * n << " row by row:\n";
  const std::vector<double> a = y_matrix.to_vector<double>(), b = y_layer.to_vector<double>();
  double worst = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    std::cout << "  y[" << i << "]" << cell(a[i], 8) << cell(b[i], 8) << "\n";
    worst = std::max(worst, std::abs(a[i] - b[i]));
  }
  std::cout << "max |C x - conv2d(x)| = " << number_text(worst) << "\n";

  // The adjoint three ways: the matrix transpose, the layer, and autograd.
  const Tensor y = ramp(out, out);
  const Tensor by_matrix = matmul(C.transpose(0, 1), y.reshape({out * out, 1}));
  // With a stride, several input sizes convolve to the same output size; the
  // adjoint of this conv2d must map back to n x n, which PyTorch's output_padding
  // (extra rows after) selects. TensorFlow's 'same' transposed convolution is
  // the adjoint of the 'same' convolution from s*out, so unless n = s*out we
  // give this convolution's own padding explicitly.
  const F::SamePadding pads = conv_arithmetic::padding_of(dim);
  const int64_t extra = n - ((out - 1) * dim.stride + dim.kernel - pads.before - pads.after);
  const bool explicit_adjoint = extra != 0 || (dim.mode == conv_arithmetic::PaddingMode::Same && n != out * dim.stride);
  const Tensor by_layer =
      !explicit_adjoint ? F::conv_transpose2d(y, weight, Tensor(), dim.stride, padding)
                 : F::conv_transpose2d(y, weight, Tensor(), dim.stride,
                                       F::Padding::explicit_(pads.before, pads.after, pads.before, pads.after), extra);
  if (explicit_adjoint)
    std::cout << "\n(conv_transpose2d with padding " << pads.before << " before, " << pads.after
              << " after and output_padding " << extra << ", so that it maps back to " << n << "x" << n << ")";
  const Tensor leaf = zeros({1, 1, n, n}, kFloat64).requires_grad_();
  sum(F::conv2d(leaf, weight, Tensor(), dim.stride, padding) * y).backward();
  std::cout << "\nC^T y  vs  conv_transpose2d(y)  vs  d<conv2d(x), y>/dx (autograd), y = 1, 2, ..., " << out * out
            << ":\n";
  const std::vector<double> t = by_matrix.to_vector<double>(), l = by_layer.to_vector<double>(),
                            g = leaf.grad().to_vector<double>();
  worst = 0;
  for (size_t i = 0; i < t.size(); ++i) {
    std::cout << "  x[" << i << "]" << cell(t[i], 8) << cell(l[i], 8) << cell(g[i], 8) << "\n";
    worst = std::max({worst, std::abs(t[i] - l[i]), std::abs(t[i] - g[i])});
  }
  std::cout << "max difference = " << number_text(worst) << "\n";
  if (!options.png.empty()) write_matrix_png(C, options.png);
}

// The lecture's question, answered with the real layer.
void lecture_question() {
  std::cout << "\nWhy does conv_transpose2d of a 4x4 input with a 4x4 kernel, stride 1, give 4x4 with 'same' "
               "and 7x7 with 'valid'?\n";
  const Tensor a = ramp(4, 4), weight = ramp(4, 4);
  for (const bool same : {true, false}) {
    const F::Padding padding = same ? F::Padding::same() : F::Padding::valid();
    const Tensor b = F::conv_transpose2d(a, weight, Tensor(), 1, padding);
    const Tensor back = F::conv2d(zeros(b.shape(), kFloat64), weight, Tensor(), 1, padding);
    std::cout << "  " << (same ? "same " : "valid") << ": conv_transpose2d(A 4x4) = B " << b.size(2) << "x"
              << b.size(3) << ", and conv2d(B " << b.size(2) << "x" << b.size(3) << ", " << (same ? "same" : "valid")
              << ") is " << back.size(2) << "x" << back.size(3) << "\n";
  }
  std::cout << "Ask: which input B would this convolution map to A? The transposed convolution multiplies A by C^T,\n"
               "where C is the matrix of the convolution from B to A, so B has C's number of columns.\n"
               "  'valid': a 4x4 kernel fits 4 times along a side of B when B - 4 + 1 = 4, so B is 7x7 (C is 16x49).\n"
               "  'same' : the convolution keeps the size (zeros padded around B), so B is 4x4 (C is 16x16).\n";
}

// How many kernel taps land on each output pixel of a transposed convolution:
// conv_transpose2d of all-ones with an all-ones kernel counts them exactly.
Tensor overlap_counts(int64_t input, int64_t kernel, int64_t stride) {
  return F::conv_transpose2d(ones({1, 1, input, input}, kFloat64), ones({1, 1, kernel, kernel}, kFloat64), Tensor(),
                             stride, F::Padding::valid());
}

void overlap_demo(const Options& options) {
  std::cout << "Kernel taps landing on each output pixel of conv_transpose2d (" << options.dim.input << "x"
            << options.dim.input << " input, stride 2, 'valid'):\n";
  std::vector<Frame> panels;
  for (int64_t kernel : {3, 4}) {
    const Tensor counts = overlap_counts(options.dim.input, kernel, 2);
    const int64_t size = counts.size(2);
    print_grid("kernel " + std::to_string(kernel) + ", stride 2 -> " + std::to_string(size) + "x" +
                   std::to_string(size) + ":",
               counts, size, size);
    const std::vector<double> values = counts.to_vector<double>();
    const double largest = *std::max_element(values.begin(), values.end());
    Frame panel(static_cast<int>(size) * 20, static_cast<int>(size) * 20, Color{255, 255, 255});
    for (int64_t r = 0; r < size; ++r)
      for (int64_t c = 0; c < size; ++c) {
        const auto level = static_cast<uint8_t>(std::lround(255 * (1 - values[r * size + c] / largest)));
        panel.fill_rect(int(c) * 20, int(r) * 20, 20, 20, Color{level, level, level});
        panel.centered_text(int(c) * 20, int(r) * 20, 20, 20, number_text(values[r * size + c]),
                            level < 128 ? Color{255, 255, 255} : Color{0, 0, 0}, 2);
      }
    panels.push_back(panel);
  }
  std::cout << "Kernel 3 with stride 2: the counts alternate (1, 2, 4) across the image, so even a constant input "
               "comes out as a checkerboard.\nKernel 4 with stride 2 (the kernel a multiple of the stride): every "
               "pixel away from the border gets the same number of taps.\n(Odena, Dumoulin & Olah, \"Deconvolution "
               "and Checkerboard Artifacts\", Distill 2016)\n";
  if (!options.png.empty()) {
    Frame sheet(panels[0].width() + panels[1].width() + 48,
                std::max(panels[0].height(), panels[1].height()) + 32, Color{204, 204, 204});
    sheet.paste(panels[0], 16, 16);
    sheet.paste(panels[1], panels[0].width() + 32, 16);
    data::save_png(sheet.to_pixels(), options.png);
    std::cout << "wrote " << options.png << "\n";
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  CLI::App app{
      "deconv_demo: a convolution as a sparse matrix C built by probing the framework's conv2d, its transpose as "
      "conv_transpose2d and as autograd's input gradient, and the lecture's question: why a transposed "
      "convolution of a 4x4 input with a 4x4 kernel gives 4x4 with 'same' and 7x7 with 'valid'."};
  app.add_option("-i,--size", options.dim.input, "input height = width")->check(number_in(1, 12))->capture_default_str();
  app.add_option("-k,--kernel", options.dim.kernel, "kernel height = width")->check(number_in(1, 12))->capture_default_str();
  app.add_option("-s,--stride", options.dim.stride, "stride")->check(number_in(1, 6))->capture_default_str();
  app.add_option("-p,--padding", options.padding, "'valid', 'same' (TensorFlow's), 'full' or a number of zeros per side")
      ->capture_default_str();
  app.add_option("--png", options.png, "write C as a heat map (with --overlap: the overlap counts) to this PNG file");
  app.add_flag("--overlap", options.overlap,
               "instead: count the kernel taps on each output pixel of a stride-2 transposed convolution, kernel 3 "
               "vs kernel 4 (--size sets the input), the origin of checkerboard artifacts");
  parse_errors_in_one_line(app, "deconv_demo");
  CLI11_PARSE(app, argc, argv);
  return run_reporting_errors("deconv_demo", [&] {
    conv_arithmetic::parse_padding(options.padding, options.dim);
    if (options.overlap) {
      overlap_demo(options);
      return;
    }
    matrix_demo(options);
    lecture_question();
  });
}
