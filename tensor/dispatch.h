// From a runtime dtype to a C++ type, for the kernels of every backend:
//   dispatch_floating(t.dtype(), "relu", [&](auto zero) { using T = decltype(zero); ... });
#pragma once
#include <cstdint>

#include "tensor/dtype.h"
#include "tensor/error.h"

namespace gs {

// Calls body(T{}) with T the C++ type of a floating dtype; gs::Error otherwise.
template <typename Body>
void dispatch_floating(DType dtype, const char* op, Body body) {
  switch (dtype) {
    case DType::Float32: body(float{}); return;
    case DType::Float64: body(double{}); return;
    default: fail(op, ": needs a floating tensor (float32 or float64), got ", dtype_name(dtype));
  }
}

// Same for every dtype.
template <typename Body>
void dispatch_all(DType dtype, Body body) {
  switch (dtype) {
    case DType::Float32: body(float{}); return;
    case DType::Float64: body(double{}); return;
    case DType::Int64: body(int64_t{}); return;
    case DType::UInt8: body(uint8_t{}); return;
  }
}

}  // namespace gs
