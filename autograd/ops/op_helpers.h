// Argument checks shared by the op implementations.
#pragma once
#include "tensor/backend.h"
#include "tensor/tensor.h"

namespace gs {

// Both tensors defined, on one device, of one dtype; the message names the op.
inline void check_same_kind(const char* op, const Tensor& a, const Tensor& b) {
  check(a.defined() && b.defined(), op, ": an argument is an undefined tensor");
  check(a.device() == b.device(), op, ": tensors are on different devices (", a.device().str(), " and ",
        b.device().str(), "); move one with .to()");
  check(a.dtype() == b.dtype(), op, ": dtypes differ (", dtype_name(a.dtype()), " and ", dtype_name(b.dtype()),
        "); convert one with .to(dtype)");
}

inline void check_floating(const char* op, const Tensor& t) {
  check(t.defined(), op, ": the argument is an undefined tensor");
  check(is_floating(t.dtype()), op, ": needs a float32 or float64 tensor, got ", dtype_name(t.dtype()));
}

inline Backend& backend_of(const Tensor& t) { return backend(t.device()); }

}  // namespace gs
