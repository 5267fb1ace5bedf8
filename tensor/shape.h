// Shapes and strides. A tensor's element (i0, i1, ...) lives at
// storage[offset + i0*stride0 + i1*stride1 + ...]; strides are in elements.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace gs {

using Shape = std::vector<int64_t>;

int64_t numel(const Shape& shape);
Shape contiguous_strides(const Shape& shape);  // row-major: last dim has stride 1
std::string shape_str(const Shape& shape);     // "[2,3]"

// Wraps a possibly negative dim into [0, ndim); names the op on error.
int64_t wrap_dim(int64_t dim, int64_t ndim, const char* op);

// NumPy broadcasting: align right, sizes must match or be 1.
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op);

}  // namespace gs
