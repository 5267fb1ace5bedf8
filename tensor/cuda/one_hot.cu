// One-hot encoding on the GPU: one thread per entry of out. A label outside
// [0, K) is recorded as the smallest bad example index (an integer atomic
// minimum), which the host reads back to raise the same error as the CPU.
#include <climits>

#include "tensor/cuda/cuda_backend.h"
#include "tensor/cuda/launch.h"

namespace gs::cuda {
namespace {

template <typename T>
__global__ void one_hot_kernel(int64_t rows, int64_t classes, const int64_t* labels, int64_t label_stride, T* out,
                               unsigned long long* first_bad_row) {
  for (int64_t e = global_thread_index(); e < rows * classes; e += grid_stride()) {
    const int64_t i = e / classes, k = e % classes;
    const int64_t label = labels[i * label_stride];
    out[e] = label == k ? T(1) : T(0);
    if (k == 0 && (label < 0 || label >= classes)) atomicMin(first_bad_row, static_cast<unsigned long long>(i));
  }
}

}  // namespace

void CudaBackend::one_hot(const Tensor& labels, const Tensor& out, const char* op) {
  check_on_device(op, {&labels, &out});
  check(labels.dtype() == DType::Int64, op, ": labels must be int64, got ", dtype_name(labels.dtype()));
  check(labels.dim() == 1 && out.dim() == 2 && out.size(0) == labels.size(0) && out.is_contiguous(), op,
        ": one_hot needs labels [N] and a contiguous output [N, K]");
  const int64_t rows = out.size(0), classes = out.size(1);
  if (rows * classes == 0) return;
  const DeviceGuard guard(device_);
  Tensor first_bad_row = empty({1}, {DType::Int64, Device::cuda(device_)});
  auto* flag = reinterpret_cast<unsigned long long*>(device_data<int64_t>(first_bad_row));
  GS_CUDA_CHECK(cudaMemsetAsync(flag, 0xFF, sizeof(unsigned long long), stream_));  // "none": the largest value
  dispatch_floating(out.dtype(), op, [&](auto zero) {
    using T = decltype(zero);
    launch("one_hot_kernel", one_hot_kernel<T>, grid_size(rows * classes), kBlockSize, 0, stream_, rows, classes,
           device_data<int64_t>(labels), labels.stride(0), device_data<T>(out), flag);
  });
  unsigned long long bad_row = 0;
  copy_to_host(flag, &bad_row, sizeof(bad_row));  // the host reads the verdict
  if (bad_row == ULLONG_MAX) return;
  int64_t label = 0;
  copy_to_host(device_data<int64_t>(labels) + static_cast<int64_t>(bad_row) * labels.stride(0), &label, sizeof(label));
  fail(op, ": label ", label, " of example ", bad_row, " is outside [0, ", classes, ")");
}

}  // namespace gs::cuda
