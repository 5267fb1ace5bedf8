#include "tensor/backend.h"

#include "tensor/cpu/cpu_backend.h"

namespace gs {
namespace {

Backend*& cuda_backend() {
  static Backend* instance = nullptr;
  return instance;
}

}  // namespace

Backend& backend(Device device) {
  if (device.is_cpu()) {
    static cpu::CpuBackend cpu_backend;
    return cpu_backend;
  }
  Backend* cuda = cuda_backend();
  check(cuda != nullptr, "device ", device.str(), " is not available: gradschool was built without CUDA ",
        "(rebuild with `make CUDA=1` on a machine with nvcc)");
  return *cuda;
}

void register_backend(DeviceType type, Backend* instance) {
  if (type == DeviceType::CUDA) cuda_backend() = instance;
}

}  // namespace gs
