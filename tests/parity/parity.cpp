// The parity comparison of tests/parity/parity.h.
#include "tests/parity/parity.h"

#include <cmath>
#include <cstdio>

namespace gs::testing {
namespace {

int cases_compared = 0;

// At exit: how many cases compared the devices (the number the report quotes).
struct Report {
  ~Report() {
    if (cases_compared > 0) std::printf("[gradschool] %d parity cases compared the CPU with cuda:0\n", cases_compared);
  }
} report;

// Fresh leaves on `device` with the inputs' values (and requires_grad), so
// neither run sees the other's gradients or in-place updates.
std::vector<Tensor> copies_on(const std::vector<Tensor>& inputs, Device device) {
  std::vector<Tensor> copies;
  for (const Tensor& t : inputs) {
    if (!t.defined()) {
      copies.push_back(t);
      continue;
    }
    Tensor copy = t.device() == device ? t.detach().clone() : t.detach().to(device);
    if (t.requires_grad()) copy.requires_grad_();
    copies.push_back(copy);
  }
  return copies;
}

struct Run {
  std::vector<Tensor> outputs, gradients;
};

Run run_on(Device device, const std::vector<Tensor>& inputs, const DeviceOp& op) {
  Run run;
  const std::vector<Tensor> copies = copies_on(inputs, device);
  run.outputs = op(copies);
  Tensor objective;
  for (size_t i = 0; i < run.outputs.size(); ++i) {
    const Tensor& out = run.outputs[i];
    if (!out.defined() || !out.requires_grad()) continue;
    Generator weights(1000 + i);
    const Tensor w = randn(out.shape(), weights, kFloat64).to(out.dtype()).to(out.device());
    const Tensor term = (out * w).sum();
    objective = objective.defined() ? objective + term : term;
  }
  if (objective.defined()) objective.backward();
  for (const Tensor& t : copies)
    if (t.defined() && t.requires_grad()) run.gradients.push_back(t.grad());
  return run;
}

}  // namespace

void expect_same_values(const std::string& what, const Tensor& device_result, const Tensor& cpu_result,
                        double tolerance) {
  INFO(what);
  REQUIRE(device_result.defined() == cpu_result.defined());
  if (!cpu_result.defined()) return;
  REQUIRE(shape_str(device_result.shape()) == shape_str(cpu_result.shape()));
  REQUIRE(dtype_name(device_result.dtype()) == dtype_name(cpu_result.dtype()));
  if (!is_floating(cpu_result.dtype())) {
    CHECK(device_result.to_vector<int64_t>() == cpu_result.to_vector<int64_t>());
    return;
  }
  const std::vector<double> got = device_result.to_vector<double>(), expected = cpu_result.to_vector<double>();
  double scale = 0;
  for (double e : expected) scale = std::max(scale, std::isfinite(e) ? std::abs(e) : 0.0);
  for (size_t i = 0; i < got.size(); ++i) {
    const bool same_special = (std::isnan(got[i]) && std::isnan(expected[i])) ||
                              (std::isinf(expected[i]) && got[i] == expected[i]);
    const bool close = same_special || std::abs(got[i] - expected[i]) <= tolerance * scale;
    if (!close) {
      INFO("element " << i << " of " << got.size() << ": device " << got[i] << ", cpu " << expected[i]
                      << " (largest |cpu| " << scale << ", tolerance " << tolerance << ")");
      CHECK(close);
      return;
    }
  }
}

void expect_same_on_devices(const std::string& name, const std::vector<Tensor>& inputs, const DeviceOp& op,
                            double tolerance) {
  CAPTURE(name);
  const Run cpu = run_on(Device::cpu(), inputs, op);
  const Run device = run_on(cuda0(), inputs, op);
  REQUIRE(cpu.outputs.size() == device.outputs.size());
  for (size_t i = 0; i < cpu.outputs.size(); ++i) {
    if (device.outputs[i].defined()) {
      INFO("output " << i);
      CHECK(device.outputs[i].device() == cuda0());
    }
    expect_same_values(name + ": output " + std::to_string(i), device.outputs[i], cpu.outputs[i], tolerance);
  }
  REQUIRE(cpu.gradients.size() == device.gradients.size());
  for (size_t i = 0; i < cpu.gradients.size(); ++i)
    expect_same_values(name + ": gradient of input " + std::to_string(i), device.gradients[i], cpu.gradients[i],
                       tolerance);
  ++cases_compared;
}

int parity_cases() { return cases_compared; }

}  // namespace gs::testing
