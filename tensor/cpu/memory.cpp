// CPU memory: 64-byte aligned blocks (cache lines, AVX-512 loads).
#include <cstdlib>
#include <cstring>

#include "tensor/cpu/cpu_backend.h"

namespace gs::cpu {

void* CpuBackend::allocate(size_t bytes) {
  size_t rounded = (bytes + 63) / 64 * 64;
  void* pointer = std::aligned_alloc(64, rounded == 0 ? 64 : rounded);
  if (!pointer) fail("out of memory: could not allocate ", bytes, " bytes on the CPU");
  return pointer;
}

void CpuBackend::deallocate(void* pointer) { std::free(pointer); }

void CpuBackend::copy_to_host(const void* src, void* dst, size_t bytes) { std::memcpy(dst, src, bytes); }
void CpuBackend::copy_from_host(const void* src, void* dst, size_t bytes) { std::memcpy(dst, src, bytes); }

}  // namespace gs::cpu
