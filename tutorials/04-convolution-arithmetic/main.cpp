// Chapter 4: convolution arithmetic. Output sizes and their formulas, 'same'
// and 'valid', a convolution as a sparse matrix C, the transposed
// convolution as C^T, and the lecture's 4x4 -> 4x4 / 7x7 question.
// The chapter's README walks through this program and shows its output.
#include <cstdio>
#include <string>

#include "nn/conv_arithmetic.h"

using namespace gs;
using conv_arithmetic::ConvDim;

// 1, 2, ..., rows * cols row by row, as an image [1, 1, rows, cols].
Tensor ramp(int64_t rows, int64_t cols) {
  return arange(1, static_cast<double>(rows * cols + 1), 1, kFloat64).view({1, 1, rows, cols});
}

void print_rows(const Tensor& matrix) {
  const int64_t rows = matrix.size(0), cols = matrix.size(1);
  const std::vector<double> values = matrix.to_vector<double>();
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c) {
      const double v = values[r * cols + c];
      std::printf(v == 0 ? "  ." : "%3.0f", v);
    }
    std::printf("\n");
  }
}

void print_values(const char* label, const Tensor& t) {
  std::printf("%s [", label);
  const std::vector<double> values = t.to_vector<double>();
  for (size_t i = 0; i < values.size(); ++i) std::printf(i ? ", %.0f" : "%.0f", values[i]);
  std::printf("]\n");
}

int main() {
  // 1. Output sizes: the formula, and the shape the real layer produces.
  for (const char* padding : {"valid", "same", "full", "1"})
    for (int64_t stride : {1, 2}) {
      ConvDim dim;
      dim.input = 5, dim.kernel = 3, dim.stride = stride;
      conv_arithmetic::parse_padding(padding, dim);
      const Tensor y = F::conv2d(ramp(5, 5), ones({1, 1, 3, 3}, kFloat64), Tensor(), stride,
                                 conv_arithmetic::layer_padding(dim));
      std::printf("i=5 k=3 s=%lld %-5s  %s   conv2d -> %lldx%lld\n", static_cast<long long>(stride), padding,
                  conv_arithmetic::formula(dim).c_str(), static_cast<long long>(y.size(2)),
                  static_cast<long long>(y.size(3)));
    }

  // 2. 'same' with an even kernel cannot pad both sides equally.
  ConvDim even;
  even.input = 4, even.kernel = 4, even.mode = conv_arithmetic::PaddingMode::Same;
  std::printf("\n%s\n", conv_arithmetic::same_split(even).c_str());

  // 3. A convolution is a matrix: probe conv2d with every basis image.
  const Tensor weight = ramp(3, 3);
  const Tensor C = conv_arithmetic::convolution_matrix(weight, 4, 4, 1, F::Padding::valid());
  std::printf("\nC of a 3x3 kernel on a 4x4 input (%lldx%lld):\n", static_cast<long long>(C.size(0)),
              static_cast<long long>(C.size(1)));
  print_rows(C);
  const Tensor x = ramp(4, 4);
  const Tensor y_matrix = matmul(C, x.reshape({16, 1})), y_layer = F::conv2d(x, weight);
  print_values("C x       =", y_matrix);
  print_values("conv2d(x) =", y_layer);

  // 4. The transposed convolution multiplies by C^T.
  const Tensor y = ramp(2, 2);
  const Tensor back_matrix = matmul(C.transpose(0, 1), y.reshape({4, 1})).view({4, 4});
  const Tensor back_layer = F::conv_transpose2d(y, weight).view({4, 4});
  std::printf("\nC^T y =\n");
  print_rows(back_matrix);
  std::printf("conv_transpose2d(y) equals it: %s\n",
              back_matrix.to_vector<double>() == back_layer.to_vector<double>() ? "yes" : "no");

  // 5. The lecture's question: a 4x4 input, a 4x4 kernel, stride 1.
  std::printf("\n");
  for (const bool same : {true, false}) {
    const Tensor b = F::conv_transpose2d(ramp(4, 4), ramp(4, 4), Tensor(), 1,
                                         same ? F::Padding::same() : F::Padding::valid());
    std::printf("conv_transpose2d(4x4, 4x4 kernel, %-5s) -> %lldx%lld\n", same ? "same" : "valid",
                static_cast<long long>(b.size(2)), static_cast<long long>(b.size(3)));
  }
  return 0;
}
