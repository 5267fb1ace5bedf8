#include "apps/padding_demo/table.h"

#include <iomanip>
#include <string>

#include "nn/conv_arithmetic.h"

namespace gs::apps {
namespace {

std::string size_text(const conv_arithmetic::ConvDim& dim) {
  const int64_t size = conv_arithmetic::output_size(dim);
  return size > 0 ? std::to_string(size) : "-";
}

}  // namespace

void print_size_table(std::ostream& out, const TableRanges& ranges) {
  using namespace conv_arithmetic;
  const std::string pad = "p=" + std::to_string(ranges.pad);
  out << "Output sizes of square inputs (dilation " << ranges.dilation << ", K = k + (k - 1)(d - 1)):\n"
      << "  conv        valid o = floor((i - K) / s) + 1    same o = ceil(i / s)\n"
      << "              p     o = floor((i + 2p - K) / s) + 1    full: p = K - 1\n"
      << "  transposed  valid o = s(i - 1) + K    same o = s i    p  o = s(i - 1) + K - 2p\n\n";
  auto cell = [&](const std::string& text) { out << std::setw(6) << text; };
  out << "     i     k     s |  conv:";
  for (const std::string& name : std::vector<std::string>{"valid", "same", pad, "full"}) cell(name);
  out << " | transposed:";
  for (const std::string& name : std::vector<std::string>{"valid", "same", pad}) cell(name);
  out << "\n";
  for (int64_t input : ranges.inputs)
    for (int64_t kernel : ranges.kernels)
      for (int64_t stride : ranges.strides) {
        ConvDim dim;
        dim.input = input, dim.kernel = kernel, dim.stride = stride, dim.dilation = ranges.dilation;
        cell(std::to_string(input));
        cell(std::to_string(kernel));
        cell(std::to_string(stride));
        out << " |       ";
        for (bool transposed : {false, true}) {
          dim.transposed = transposed;
          for (PaddingMode mode : {PaddingMode::Valid, PaddingMode::Same, PaddingMode::Explicit, PaddingMode::Full}) {
            if (transposed && mode == PaddingMode::Full) continue;
            dim.mode = mode;
            dim.pad = ranges.pad;
            cell(size_text(dim));
          }
          if (!transposed) out << " |            ";
        }
        out << "\n";
      }
}

}  // namespace gs::apps
