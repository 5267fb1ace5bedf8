// Joining tensors along a dim. cat's backward hands each input its slice of
// the output gradient.
#include "autograd/node.h"
#include "autograd/ops.h"
#include "autograd/ops/op_helpers.h"

namespace gs {

Tensor cat(const std::vector<Tensor>& tensors, int64_t dim) {
  check(!tensors.empty(), "cat: needs at least one tensor");
  const Tensor& first = tensors[0];
  dim = wrap_dim(dim, first.dim(), "cat");
  Shape shape = first.shape();
  shape[dim] = 0;
  for (const Tensor& t : tensors) {
    check_same_kind("cat", first, t);
    bool fits = t.dim() == first.dim();
    for (int64_t d = 0; fits && d < t.dim(); ++d) fits = d == dim || t.size(d) == first.size(d);
    check(fits, "cat: shape ", shape_str(t.shape()), " does not match ", shape_str(first.shape()),
          " outside dim ", dim);
    shape[dim] += t.size(dim);
  }
  Tensor out = empty(shape, first.options());
  std::vector<int64_t> starts;
  int64_t start = 0;
  for (const Tensor& t : tensors) {
    starts.push_back(start);
    backend_of(t).copy(t, out.detach().narrow(dim, start, t.size(dim)));
    start += t.size(dim);
  }
  std::vector<int64_t> lengths;
  for (const Tensor& t : tensors) lengths.push_back(t.size(dim));
  record(out, "cat", tensors, [dim, starts, lengths](const Tensor& g) {
    std::vector<Tensor> grads;
    for (size_t i = 0; i < starts.size(); ++i) grads.push_back(g.narrow(dim, starts[i], lengths[i]));
    return grads;
  });
  return out;
}

Tensor stack(const std::vector<Tensor>& tensors, int64_t dim) {
  check(!tensors.empty(), "stack: needs at least one tensor");
  std::vector<Tensor> unsqueezed;
  for (const Tensor& t : tensors) {
    check(t.shape() == tensors[0].shape(), "stack: shapes differ (", shape_str(tensors[0].shape()), " and ",
          shape_str(t.shape()), ")");
    unsqueezed.push_back(t.unsqueeze(dim));
  }
  return cat(unsqueezed, dim);
}

}  // namespace gs
