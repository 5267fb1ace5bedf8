// NumPy's .npy format (versions 1.0 and 2.0), for exchanging tensors with
// Python: np.load("x.npy") reads what save_npy writes, and back.
// Supported: float32, float64, int64, uint8; little-endian; C order.
#pragma once
#include <string>

#include "tensor/tensor.h"

namespace gs {

void save_npy(const Tensor& t, const std::string& path);
Tensor load_npy(const std::string& path);
// The same from bytes in memory; `source` names them in errors.
Tensor parse_npy(const std::string& bytes, const std::string& source);

}  // namespace gs
