// Views: new shape/strides/offset over the same storage, no data copied.
// Each backward routes the gradient back to the input's layout.
#include <numeric>

#include "autograd/node.h"
#include "autograd/ops.h"
#include "autograd/ops/op_helpers.h"

namespace gs {
namespace {

// Replaces a single -1 by the size that keeps the element count.
Shape infer_shape(Shape shape, int64_t count, const char* op) {
  int64_t known = 1, unknown = -1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      check(unknown < 0, op, ": only one dim can be -1 in ", shape_str(shape));
      unknown = static_cast<int64_t>(i);
    } else {
      check(shape[i] >= 0, op, ": invalid size ", shape[i], " in ", shape_str(shape));
      known *= shape[i];
    }
  }
  if (unknown >= 0) {
    check(known > 0 && count % known == 0, op, ": cannot infer the -1 in ", shape_str(shape), " for ", count,
          " elements");
    shape[unknown] = count / known;
  }
  check(numel(shape) == count, op, ": shape ", shape_str(shape), " has ", numel(shape),
        " elements but the tensor has ", count);
  return shape;
}

Tensor as_view(const Tensor& x, const char* op, const Shape& shape, const Shape& strides, int64_t offset,
               std::function<std::vector<Tensor>(const Tensor&)> rule) {
  Tensor out = make_view(x, shape, strides, offset);
  record(out, op, {x}, std::move(rule));
  return out;
}

}  // namespace

Tensor Tensor::view(const Shape& requested) const {
  Shape shape = infer_shape(requested, numel(), "view");
  check(is_contiguous(), "view: the tensor of shape ", shape_str(this->shape()), " is not contiguous ",
        "(strides ", shape_str(strides()), "); use reshape(), which copies when it must");
  return as_view(*this, "view", shape, contiguous_strides(shape), offset(), [in_shape = this->shape()](const Tensor& g) {
    return std::vector<Tensor>{g.reshape(in_shape)};
  });
}

Tensor Tensor::reshape(const Shape& shape) const { return is_contiguous() ? view(shape) : contiguous().view(shape); }

Tensor Tensor::flatten(int64_t start_dim, int64_t end_dim) const {
  if (dim() == 0) return reshape({1});
  start_dim = wrap_dim(start_dim, dim(), "flatten");
  end_dim = wrap_dim(end_dim, dim(), "flatten");
  check(start_dim <= end_dim, "flatten: start_dim ", start_dim, " comes after end_dim ", end_dim);
  Shape shape(this->shape().begin(), this->shape().begin() + start_dim);
  int64_t merged = 1;
  for (int64_t d = start_dim; d <= end_dim; ++d) merged *= size(d);
  shape.push_back(merged);
  shape.insert(shape.end(), this->shape().begin() + end_dim + 1, this->shape().end());
  return reshape(shape);
}

// y = x with dims reordered;  dx = dy with the inverse order
Tensor Tensor::permute(const Shape& dims) const {
  check(static_cast<int64_t>(dims.size()) == dim(), "permute: got ", dims.size(), " dims for a tensor with ", dim());
  Shape shape(dim()), strides(dim()), inverse(dim());
  std::vector<bool> used(dim(), false);
  for (int64_t i = 0; i < dim(); ++i) {
    int64_t d = wrap_dim(dims[i], dim(), "permute");
    check(!used[d], "permute: dim ", d, " appears twice in ", shape_str(dims));
    used[d] = true;
    shape[i] = size(d);
    strides[i] = stride(d);
    inverse[d] = i;
  }
  return as_view(*this, "permute", shape, strides, offset(), [inverse](const Tensor& g) {
    return std::vector<Tensor>{g.permute(inverse)};
  });
}

Tensor Tensor::transpose(int64_t dim0, int64_t dim1) const {
  Shape order(dim());
  std::iota(order.begin(), order.end(), 0);
  std::swap(order[wrap_dim(dim0, dim(), "transpose")], order[wrap_dim(dim1, dim(), "transpose")]);
  return permute(order);
}

Tensor Tensor::t() const {
  check(dim() == 2, "t(): expects a 2-D tensor, got shape ", shape_str(shape()));
  return transpose(0, 1);
}

// y = x[start : end : step] along dim;  dx = zeros with dy scattered back
Tensor Tensor::slice(int64_t d, int64_t start, int64_t end, int64_t step) const {
  d = wrap_dim(d, dim(), "slice");
  check(step > 0, "slice: step must be positive, got ", step);
  const int64_t n = size(d);
  if (start < 0) start += n;
  if (end < 0) end += n;
  start = std::clamp<int64_t>(start, 0, n);
  end = std::clamp<int64_t>(end, start, n);
  Shape shape = this->shape(), strides = this->strides();
  shape[d] = (end - start + step - 1) / step;
  strides[d] *= step;
  return as_view(*this, "slice", shape, strides, offset() + start * stride(d),
                 [in_shape = this->shape(), d, start, end, step](const Tensor& g) {
    Tensor dx = zeros(in_shape, g.options());
    dx.slice(d, start, end, step).copy_(g);
    return std::vector<Tensor>{dx};
  });
}

