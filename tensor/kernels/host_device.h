// GS_HOST_DEVICE marks a function that both backends call: the CPU loops
// (compiled by g++) and the CUDA kernels (compiled by nvcc, where it becomes
// __host__ __device__, so the same inline function runs on the GPU). Every
// formula of tensor/kernels/ is written once, with this mark.
#pragma once

#if defined(__CUDACC__)
#define GS_HOST_DEVICE __host__ __device__
#else
#define GS_HOST_DEVICE
#endif
