// gs::Tensor: a handle to shared storage plus shape, strides, offset, dtype
// and device. Copying a Tensor copies the handle (like torch.Tensor), not the data.
//
// The autograd fields (requires_grad, grad, grad_fn) live here because every
// tensor can join a graph; the graph itself and the backward rules of the
// differentiable methods declared below are in autograd/.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "tensor/device.h"
#include "tensor/dtype.h"
#include "tensor/error.h"
#include "tensor/shape.h"
#include "tensor/storage.h"

namespace gs {

struct Node;  // a step of the autograd graph (autograd/node.h)
class Tensor;

struct TensorImpl {
  std::shared_ptr<Storage> storage;
  Shape shape;
  Shape strides;
  int64_t offset = 0;
  DType dtype = DType::Float32;

  bool requires_grad = false;
  std::shared_ptr<TensorImpl> grad;  // accumulated gradient of a leaf
  std::shared_ptr<Node> grad_fn;     // the op that made this tensor (null for leaves)
};

// What a new tensor is made of: zeros({2,3}, kFloat64), ones({4}, Device::cuda()).
struct TensorOptions {
  DType dtype = DType::Float32;
  Device device = Device::cpu();
  TensorOptions() = default;
  TensorOptions(DType d) : dtype(d) {}
  TensorOptions(Device dev) : device(dev) {}
  TensorOptions(DType d, Device dev) : dtype(d), device(dev) {}
};

class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

  // ---- metadata -------------------------------------------------------
  bool defined() const { return impl_ != nullptr; }
  const Shape& shape() const { return impl().shape; }
  const Shape& strides() const { return impl().strides; }
  int64_t dim() const { return static_cast<int64_t>(shape().size()); }
  int64_t size(int64_t d) const;  // negative d counts from the end
  int64_t stride(int64_t d) const;
  int64_t numel() const { return gs::numel(shape()); }
  int64_t offset() const { return impl().offset; }
  DType dtype() const { return impl().dtype; }
  Device device() const { return impl().storage->device(); }
  bool is_contiguous() const;
  const std::shared_ptr<Storage>& storage() const { return impl().storage; }
  TensorImpl* impl_ptr() const { return impl_.get(); }
  const std::shared_ptr<TensorImpl>& impl_shared() const { return impl_; }
  TensorOptions options() const { return {dtype(), device()}; }
  std::string str() const;  // PyTorch-like printout (tensor/print.cpp)

  // ---- raw element access (CPU only; checks the dtype) ----------------
  template <typename T> T* data() const;  // pointer to element (0,0,...) honouring the offset
  double item() const;                     // value of a one-element tensor (any device)
  template <typename T> std::vector<T> to_vector() const;  // row-major copy (any device)

  // ---- autograd (autograd/) -------------------------------------------
  bool requires_grad() const { return impl().requires_grad; }
  Tensor& requires_grad_(bool on = true);  // only on leaves
  bool is_leaf() const { return impl().grad_fn == nullptr; }
  Tensor grad() const;                     // undefined until a backward reaches it
  void zero_grad();                        // drops the accumulated gradient
  void set_grad(const Tensor& g);
  void backward() const;                   // for a one-element tensor
  void backward(const Tensor& gradient) const;
  Tensor detach() const;                   // same storage, no graph

  // ---- views: share storage, differentiable (autograd/ops/views.cpp) ---
  Tensor reshape(const Shape& shape) const;  // a view when strides allow, else a copy
  Tensor view(const Shape& shape) const;     // must be viewable, else gs::Error
  Tensor flatten(int64_t start_dim = 0, int64_t end_dim = -1) const;
  Tensor permute(const Shape& dims) const;
  Tensor transpose(int64_t dim0, int64_t dim1) const;
  Tensor t() const;  // transpose of a 2-D tensor
  Tensor narrow(int64_t dim, int64_t start, int64_t length) const;
  Tensor slice(int64_t dim, int64_t start, int64_t end, int64_t step = 1) const;
  Tensor select(int64_t dim, int64_t index) const;  // drops the dim
  Tensor squeeze() const;
  Tensor squeeze(int64_t dim) const;
  Tensor unsqueeze(int64_t dim) const;
  Tensor expand(const Shape& shape) const;  // broadcast size-1 dims (stride 0)
  Tensor contiguous() const;                // itself if already contiguous
  Tensor clone() const;                     // always a fresh contiguous copy

  // ---- conversion -----------------------------------------------------
  Tensor to(Device device) const;  // differentiable
  Tensor to(DType dtype) const;    // differentiable between float types
  Tensor cpu() const { return to(Device::cpu()); }

  // ---- in-place (no autograd: for optimizers and buffers) -------------
  Tensor& fill_(double value);
  Tensor& zero_() { return fill_(0.0); }
  Tensor& copy_(const Tensor& source);  // broadcasts source; converts dtype
  Tensor& add_(const Tensor& other, double alpha = 1.0);  // this += alpha * other
  Tensor& mul_(double factor);

  // ---- reductions (autograd/ops/reduce.cpp) ---------------------------
  Tensor sum() const;
  Tensor sum(const Shape& dims, bool keepdim = false) const;
  Tensor mean() const;
  Tensor mean(const Shape& dims, bool keepdim = false) const;

  // ---- shortcuts for common element-wise ops ---------------------------
  Tensor exp() const;
  Tensor log() const;
  Tensor sqrt() const;
  Tensor abs() const;
  Tensor tanh() const;
  Tensor sigmoid() const;
  Tensor relu() const;
  Tensor pow(double exponent) const;
  Tensor matmul(const Tensor& other) const;

 private:
  TensorImpl& impl() const;
  std::shared_ptr<TensorImpl> impl_;
};

// ---- creation (tensor/factory.cpp) --------------------------------------
Tensor empty(const Shape& shape, TensorOptions options = {});
Tensor zeros(const Shape& shape, TensorOptions options = {});
Tensor ones(const Shape& shape, TensorOptions options = {});
Tensor full(const Shape& shape, double value, TensorOptions options = {});
Tensor zeros_like(const Tensor& t);
Tensor ones_like(const Tensor& t);
Tensor full_like(const Tensor& t, double value);
Tensor arange(double end, TensorOptions options = {});
Tensor arange(double start, double end, double step = 1.0, TensorOptions options = {});
Tensor scalar_tensor(double value, TensorOptions options = {});
// From host values: tensor({1,2,3,4}, {2,2}). The shape defaults to [n]; use
// scalar_tensor() for a zero-dimensional one.
Tensor tensor(const std::vector<float>& values, const Shape& shape = {});
Tensor tensor(const std::vector<double>& values, const Shape& shape = {});
Tensor tensor(const std::vector<int64_t>& values, const Shape& shape = {});
Tensor tensor(const std::vector<uint8_t>& values, const Shape& shape = {});
// Wraps an existing storage with the given layout (used by views and readers).
Tensor make_view(const Tensor& base, const Shape& shape, const Shape& strides, int64_t offset);

std::ostream& operator<<(std::ostream& out, const Tensor& t);

}  // namespace gs
