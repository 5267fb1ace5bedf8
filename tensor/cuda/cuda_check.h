// Every CUDA and cuBLAS call of the backend goes through these checks: a
// failure becomes a gs::Error naming the call, the file and line, and CUDA's
// own words ("cudaMalloc(&pointer, bytes) at tensor/cuda/memory.cu:40 failed:
// out of memory (cudaErrorMemoryAllocation)").
#pragma once
#include <cublas_v2.h>
#include <cuda_runtime.h>

namespace gs::cuda {

[[noreturn]] void fail_cuda_call(const char* call, const char* file, int line, cudaError_t error);
[[noreturn]] void fail_cublas_call(const char* call, const char* file, int line, cublasStatus_t status);

}  // namespace gs::cuda

#define GS_CUDA_CHECK(call)                                                               \
  do {                                                                                    \
    const cudaError_t gs_cuda_error_ = (call);                                            \
    if (gs_cuda_error_ != cudaSuccess) ::gs::cuda::fail_cuda_call(#call, __FILE__, __LINE__, gs_cuda_error_); \
  } while (0)

#define GS_CUBLAS_CHECK(call)                                                             \
  do {                                                                                    \
    const cublasStatus_t gs_cublas_status_ = (call);                                      \
    if (gs_cublas_status_ != CUBLAS_STATUS_SUCCESS)                                       \
      ::gs::cuda::fail_cublas_call(#call, __FILE__, __LINE__, gs_cublas_status_);         \
  } while (0)