Tensor Tensor::narrow(int64_t d, int64_t start, int64_t length) const {
  d = wrap_dim(d, dim(), "narrow");
  check(start >= 0 && length >= 0 && start + length <= size(d), "narrow: [", start, ", ", start + length,
        ") is outside dim ", d, " of size ", size(d));
  return slice(d, start, start + length);
}

Tensor Tensor::select(int64_t d, int64_t index) const {
  d = wrap_dim(d, dim(), "select");
  check(index >= -size(d) && index < size(d), "select: index ", index, " is out of range for dim ", d, " of size ",
        size(d));
  if (index < 0) index += size(d);
  return narrow(d, index, 1).squeeze(d);
}

Tensor Tensor::squeeze() const {
  Shape shape;
  for (int64_t s : this->shape())
    if (s != 1) shape.push_back(s);
  return reshape(shape);
}

Tensor Tensor::squeeze(int64_t d) const {
  d = wrap_dim(d, dim(), "squeeze");
  if (size(d) != 1) return *this;
  Shape shape = this->shape(), strides = this->strides();
  shape.erase(shape.begin() + d);
  strides.erase(strides.begin() + d);
  return as_view(*this, "squeeze", shape, strides, offset(), [in_shape = this->shape()](const Tensor& g) {
    return std::vector<Tensor>{g.reshape(in_shape)};
  });
}

Tensor Tensor::unsqueeze(int64_t d) const {
  d = wrap_dim(d, dim() + 1, "unsqueeze");
  Shape shape = this->shape(), strides = this->strides();
  int64_t stride = d < dim() ? this->stride(d) * size(d) : 1;
  shape.insert(shape.begin() + d, 1);
  strides.insert(strides.begin() + d, stride);
  return as_view(*this, "unsqueeze", shape, strides, offset(), [in_shape = this->shape()](const Tensor& g) {
    return std::vector<Tensor>{g.reshape(in_shape)};
  });
}

// y = x repeated along size-1 dims (stride 0);  dx = dy summed over them
Tensor Tensor::expand(const Shape& requested) const {
  check(requested.size() >= shape().size(), "expand: cannot expand shape ", shape_str(shape()), " to fewer dims ",
        shape_str(requested));
  if (requested == shape()) return *this;
  const int64_t lead = static_cast<int64_t>(requested.size()) - dim();
  Shape shape(requested.size()), strides(requested.size(), 0);
  for (int64_t d = 0; d < static_cast<int64_t>(requested.size()); ++d) {
    int64_t want = requested[d];
    if (d < lead) {
      check(want >= 0, "expand: invalid size ", want);
      shape[d] = want;
      continue;
    }
    int64_t have = size(d - lead);
    if (want == -1) want = have;
    check(have == want || have == 1, "expand: shape ", shape_str(this->shape()), " cannot be expanded to ",
          shape_str(requested), " (dim ", d, ": ", have, " vs ", want, ")");
    shape[d] = want;
    strides[d] = have == want ? stride(d - lead) : 0;
  }
  return as_view(*this, "expand", shape, strides, offset(), [in_shape = this->shape()](const Tensor& g) {
    return std::vector<Tensor>{sum_to(g, in_shape)};
  });
}

Tensor Tensor::clone() const {
  Tensor out = empty(shape(), options());
  backend(device()).copy(*this, out);
  record(out, "clone", {*this}, [](const Tensor& g) { return std::vector<Tensor>{g}; });
  return out;
}

Tensor Tensor::contiguous() const { return is_contiguous() ? *this : clone(); }

// Copies to another device; dx = dy moved back.
Tensor Tensor::to(Device target) const {
  if (target == device()) return *this;
  Tensor source = contiguous().detach();
  Tensor out = empty(shape(), {dtype(), target});
  const size_t bytes = numel() * dtype_size(dtype());
  const char* src = static_cast<const char*>(source.storage()->data()) + source.offset() * dtype_size(dtype());
  char* dst = static_cast<char*>(out.storage()->data());
  if (device().is_cpu()) {
    backend(target).copy_from_host(src, dst, bytes);
  } else if (target.is_cpu()) {
    backend(device()).copy_to_host(src, dst, bytes);
  } else {
    return to(Device::cpu()).to(target);
  }
  record(out, "to(device)", {*this}, [from = device()](const Tensor& g) { return std::vector<Tensor>{g.to(from)}; });
  return out;
}

// Converts the element type; between float types dx = dy converted back.
Tensor Tensor::to(DType target) const {
  if (target == dtype()) return *this;
  Tensor out = empty(shape(), {target, device()});
  backend(device()).copy(*this, out);
  if (is_floating(target)) {
    record(out, "to(dtype)", {*this}, [from = dtype()](const Tensor& g) { return std::vector<Tensor>{g.to(from)}; });
  }
  return out;
}

}  // namespace gs
