// Device memory through the caching allocator (tensor/cuda/cuda_backend.h):
// requests are rounded up (512 bytes below 1 MiB, 128 KiB above) so the same
// tensor shapes of every training iteration find the blocks the previous
// iteration freed. Freeing is safe without waiting for the GPU: everything of
// one device is queued on one stream, so a block handed out again is written
// only by work queued after the work that last read it.
#include <cstdio>
#include <sstream>

#include "tensor/cuda/cuda_backend.h"

namespace gs::cuda {
namespace {

size_t rounded_size(size_t bytes) {
  const size_t unit = bytes < (size_t(1) << 20) ? 512 : size_t(128) << 10;
  return (std::max<size_t>(bytes, 1) + unit - 1) / unit * unit;
}

std::string mebibytes(size_t bytes) {
  std::ostringstream out;
  out.precision(1);
  out << std::fixed << double(bytes) / double(1 << 20) << " MiB";
  return out.str();
}

}  // namespace

void* CachingAllocator::allocate(size_t bytes) {
  const size_t size = rounded_size(bytes);
  std::lock_guard<std::mutex> lock(mutex_);
  void* pointer = nullptr;
  auto cached = free_blocks_.find(size);
  if (cached != free_blocks_.end() && !cached->second.empty()) {
    pointer = cached->second.back();
    cached->second.pop_back();
    stats_.bytes_cached -= size;
    ++stats_.reuses;
  } else {
    cudaError_t error = cudaMalloc(&pointer, size);
    if (error == cudaErrorMemoryAllocation) {  // give the cache back to the driver and try once more
      cudaGetLastError();
      for (auto& [block_size, blocks] : free_blocks_) {
        for (void* block : blocks) {
          GS_CUDA_CHECK(cudaFree(block));
          block_sizes_.erase(block);
          ++stats_.device_frees;
        }
        blocks.clear();
      }
      stats_.bytes_cached = 0;
      error = cudaMalloc(&pointer, size);
    }
    if (error != cudaSuccess) {
      cudaGetLastError();
      fail("out of memory on cuda:", device_, ": could not allocate ", mebibytes(size), " (", mebibytes(stats_.bytes_in_use),
           " in use; ", cudaGetErrorString(error), ")");
    }
    block_sizes_[pointer] = size;
    ++stats_.device_allocations;
  }
  stats_.bytes_in_use += size;
  stats_.peak_bytes_in_use = std::max(stats_.peak_bytes_in_use, stats_.bytes_in_use);
  return pointer;
}

void CachingAllocator::release(void* pointer) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto block = block_sizes_.find(pointer);
  check(block != block_sizes_.end(), "cuda:", device_, ": freeing memory the allocator did not hand out");
  free_blocks_[block->second].push_back(pointer);
  stats_.bytes_in_use -= block->second;
  stats_.bytes_cached += block->second;
}

CachingAllocator::Statistics CachingAllocator::statistics() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stats_;
}

std::string CachingAllocator::summary() const {
  const Statistics s = statistics();
  std::ostringstream out;
  out << mebibytes(s.bytes_in_use) << " in use (peak " << mebibytes(s.peak_bytes_in_use) << "), "
      << mebibytes(s.bytes_cached) << " cached; " << s.device_allocations << " cudaMalloc calls, " << s.reuses
      << " requests served from the cache, " << s.device_frees << " cudaFree calls";
  return out.str();
}

void* CudaBackend::allocate(size_t bytes) {
  const DeviceGuard guard(device_);
  return allocator_.allocate(bytes);
}

void CudaBackend::deallocate(void* pointer) { allocator_.release(pointer); }

}  // namespace gs::cuda
