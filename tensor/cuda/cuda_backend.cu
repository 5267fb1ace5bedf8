// The CUDA backend's set-up: finding the GPUs, one backend per GPU (its
// stream and cuBLAS handle), the registration that makes cuda:N reach it,
// host <-> device copies, and the error messages of every checked call.
#include <sstream>
#include <string>

#include "tensor/cuda/cuda_backend.h"
#include "tensor/cuda/launch.h"

namespace gs::cuda {

void fail_cuda_call(const char* call, const char* file, int line, cudaError_t error) {
  fail(call, " at ", file, ":", line, " failed: ", cudaGetErrorString(error), " (", cudaGetErrorName(error), ", error ",
       static_cast<int>(error), ")");
}

void fail_cublas_call(const char* call, const char* file, int line, cublasStatus_t status) {
  fail(call, " at ", file, ":", line, " failed: ", cublasGetStatusString(status), " (", cublasGetStatusName(status),
       ")");
}

namespace {

// No GPU is an answer, not a crash: cudaGetDeviceCount fails with error 35
// (insufficient driver) where the toolkit is installed without a driver, and
// 100 (no device) where the driver finds no GPU.
int count_devices(std::string* why_none) {
  int count = 0;
  const cudaError_t error = cudaGetDeviceCount(&count);
  if (error != cudaSuccess) {
    cudaGetLastError();  // clear it: "no GPU" must not look like a failure of the next call
    if (why_none) {
      std::ostringstream why;
      why << "no GPU: cudaGetDeviceCount failed with error " << static_cast<int>(error) << " ("
          << cudaGetErrorName(error) << ": " << cudaGetErrorString(error) << ")";
      *why_none = why.str();
    }
    return 0;
  }
  if (count == 0 && why_none) *why_none = "no GPU: cudaGetDeviceCount found 0 devices";
  return count;
}

// Made once per device and never destroyed: tensors freed during program exit
// still return their memory to it after the CUDA runtime may have shut down.
Backend* backend_for(int device) { return new CudaBackend(device); }

const bool registered = (register_backend(DeviceType::CUDA, {count_devices, backend_for}), true);

}  // namespace

CudaBackend::DeviceGuard::DeviceGuard(int device) {
  int current = -1;
  GS_CUDA_CHECK(cudaGetDevice(&current));
  if (current != device) GS_CUDA_CHECK(cudaSetDevice(device));
}

CudaBackend::CudaBackend(int device) : device_(device), allocator_(device) {
  (void)registered;
  const DeviceGuard guard(device_);
  int multiprocessors = 1;
  GS_CUDA_CHECK(cudaDeviceGetAttribute(&multiprocessors, cudaDevAttrMultiProcessorCount, device_));
  max_blocks_ = 8 * multiprocessors;
  GS_CUDA_CHECK(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking));
  GS_CUBLAS_CHECK(cublasCreate(&blas_));
  GS_CUBLAS_CHECK(cublasSetStream(blas_, stream_));
  // Plain float32 arithmetic: no TF32 tensor-core rounding unless asked for.
  GS_CUBLAS_CHECK(cublasSetMathMode(blas_, CUBLAS_DEFAULT_MATH));
}

int64_t CudaBackend::grid_size(int64_t work) const {
  const int64_t blocks = (work + kBlockSize - 1) / kBlockSize;
  return std::max<int64_t>(1, std::min<int64_t>(blocks, max_blocks_));
}

void CudaBackend::check_on_device(const char* op, std::initializer_list<const Tensor*> tensors) const {
  const Device here = Device::cuda(device_);
  for (const Tensor* t : tensors)
    if (t->defined())
      check(t->device() == here, op, ": a tensor on ", t->device().str(), " was passed to the kernel of ", here.str());
}

void CudaBackend::copy_to_host(const void* device_src, void* host_dst, size_t bytes) {
  const DeviceGuard guard(device_);
  GS_CUDA_CHECK(cudaMemcpyAsync(host_dst, device_src, bytes, cudaMemcpyDeviceToHost, stream_));
  GS_CUDA_CHECK(cudaStreamSynchronize(stream_));  // the host reads the values next
}

void CudaBackend::copy_from_host(const void* host_src, void* device_dst, size_t bytes) {
  const DeviceGuard guard(device_);
  // From pageable memory the runtime stages the bytes before it returns, so
  // the caller may free host_src at once; the copy itself is queued in order.
  GS_CUDA_CHECK(cudaMemcpyAsync(device_dst, host_src, bytes, cudaMemcpyHostToDevice, stream_));
}

std::string CudaBackend::memory_summary() {
  cudaDeviceProp properties;
  GS_CUDA_CHECK(cudaGetDeviceProperties(&properties, device_));
  return Device::cuda(device_).str() + " (" + properties.name + "): " + allocator_.summary();
}

}  // namespace gs::cuda
