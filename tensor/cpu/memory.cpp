// CPU memory: 64-byte aligned blocks (cache lines, AVX-512 loads).
#include <malloc.h>

#include <cstdlib>
#include <cstring>

#include "tensor/cpu/cpu_backend.h"
#include "tensor/profile.h"

namespace gs::cpu {

// By default glibc serves blocks over 128 KiB with a fresh mmap and returns
// them to the OS on free, so every new activation tensor page-faults its way
// in (measured: a 512^3 matmul through the tensor API ran 20% below raw
// sgemm). Keeping freed blocks in the heap lets the next tensor of that size
// reuse warm pages, which is what a training loop does every iteration.
CpuBackend::CpuBackend() {
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
}

void* CpuBackend::allocate(size_t bytes) {
  ProfileScope scope("allocate");
  size_t rounded = (bytes + 63) / 64 * 64;
  void* pointer = std::aligned_alloc(64, rounded == 0 ? 64 : rounded);
  if (!pointer) fail("out of memory: could not allocate ", bytes, " bytes on the CPU");
  return pointer;
}

void CpuBackend::deallocate(void* pointer) { std::free(pointer); }

void CpuBackend::copy_to_host(const void* src, void* dst, size_t bytes) { std::memcpy(dst, src, bytes); }
void CpuBackend::copy_from_host(const void* src, void* dst, size_t bytes) { std::memcpy(dst, src, bytes); }

}  // namespace gs::cpu
