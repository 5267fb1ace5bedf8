// Printing like PyTorch: nested brackets, a common number format, then the
// shape, dtype and device, e.g.
//   tensor([[ 1.0000, -2.5000],
//           [ 0.0000,  3.0000]], shape=[2,2], dtype=float32, device=cpu)
#include <cmath>
#include <iomanip>
#include <sstream>

#include "tensor/tensor.h"

namespace gs {
namespace {

constexpr int64_t kEdgeItems = 3;    // shown at each end of a long dim
constexpr int64_t kSummarize = 1000;  // elements beyond which dims are elided

struct Format {
  bool integral = true;  // all values are whole numbers (or an integer dtype)
  bool scientific = false;
  int width = 1;
};

std::string format_value(double v, const Format& f, DType dtype) {
  std::ostringstream s;
  if (!is_floating(dtype)) {
    s << static_cast<int64_t>(v);
  } else if (std::isnan(v) || std::isinf(v)) {
    s << (std::isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf"));
  } else if (f.scientific) {
    s << std::scientific << std::setprecision(4) << v;
  } else if (f.integral) {
    s << std::fixed << std::setprecision(0) << v << ".";
  } else {
    s << std::fixed << std::setprecision(4) << v;
  }
  return s.str();
}

void print_dim(std::ostream& out, const std::vector<double>& values, const Shape& shape, int64_t dim,
               int64_t offset, const Format& f, DType dtype, bool summarize, int indent) {
  const Shape strides = contiguous_strides(shape);
  const int64_t n = shape[dim];
  out << "[";
  for (int64_t i = 0; i < n; ++i) {
    if (summarize && n > 2 * kEdgeItems && i == kEdgeItems) {
      out << (dim + 1 == static_cast<int64_t>(shape.size()) ? "..., " : "...,\n" + std::string(indent + 1, ' '));
      i = n - kEdgeItems;
    }
    int64_t at = offset + i * strides[dim];
    if (dim + 1 == static_cast<int64_t>(shape.size())) {
      std::string v = format_value(values[at], f, dtype);
      out << std::string(std::max<int>(0, f.width - static_cast<int>(v.size())), ' ') << v;
    } else {
      print_dim(out, values, shape, dim + 1, at, f, dtype, summarize, indent + 1);
    }
    if (i + 1 < n) {
      out << ",";
      if (dim + 1 == static_cast<int64_t>(shape.size())) {
        out << " ";
      } else {
        out << std::string(shape.size() - dim - 1, '\n') << std::string(indent + 1, ' ');
      }
    }
  }
  out << "]";
}

}  // namespace

std::string Tensor::str() const {
  if (!defined()) return "tensor(undefined)";
  std::vector<double> values = to_vector<double>();
  Format f;
  double largest = 0;
  for (double v : values) {
    if (std::isfinite(v)) {
      f.integral = f.integral && v == std::floor(v);
      largest = std::max(largest, std::abs(v));
    }
  }
  f.integral = f.integral || !is_floating(dtype());
  f.scientific = is_floating(dtype()) && !f.integral && (largest >= 1e8 || (largest < 1e-4 && largest > 0));
  for (double v : values) f.width = std::max<int>(f.width, static_cast<int>(format_value(v, f, dtype()).size()));

  std::ostringstream out;
  out << "tensor(";
  if (dim() == 0) {
    out << format_value(values[0], f, dtype());
  } else {
    print_dim(out, values, shape(), 0, 0, f, dtype(), numel() > kSummarize, 7);
  }
  out << ", shape=" << shape_str(shape()) << ", dtype=" << dtype_name(dtype()) << ", device=" << device().str();
  if (requires_grad()) out << ", requires_grad=true";
  out << ")";
  return out.str();
}

std::ostream& operator<<(std::ostream& out, const Tensor& t) { return out << t.str(); }

}  // namespace gs
