// CPU memory: 64-byte aligned blocks (cache lines, AVX-512 loads), with the
// large ones recycled.
//
// glibc serves a block over 128 KiB with a fresh mmap and unmaps it on free,
// so every activation, im2col matrix and gradient of a training step would
// page-fault its way in, the kernel zeroing each 4 KiB page first (measured on
// the MNIST DCGAN: 40,000 page faults per iteration). A training loop asks for
// the same sizes every iteration, so freed large blocks wait in a cache keyed
// by size and the next request of that size gets warm pages back.
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "tensor/cpu/cpu_backend.h"

namespace gs::cpu {
namespace {

constexpr size_t kAlignment = 64;
constexpr size_t kHeader = kAlignment;          // holds the block's size, keeps the data aligned
#ifdef __SANITIZE_ADDRESS__
// Under AddressSanitizer every block goes back at once, so that a use after
// free is still caught.
constexpr size_t kSmallestCached = ~size_t(0);
#else
constexpr size_t kSmallestCached = 64 << 10;  // smaller blocks: malloc's own free lists do well
#endif
constexpr size_t kMostCachedBytes = size_t(2) << 30;  // above this, the cache is emptied

struct BlockCache {
  std::mutex mutex;
  std::unordered_map<size_t, std::vector<void*>> free_blocks;  // by size, header included
  size_t cached_bytes = 0;

  void release_all() {
    for (auto& [size, blocks] : free_blocks)
      for (void* block : blocks) std::free(block);
    free_blocks.clear();
    cached_bytes = 0;
  }
};

// Never destroyed: tensors held in static variables may be freed after it.
BlockCache& block_cache() {
  static BlockCache* cache = new BlockCache;
  return *cache;
}

size_t& block_size(void* block) { return *static_cast<size_t*>(block); }

}  // namespace

void* CpuBackend::allocate(size_t bytes) {
  const size_t size = kHeader + (bytes + kAlignment - 1) / kAlignment * kAlignment;
  void* block = nullptr;
  if (size >= kSmallestCached) {
    BlockCache& cache = block_cache();
    std::lock_guard<std::mutex> lock(cache.mutex);
    auto found = cache.free_blocks.find(size);
    if (found != cache.free_blocks.end() && !found->second.empty()) {
      block = found->second.back();
      found->second.pop_back();
      cache.cached_bytes -= size;
    }
  }
  if (block == nullptr) {
    block = std::aligned_alloc(kAlignment, size);
    if (block == nullptr) fail("out of memory: could not allocate ", bytes, " bytes on the CPU");
    block_size(block) = size;
  }
  return static_cast<char*>(block) + kHeader;
}

void CpuBackend::deallocate(void* pointer) {
  if (pointer == nullptr) return;
  void* block = static_cast<char*>(pointer) - kHeader;
  const size_t size = block_size(block);
  if (size < kSmallestCached) {
    std::free(block);
    return;
  }
  BlockCache& cache = block_cache();
  std::lock_guard<std::mutex> lock(cache.mutex);
  // Sizes that stop recurring (a last, smaller batch; a model that was freed)
  // must not pile up: past the limit, start over with an empty cache.
  if (cache.cached_bytes + size > kMostCachedBytes) cache.release_all();
  cache.free_blocks[size].push_back(block);
  cache.cached_bytes += size;
}

void CpuBackend::copy_to_host(const void* src, void* dst, size_t bytes) { std::memcpy(dst, src, bytes); }
void CpuBackend::copy_from_host(const void* src, void* dst, size_t bytes) { std::memcpy(dst, src, bytes); }

}  // namespace gs::cpu
