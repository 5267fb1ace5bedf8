// The emulated CUDA device's internals shared by its files, and the hooks
// the tests use to look inside it (which device a pointer belongs to, how
// many kernels ran where, a machine with no GPU).
#pragma once
#include <cuda_runtime.h>

#include <cstddef>
#include <string>

namespace gs::emulation {

constexpr int kDevices = 2;

// The device cudaSetDevice chose (per OS thread, as in CUDA).
int current_device();
// Remembers `error` for cudaGetLastError and returns it.
cudaError_t record_error(cudaError_t error);
void count_launch(int device);

// While one lives, `device`'s memory is readable and writable (a kernel, a
// copy or a cuBLAS call of that device is running); otherwise it is not.
class DeviceAccess {
 public:
  explicit DeviceAccess(int device);
  ~DeviceAccess();
  DeviceAccess(const DeviceAccess&) = delete;
  DeviceAccess& operator=(const DeviceAccess&) = delete;

 private:
  int device_;
  bool opened_;
};

// ---- hooks for tests ----
// The device whose memory holds `pointer`, or -1 for host memory.
int device_of(const void* pointer);
// Whether [pointer, pointer + bytes) lies inside one live allocation of `device`.
bool inside_allocation(int device, const void* pointer, size_t bytes);
long long launches_on(int device);
// Makes cudaGetDeviceCount fail with `error` (e.g. cudaErrorInsufficientDriver,
// as on a machine without a GPU); cudaSuccess restores the two devices.
void simulate_no_device(cudaError_t error);

}  // namespace gs::emulation
