// The device registry: the CPU backend always, and whatever other backend
// registered itself (the CUDA one, when its objects are linked in).
#include "tensor/backend.h"

#include <atomic>
#include <mutex>

#include "tensor/cpu/cpu_backend.h"

namespace gs {
namespace {

constexpr int kMaxDeviceIndex = 64;

struct Registered {
  BackendProvider provider;
  std::atomic<Backend*> instances[kMaxDeviceIndex] = {};
  std::mutex creating;
};

Registered& cuda_registry() {
  static Registered registry;
  return registry;
}

}  // namespace

void register_backend(DeviceType type, BackendProvider provider) {
  check(type == DeviceType::CUDA, "register_backend: only a CUDA backend can be registered");
  cuda_registry().provider = provider;
}

int device_count(DeviceType type, std::string* why_none) {
  if (type == DeviceType::CPU) return 1;
  const BackendProvider& provider = cuda_registry().provider;
  if (!provider.device_count) {
    if (why_none) *why_none = "gradschool was built without CUDA (nvcc was not found; see README, \"GPU\")";
    return 0;
  }
  return provider.device_count(why_none);
}

Backend& backend(Device device) {
  if (device.is_cpu()) {
    static cpu::CpuBackend cpu_backend;
    return cpu_backend;
  }
  Registered& registry = cuda_registry();
  check(device.index >= 0 && device.index < kMaxDeviceIndex, "device ", device.str(), ": no such device index");
  if (Backend* ready = registry.instances[device.index]) return *ready;
  std::lock_guard<std::mutex> lock(registry.creating);
  if (!registry.instances[device.index].load()) {
    std::string why_none;
    const int count = device_count(device.type, &why_none);
    check(count > 0, "device ", device.str(), " is not available: ", why_none);
    check(device.index < count, "device ", device.str(), " does not exist: there ",
          count == 1 ? "is 1 CUDA device (cuda:0)" : "are " + std::to_string(count) + " CUDA devices (cuda:0 to cuda:" +
                                                          std::to_string(count - 1) + ")");
    registry.instances[device.index] = registry.provider.instance(device.index);
  }
  return *registry.instances[device.index].load();
}

void check_im2col_arguments(const char* op, const Tensor& image, const Tensor& columns, const ConvGeometry& g) {
  check(image.is_contiguous() && columns.is_contiguous(), op, ": needs contiguous image and columns");
  check(image.numel() == g.batch * g.channels * g.height * g.width, op, ": image has ", image.numel(),
        " elements, the geometry expects ", g.batch * g.channels * g.height * g.width);
  check(columns.numel() == g.channels * g.kernel_h * g.kernel_w * g.batch * g.out_height * g.out_width, op,
        ": columns have the wrong number of elements (", columns.numel(), ")");
  check(image.dtype() == columns.dtype(), op, ": image and columns have different dtypes");
}

}  // namespace gs
