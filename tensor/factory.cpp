// Making new tensors: empty/zeros/ones/full/arange and from host vectors.
#include <cmath>

#include "tensor/backend.h"
#include "tensor/tensor.h"

namespace gs {

Tensor empty(const Shape& shape, TensorOptions options) {
  for (int64_t s : shape) check(s >= 0, "empty: negative size in shape ", shape_str(shape));
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = std::make_shared<Storage>(numel(shape) * dtype_size(options.dtype), options.device);
  impl->shape = shape;
  impl->strides = contiguous_strides(shape);
  impl->dtype = options.dtype;
  return Tensor(impl);
}

Tensor full(const Shape& shape, double value, TensorOptions options) {
  Tensor t = empty(shape, options);
  t.fill_(value);
  return t;
}

Tensor zeros(const Shape& shape, TensorOptions options) { return full(shape, 0.0, options); }
Tensor ones(const Shape& shape, TensorOptions options) { return full(shape, 1.0, options); }
Tensor zeros_like(const Tensor& t) { return zeros(t.shape(), t.options()); }
Tensor ones_like(const Tensor& t) { return ones(t.shape(), t.options()); }
Tensor full_like(const Tensor& t, double value) { return full(t.shape(), value, t.options()); }
Tensor scalar_tensor(double value, TensorOptions options) { return full({}, value, options); }

Tensor arange(double end, TensorOptions options) { return arange(0.0, end, 1.0, options); }

Tensor arange(double start, double end, double step, TensorOptions options) {
  check(step != 0, "arange: step must be non-zero");
  int64_t count = std::max<int64_t>(0, static_cast<int64_t>(std::ceil((end - start) / step)));
  Tensor t = empty({count}, options);
  backend(options.device).arange(t, start, step);
  return t;
}

namespace {

template <typename T>
Tensor from_host(const std::vector<T>& values, Shape shape) {
  if (shape.empty()) shape = {static_cast<int64_t>(values.size())};
  check(numel(shape) == static_cast<int64_t>(values.size()), "tensor: ", values.size(),
        " values cannot fill shape ", shape_str(shape), " (", numel(shape), " elements)");
  Tensor t = empty(shape, dtype_of<T>::value);
  std::copy(values.begin(), values.end(), t.data<T>());
  return t;
}

}  // namespace

Tensor tensor(const std::vector<float>& values, const Shape& shape) { return from_host(values, shape); }
Tensor tensor(const std::vector<double>& values, const Shape& shape) { return from_host(values, shape); }
Tensor tensor(const std::vector<int64_t>& values, const Shape& shape) { return from_host(values, shape); }
Tensor tensor(const std::vector<uint8_t>& values, const Shape& shape) { return from_host(values, shape); }

Tensor make_view(const Tensor& base, const Shape& shape, const Shape& strides, int64_t offset) {
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = base.storage();
  impl->shape = shape;
  impl->strides = strides;
  impl->offset = offset;
  impl->dtype = base.dtype();
  return Tensor(impl);
}

}  // namespace gs
