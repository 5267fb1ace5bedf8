#include "apps/padding_demo/walkthrough.h"

#include "tensor/error.h"

namespace gs::apps {

std::vector<double> example_kernel(int64_t size) {
  static const double guide[3][3] = {{0, 1, 2}, {2, 2, 0}, {0, 1, 2}};
  std::vector<double> kernel;
  for (int64_t p = 0; p < size; ++p)
    for (int64_t q = 0; q < size; ++q) kernel.push_back(guide[p % 3][q % 3]);
  return kernel;
}

Walkthrough make_walkthrough(const conv_arithmetic::ConvDim& dim, const std::vector<double>& input,
                             const std::vector<double>& kernel) {
  using namespace conv_arithmetic;
  Walkthrough walk;
  walk.dim = dim;
  walk.output_size = output_size(dim);
  check(walk.output_size > 0, "the ", dim.kernel, "x", dim.kernel, " kernel (span ", kernel_span(dim),
        ") leaves no output for a ", dim.input, "x", dim.input, " input with padding ", padding_name(dim));
  const int64_t k = dim.kernel, span = kernel_span(dim);
  const F::SamePadding pads = padding_of(dim);

  // Grid cell r holds input cell (r - before) / spacing when that divides evenly.
  int64_t before = pads.before, spacing = 1, extent = dim.input;
  walk.grid_size = dim.input + pads.before + pads.after;
  walk.grid_stride = dim.stride;
  walk.kernel = kernel;
  if (dim.transposed) {
    spacing = dim.stride;
    extent = (dim.input - 1) * dim.stride + 1;
    before = span - 1 - pads.before;
    walk.grid_size = walk.output_size + span - 1;  // a stride-1 valid convolution over it gives output_size
    walk.grid_stride = 1;
    for (int64_t p = 0; p < k; ++p)
      for (int64_t q = 0; q < k; ++q) walk.kernel[p * k + q] = kernel[(k - 1 - p) * k + (k - 1 - q)];
  }
  auto locate = [&](int64_t r, int64_t& source, CellKind& kind) {
    const int64_t t = r - before;
    source = -1;
    if (t < 0 || t >= extent) kind = CellKind::Padding;
    else if (t % spacing != 0) kind = CellKind::Inserted;
    else kind = CellKind::Input, source = t / spacing;
  };
  for (int64_t r = 0; r < walk.grid_size; ++r)
    for (int64_t c = 0; c < walk.grid_size; ++c) {
      int64_t source_row, source_col;
      CellKind row_kind, col_kind;
      locate(r, source_row, row_kind);
      locate(c, source_col, col_kind);
      CellKind kind = row_kind == CellKind::Padding || col_kind == CellKind::Padding ? CellKind::Padding
                      : row_kind == CellKind::Inserted || col_kind == CellKind::Inserted ? CellKind::Inserted
                                                                                          : CellKind::Input;
      walk.kinds.push_back(kind);
      walk.grid.push_back(kind == CellKind::Input ? input[source_row * dim.input + source_col] : 0.0);
    }

  for (int64_t i = 0; i < walk.output_size; ++i)
    for (int64_t j = 0; j < walk.output_size; ++j) {
      Step step{i, j, {}, 0.0};
      for (int64_t p = 0; p < k; ++p)
        for (int64_t q = 0; q < k; ++q) {
          Tap tap{i * walk.grid_stride + p * dim.dilation, j * walk.grid_stride + q * dim.dilation,
                  walk.kernel[p * k + q]};
          step.value += tap.weight * walk.grid_value(tap.row, tap.col);
          step.taps.push_back(tap);
        }
      walk.steps.push_back(step);
    }
  return walk;
}

}  // namespace gs::apps
