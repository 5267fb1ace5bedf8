// Reductions over chosen dims. The backward of a reduction broadcasts the
// output gradient back over the dims that were reduced.
#include <algorithm>

#include "autograd/node.h"
#include "autograd/ops.h"
#include "autograd/ops/op_helpers.h"

namespace gs {
namespace {

// Which dims to reduce; no dims means all of them.
std::vector<bool> reduce_mask(const Tensor& x, const Shape& dims, const char* op) {
  std::vector<bool> mask(x.dim(), dims.empty());
  for (int64_t d : dims) mask[wrap_dim(d, x.dim(), op)] = true;
  return mask;
}

Shape kept_shape(const Tensor& x, const std::vector<bool>& mask, bool keepdim) {
  Shape shape;
  for (int64_t d = 0; d < x.dim(); ++d) {
    if (!mask[d]) shape.push_back(x.size(d));
    else if (keepdim) shape.push_back(1);
  }
  return shape;
}

// The reduction's result with reduced dims kept as size 1.
Tensor reduce_raw(ReduceOp op, const Tensor& x, const std::vector<bool>& mask, const char* name) {
  check_floating(name, x);
  for (int64_t d = 0; d < x.dim(); ++d)
    check(!mask[d] || x.size(d) > 0 || op == ReduceOp::Sum, name, ": cannot reduce over an empty dim of shape ",
          shape_str(x.shape()));
  Tensor out = empty(kept_shape(x, mask, true), op == ReduceOp::ArgMax || op == ReduceOp::ArgMin
                                                    ? TensorOptions(kInt64, x.device())
                                                    : x.options());
  backend_of(x).reduce(op, x, mask, out);
  return out;
}

// Max or min: the gradient is shared among the elements that attain it.
Tensor extremum(ReduceOp op, const char* name, const Tensor& x, const Shape& dims, bool keepdim) {
  std::vector<bool> mask = reduce_mask(x, dims, name);
  Tensor kept = reduce_raw(op, x, mask, name);
  Tensor out = kept.view(kept_shape(x, mask, keepdim));
  record(out, name, {x}, [x = x.detach(), kept, dims](const Tensor& g) {
    Tensor hits = eq(x, kept);
    Tensor share = hits / hits.sum(dims, true);
    return std::vector<Tensor>{g.reshape(kept.shape()) * share};
  });
  return out;
}

}  // namespace

// y = sum_i x_i;  dx_i = dy
Tensor sum(const Tensor& x, const Shape& dims, bool keepdim) {
  std::vector<bool> mask = reduce_mask(x, dims, "sum");
  Tensor kept = reduce_raw(ReduceOp::Sum, x, mask, "sum");
  Tensor out = kept.view(kept_shape(x, mask, keepdim));
  record(out, "sum", {x}, [x_shape = x.shape(), kept_shape = kept.shape()](const Tensor& g) {
    return std::vector<Tensor>{g.reshape(kept_shape).expand(x_shape)};
  });
  return out;
}

// y = sum_i x_i / n
Tensor mean(const Tensor& x, const Shape& dims, bool keepdim) {
  std::vector<bool> mask = reduce_mask(x, dims, "mean");
  int64_t count = 1;
  for (int64_t d = 0; d < x.dim(); ++d)
    if (mask[d]) count *= x.size(d);
  check(count > 0, "mean: cannot average over zero elements (shape ", shape_str(x.shape()), ")");
  return sum(x, dims, keepdim) * (1.0 / static_cast<double>(count));
}

// var = sum_i (x_i - mean)^2 / (n - 1 if unbiased else n), written with
// differentiable ops so its gradient comes for free.
Tensor var(const Tensor& x, const Shape& dims, bool unbiased, bool keepdim) {
  std::vector<bool> mask = reduce_mask(x, dims, "var");
  int64_t count = 1;
  for (int64_t d = 0; d < x.dim(); ++d)
    if (mask[d]) count *= x.size(d);
  check(count > (unbiased ? 1 : 0), "var: needs at least ", unbiased ? 2 : 1, " elements per group, got ", count);
  Shape all_dims = dims;
  if (all_dims.empty())
    for (int64_t d = 0; d < x.dim(); ++d) all_dims.push_back(d);
  Tensor centered = x - mean(x, all_dims, true);
  return sum(square(centered), all_dims, keepdim) * (1.0 / static_cast<double>(count - (unbiased ? 1 : 0)));
}

Tensor sum(const Tensor& x) { return sum(x, {}, false); }
Tensor mean(const Tensor& x) { return mean(x, {}, false); }
Tensor max(const Tensor& x) { return extremum(ReduceOp::Max, "max", x, {}, false); }
Tensor min(const Tensor& x) { return extremum(ReduceOp::Min, "min", x, {}, false); }
Tensor max(const Tensor& x, const Shape& dims, bool keepdim) { return extremum(ReduceOp::Max, "max", x, dims, keepdim); }
Tensor min(const Tensor& x, const Shape& dims, bool keepdim) { return extremum(ReduceOp::Min, "min", x, dims, keepdim); }

Tensor argmax(const Tensor& x, int64_t dim, bool keepdim) {
  std::vector<bool> mask = reduce_mask(x, {dim}, "argmax");
  return reduce_raw(ReduceOp::ArgMax, x, mask, "argmax").view(kept_shape(x, mask, keepdim));
}

Tensor argmin(const Tensor& x, int64_t dim, bool keepdim) {
  std::vector<bool> mask = reduce_mask(x, {dim}, "argmin");
  return reduce_raw(ReduceOp::ArgMin, x, mask, "argmin").view(kept_shape(x, mask, keepdim));
}

Tensor sum_to(const Tensor& x, const Shape& shape) {
  if (x.shape() == shape) return x;
  const int64_t lead = x.dim() - static_cast<int64_t>(shape.size());
  check(lead >= 0, "sum_to: cannot reduce shape ", shape_str(x.shape()), " to the larger ", shape_str(shape));
  Shape dims;
  for (int64_t d = 0; d < x.dim(); ++d)
    if (d < lead || (shape[d - lead] == 1 && x.size(d) != 1)) dims.push_back(d);
  Tensor reduced = dims.empty() ? x : sum(x, dims, true);
  return reduced.reshape(shape);
}

Tensor Tensor::sum() const { return gs::sum(*this); }
Tensor Tensor::sum(const Shape& dims, bool keepdim) const { return gs::sum(*this, dims, keepdim); }
Tensor Tensor::mean() const { return gs::mean(*this); }
Tensor Tensor::mean(const Shape& dims, bool keepdim) const { return gs::mean(*this, dims, keepdim); }

}  // namespace gs
