// Parity with the CPU: a case builds its inputs on the CPU, runs the same code
// with them on the CPU and on cuda:0 (the emulated device in `make test`, a
// real GPU in the GPU test binary) and compares every output, and the gradient
// of every input that requires one, element by element. Test cases that use
// it are named "[cuda] ..." (skipped where there is no device, tests/main.cpp).
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "tests/helpers.h"

namespace gs::testing {

inline Device cuda0() { return Device::cuda(0); }

// The code under test, run on whichever device its inputs are on.
using DeviceOp = std::function<std::vector<Tensor>(const std::vector<Tensor>& inputs)>;

// Float results agree when |device - cpu| <= tolerance * max |cpu| over the
// tensor (relative to its largest element, so sums with cancellation and
// values near zero are judged at the scale of the result); integer results
// must be equal. The gradients come from backward() of sum_i <outputs_i, w_i>
// with fixed random weights w_i.
void expect_same_on_devices(const std::string& name, const std::vector<Tensor>& inputs, const DeviceOp& op,
                            double tolerance = 1e-5);

// The same comparison for two tensors already computed.
void expect_same_values(const std::string& what, const Tensor& device_result, const Tensor& cpu_result,
                        double tolerance);

// How many cases expect_same_on_devices has compared so far.
int parity_cases();

}  // namespace gs::testing
