#include "apps/padding_demo/table.h"

#include <algorithm>
#include <iomanip>
#include <string>
#include <vector>

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
  // Every row first, so the columns can be as wide as the widest entry.
  std::vector<std::vector<std::string>> rows;
  for (int64_t input : ranges.inputs)
    for (int64_t kernel : ranges.kernels)
      for (int64_t stride : ranges.strides) {
        ConvDim dim;
        dim.input = input, dim.kernel = kernel, dim.stride = stride, dim.dilation = ranges.dilation;
        std::vector<std::string> row = {std::to_string(input), std::to_string(kernel), std::to_string(stride)};
        for (bool transposed : {false, true}) {
          dim.transposed = transposed;
          for (PaddingMode mode : {PaddingMode::Valid, PaddingMode::Same, PaddingMode::Explicit, PaddingMode::Full}) {
            if (transposed && mode == PaddingMode::Full) continue;
            dim.mode = mode;
            dim.pad = ranges.pad;
            row.push_back(size_text(dim));
          }
        }
        rows.push_back(row);
      }
  size_t width = 5;
  for (const auto& row : rows)
    for (const std::string& entry : row) width = std::max(width, entry.size());
  ++width;  // one space between neighbours
  auto cell = [&](const std::string& text) { out << std::setw(static_cast<int>(width)) << text; };
  out << "Output sizes of square inputs (dilation " << ranges.dilation << ", K = k + (k - 1)(d - 1)):\n"
      << "  conv        valid o = floor((i - K) / s) + 1    same o = ceil(i / s)\n"
      << "              p     o = floor((i + 2p - K) / s) + 1    full: p = K - 1\n"
      << "  transposed  valid o = s(i - 1) + K    same o = s i    p  o = s(i - 1) + K - 2p\n\n";
  for (const char* name : {"i", "k", "s"}) cell(name);
  out << " |  conv:";
  for (const std::string& name : std::vector<std::string>{"valid", "same", pad, "full"}) cell(name);
  out << " | transposed:";
  for (const std::string& name : std::vector<std::string>{"valid", "same", pad}) cell(name);
  out << "\n";
  for (const auto& row : rows) {
    for (size_t i = 0; i < 3; ++i) cell(row[i]);
    out << " |       ";
    for (size_t i = 3; i < 7; ++i) cell(row[i]);
    out << " |            ";
    for (size_t i = 7; i < row.size(); ++i) cell(row[i]);
    out << "\n";
  }
}

}  // namespace gs::apps
