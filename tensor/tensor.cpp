// Tensor metadata, raw element access and the in-place ops used by optimizers.
#include "tensor/tensor.h"

#include "tensor/backend.h"

namespace gs {

TensorImpl& Tensor::impl() const {
  check(impl_ != nullptr, "use of an undefined tensor (default-constructed, or a gradient that was never computed)");
  return *impl_;
}

int64_t Tensor::size(int64_t d) const { return shape()[wrap_dim(d, dim(), "size")]; }
int64_t Tensor::stride(int64_t d) const { return strides()[wrap_dim(d, dim(), "stride")]; }

bool Tensor::is_contiguous() const {
  int64_t expected = 1;
  for (int64_t d = dim() - 1; d >= 0; --d) {
    if (shape()[d] == 1) continue;
    if (strides()[d] != expected) return false;
    expected *= shape()[d];
  }
  return true;
}

template <typename T>
T* Tensor::data() const {
  check(device().is_cpu(), "data<", dtype_name(dtype_of<T>::value), ">(): the tensor is on ", device().str(),
        "; move it with .to(Device::cpu()) first");
  check(dtype() == dtype_of<T>::value, "data<", dtype_name(dtype_of<T>::value), ">(): the tensor holds ",
        dtype_name(dtype()));
  return static_cast<T*>(storage()->data()) + offset();
}
template float* Tensor::data<float>() const;
template double* Tensor::data<double>() const;
template int64_t* Tensor::data<int64_t>() const;
template uint8_t* Tensor::data<uint8_t>() const;

template <typename T>
std::vector<T> Tensor::to_vector() const {
  Tensor host = to(Device::cpu()).to(dtype_of<T>::value).contiguous();
  const T* p = host.data<T>();
  return std::vector<T>(p, p + host.numel());
}
template std::vector<float> Tensor::to_vector<float>() const;
template std::vector<double> Tensor::to_vector<double>() const;
template std::vector<int64_t> Tensor::to_vector<int64_t>() const;
template std::vector<uint8_t> Tensor::to_vector<uint8_t>() const;

double Tensor::item() const {
  check(numel() == 1, "item(): the tensor has ", numel(), " elements (shape ", shape_str(shape()),
        "), item() needs exactly one");
  return to_vector<double>()[0];
}

// ---- autograd metadata ---------------------------------------------------

Tensor& Tensor::requires_grad_(bool on) {
  check(is_leaf(), "requires_grad_: only leaf tensors can change requires_grad (this one was made by ",
        "an op; use .detach() to get a leaf)");
  check(!on || is_floating(dtype()), "requires_grad_: only floating tensors can require gradients, this one is ",
        dtype_name(dtype()));
  impl().requires_grad = on;
  return *this;
}

Tensor Tensor::grad() const { return impl().grad ? Tensor(impl().grad) : Tensor(); }
void Tensor::zero_grad() { impl().grad.reset(); }
void Tensor::set_grad(const Tensor& g) {
  if (g.defined())
    check(g.shape() == shape(), "set_grad: gradient shape ", shape_str(g.shape()), " differs from the tensor's ",
          shape_str(shape()));
  impl().grad = g.defined() ? g.impl_shared() : nullptr;
}

Tensor Tensor::detach() const {
  auto view = std::make_shared<TensorImpl>();
  view->storage = storage();
  view->shape = shape();
  view->strides = strides();
  view->offset = offset();
  view->dtype = dtype();
  return Tensor(view);
}

// ---- in-place ops (no graph) -----------------------------------------------

Tensor& Tensor::fill_(double value) {
  backend(device()).fill(*this, value);
  storage()->bump_version();
  return *this;
}

Tensor& Tensor::copy_(const Tensor& source) {
  check(source.device() == device(), "copy_: source is on ", source.device().str(), ", destination on ",
        device().str());
  Shape common = broadcast_shapes(source.shape(), shape(), "copy_");
  check(common == shape(), "copy_: cannot copy a tensor of shape ", shape_str(source.shape()), " into shape ",
        shape_str(shape()));
  backend(device()).copy(source.detach().expand(shape()), *this);
  storage()->bump_version();
  return *this;
}

Tensor& Tensor::add_(const Tensor& other, double alpha) {
  check(other.device() == device(), "add_: tensors on ", device().str(), " and ", other.device().str());
  check(other.dtype() == dtype(), "add_: dtypes ", dtype_name(dtype()), " and ", dtype_name(other.dtype()));
  Tensor addend = other.detach().expand(shape());
  if (alpha != 1.0) {
    Tensor scaled = empty(shape(), options());
    backend(device()).unary(UnaryOp::MulScalar, addend, scaled, {alpha, 0});
    addend = scaled;
  }
  backend(device()).binary(BinaryOp::Add, *this, addend, *this);
  storage()->bump_version();
  return *this;
}

Tensor& Tensor::mul_(double factor) {
  backend(device()).unary(UnaryOp::MulScalar, *this, *this, {factor, 0});
  storage()->bump_version();
  return *this;
}

}  // namespace gs
