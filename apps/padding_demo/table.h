// padding_demo --table: a lecture handout of output sizes.
#pragma once
#include <ostream>
#include <vector>

namespace gs::apps {

struct TableRanges {
  std::vector<int64_t> inputs{4, 5, 7, 8, 14, 28}, kernels{3, 4, 5}, strides{1, 2};
  int64_t pad = 1, dilation = 1;
};

// One row per (input, kernel, stride): the output size of a convolution with
// 'valid', 'same', `pad` and 'full' padding, then of a transposed convolution
// with 'valid', 'same' and `pad`. "-" where the kernel does not fit.
void print_size_table(std::ostream& out, const TableRanges& ranges);

}  // namespace gs::apps
