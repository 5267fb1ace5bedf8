// One convolution laid out cell by cell, the way Dumoulin & Visin's figures
// draw it: the (padded) input grid, and for every output cell the kernel taps
// it reads and the dot product they make. A transposed convolution is drawn
// as its equivalent direct convolution: stride 1 over the input with s - 1
// zeros inserted between cells, K - 1 - p zeros around it (K the dilated
// kernel span, p the padding of the convolution it transposes; negative means
// cropped), and the kernel rotated by 180 degrees.
#pragma once
#include <vector>

#include "nn/conv_arithmetic.h"

namespace gs::apps {

enum class CellKind { Input, Padding, Inserted };  // Inserted: a zero put between cells by the stride

struct Tap {
  int64_t row, col;  // in the grid
  double weight;
};

struct Step {
  int64_t out_row, out_col;
  std::vector<Tap> taps;
  double value;  // sum of weight * grid value over the taps
};

struct Walkthrough {
  conv_arithmetic::ConvDim dim;
  int64_t grid_size = 0;          // the square grid the kernel slides over
  std::vector<double> grid;       // grid_size^2 values, row by row
  std::vector<CellKind> kinds;    // what each grid cell is
  int64_t grid_stride = 1;        // how far the kernel moves on the grid per output cell
  std::vector<double> kernel;     // k x k weights as applied (rotated for a transposed convolution)
  int64_t output_size = 0;
  std::vector<Step> steps;        // one per output cell, row by row

  double grid_value(int64_t row, int64_t col) const { return grid[row * grid_size + col]; }
  CellKind kind(int64_t row, int64_t col) const { return kinds[row * grid_size + col]; }
};

// `input` holds dim.input^2 values, `kernel` dim.kernel^2, both row by row.
// Throws gs::Error if the output would be empty.
Walkthrough make_walkthrough(const conv_arithmetic::ConvDim& dim, const std::vector<double>& input,
                             const std::vector<double>& kernel);

// The kernel the demos use: Dumoulin & Visin's 3x3 example kernel
// [0 1 2; 2 2 0; 0 1 2], tiled for other sizes.
std::vector<double> example_kernel(int64_t size);

}  // namespace gs::apps
