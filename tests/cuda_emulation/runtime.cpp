// The emulated CUDA runtime: devices, their memory, copies, streams and
// events. Each device's memory is one arena of reserved address space, kept
// PROT_NONE except while that device works (DeviceAccess), so a host read of
// a device pointer is a segmentation fault, as it is on a real GPU. Copies
// check their direction and bounds against the arena's live allocations.
// The arena asks for transparent huge pages: switching the protection of
// 2 MiB pages touches 512 times fewer page-table entries, and that switch
// happens twice per kernel.
#include <sys/mman.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>

#include "tests/cuda_emulation/emulation.h"

namespace gs::emulation {
namespace {

constexpr size_t kArenaBytes = size_t(8) << 30;  // address space per device (reserved, not committed)
constexpr size_t kAlignment = 256;               // cudaMalloc's alignment
constexpr size_t kHugePage = size_t(2) << 20;

struct Arena {
  char* base = nullptr;
  size_t high_water = 0;                  // bytes from base that were ever handed out
  std::map<size_t, size_t> free_blocks;   // offset -> bytes, coalesced
  struct Allocation {
    size_t bytes;     // as requested: copies and cuBLAS calls must stay inside these
    size_t reserved;  // rounded up to the alignment
  };
  std::map<size_t, Allocation> live;      // offset -> each allocation
  int open_count = 0;                     // DeviceAccess nesting
  long long launches = 0;

  void reserve() {
    if (base) return;
    void* region =
        mmap(nullptr, kArenaBytes + kHugePage, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (region == MAP_FAILED) {
      std::perror("emulated CUDA: cannot reserve device address space");
      std::abort();
    }
    base = reinterpret_cast<char*>((reinterpret_cast<uintptr_t>(region) + kHugePage - 1) & ~(kHugePage - 1));
    madvise(base, kArenaBytes, MADV_HUGEPAGE);  // a hint: without huge pages it is only slower
  }
  bool contains(const void* p) const {
    const char* c = static_cast<const char*>(p);
    return base && c >= base && c < base + kArenaBytes;
  }
  size_t mapped_bytes() const { return (high_water + kHugePage - 1) / kHugePage * kHugePage; }
  void protect(int protection) {
    if (mapped_bytes() > 0 && mprotect(base, mapped_bytes(), protection) != 0) {
      std::perror("emulated CUDA: mprotect");
      std::abort();
    }
  }
};

struct Runtime {
  std::recursive_mutex mutex;
  Arena arenas[kDevices];
  cudaError_t no_device_error = cudaSuccess;
};

Runtime& runtime() {
  static Runtime instance;
  return instance;
}

thread_local int this_thread_device = 0;
thread_local cudaError_t last_error = cudaSuccess;

int arena_of(const void* pointer) {
  Runtime& r = runtime();
  for (int d = 0; d < kDevices; ++d)
    if (r.arenas[d].contains(pointer)) return d;
  return -1;
}

}  // namespace

int current_device() { return this_thread_device; }

cudaError_t record_error(cudaError_t error) {
  if (error != cudaSuccess) last_error = error;
  return error;
}

void count_launch(int device) { ++runtime().arenas[device].launches; }

DeviceAccess::DeviceAccess(int device) : device_(device), opened_(device >= 0 && device < kDevices) {
  if (!opened_) return;
  Runtime& r = runtime();
  r.mutex.lock();
  if (r.arenas[device_].open_count++ == 0) r.arenas[device_].protect(PROT_READ | PROT_WRITE);
}

DeviceAccess::~DeviceAccess() {
  if (!opened_) return;
  Runtime& r = runtime();
  if (--r.arenas[device_].open_count == 0) r.arenas[device_].protect(PROT_NONE);
  r.mutex.unlock();
}

int device_of(const void* pointer) { return arena_of(pointer); }

bool inside_allocation(int device, const void* pointer, size_t bytes) {
  Runtime& r = runtime();
  std::lock_guard<std::recursive_mutex> lock(r.mutex);
  const Arena& arena = r.arenas[device];
  if (!arena.contains(pointer)) return false;
  const size_t offset = static_cast<size_t>(static_cast<const char*>(pointer) - arena.base);
  auto it = arena.live.upper_bound(offset);
  if (it == arena.live.begin()) return false;
  --it;
  return offset + bytes <= it->first + it->second.bytes;
}

long long launches_on(int device) { return runtime().arenas[device].launches; }

void simulate_no_device(cudaError_t error) { runtime().no_device_error = error; }

}  // namespace gs::emulation

using namespace gs::emulation;

// ---- errors ----
const char* cudaGetErrorName(cudaError_t error) {
  switch (error) {
    case cudaSuccess: return "cudaSuccess";
    case cudaErrorInvalidValue: return "cudaErrorInvalidValue";
    case cudaErrorMemoryAllocation: return "cudaErrorMemoryAllocation";
    case cudaErrorInitializationError: return "cudaErrorInitializationError";
    case cudaErrorInvalidConfiguration: return "cudaErrorInvalidConfiguration";
    case cudaErrorInvalidDevicePointer: return "cudaErrorInvalidDevicePointer";
    case cudaErrorInvalidMemcpyDirection: return "cudaErrorInvalidMemcpyDirection";
    case cudaErrorInsufficientDriver: return "cudaErrorInsufficientDriver";
    case cudaErrorNoDevice: return "cudaErrorNoDevice";
    case cudaErrorInvalidDevice: return "cudaErrorInvalidDevice";
    case cudaErrorIllegalAddress: return "cudaErrorIllegalAddress";
    case cudaErrorLaunchFailure: return "cudaErrorLaunchFailure";
  }
  return "cudaErrorUnknown";
}

const char* cudaGetErrorString(cudaError_t error) {
  switch (error) {
    case cudaSuccess: return "no error";
    case cudaErrorInvalidValue: return "invalid argument";
    case cudaErrorMemoryAllocation: return "out of memory";
    case cudaErrorInitializationError: return "initialization error";
    case cudaErrorInvalidConfiguration: return "invalid configuration argument";
    case cudaErrorInvalidDevicePointer: return "invalid device pointer";
    case cudaErrorInvalidMemcpyDirection: return "invalid copy direction for memcpy";
    case cudaErrorInsufficientDriver: return "CUDA driver version is insufficient for CUDA runtime version";
    case cudaErrorNoDevice: return "no CUDA-capable device is detected";
    case cudaErrorInvalidDevice: return "invalid device ordinal";
    case cudaErrorIllegalAddress: return "an illegal memory access was encountered";
    case cudaErrorLaunchFailure: return "unspecified launch failure";
  }
  return "unknown error";
}

cudaError_t cudaGetLastError() {
  const cudaError_t error = last_error;
  last_error = cudaSuccess;
  return error;
}
cudaError_t cudaPeekAtLastError() { return last_error; }

// ---- devices ----
cudaError_t cudaGetDeviceCount(int* count) {
  const cudaError_t error = runtime().no_device_error;
  *count = error == cudaSuccess ? kDevices : 0;
  return record_error(error);
}

cudaError_t cudaSetDevice(int device) {
  if (device < 0 || device >= kDevices) return record_error(cudaErrorInvalidDevice);
  this_thread_device = device;
  return cudaSuccess;
}

cudaError_t cudaGetDevice(int* device) {
  *device = this_thread_device;
  return cudaSuccess;
}

cudaError_t cudaGetDeviceProperties(cudaDeviceProp* properties, int device) {
  if (device < 0 || device >= kDevices) return record_error(cudaErrorInvalidDevice);
  std::snprintf(properties->name, sizeof(properties->name), "emulated CUDA device %d (CPU, for tests)", device);
  properties->totalGlobalMem = kArenaBytes;
  properties->multiProcessorCount = 2;
  properties->major = 9;
  properties->minor = 0;
  return cudaSuccess;
}

cudaError_t cudaDeviceGetAttribute(int* value, cudaDeviceAttr attribute, int device) {
  if (device < 0 || device >= kDevices) return record_error(cudaErrorInvalidDevice);
  if (attribute != cudaDevAttrMultiProcessorCount) return record_error(cudaErrorInvalidValue);
  *value = 2;
  return cudaSuccess;
}

cudaError_t cudaDeviceSynchronize() { return cudaSuccess; }
cudaError_t cudaDriverGetVersion(int* version) {
  *version = 13000;
  return cudaSuccess;
}
cudaError_t cudaRuntimeGetVersion(int* version) {
  *version = 13000;
  return cudaSuccess;
}

// ---- memory: first fit in the device's arena ----
cudaError_t cudaMalloc(void** pointer, size_t bytes) {
  Runtime& r = runtime();
  std::lock_guard<std::recursive_mutex> lock(r.mutex);
  Arena& arena = r.arenas[this_thread_device];
  arena.reserve();
  const size_t size = (std::max<size_t>(bytes, 1) + kAlignment - 1) / kAlignment * kAlignment;
  size_t offset = arena.high_water;
  for (auto it = arena.free_blocks.begin(); it != arena.free_blocks.end(); ++it) {
    if (it->second < size) continue;
    offset = it->first;
    if (it->second > size) arena.free_blocks[offset + size] = it->second - size;
    arena.free_blocks.erase(it);
    break;
  }
  if (offset == arena.high_water) {
    if (offset + size > kArenaBytes) return record_error(cudaErrorMemoryAllocation);
    const bool open = arena.open_count > 0;
    arena.high_water += size;
    if (open) arena.protect(PROT_READ | PROT_WRITE);
  }
  arena.live[offset] = {bytes, size};
  *pointer = arena.base + offset;
  return cudaSuccess;
}

cudaError_t cudaFree(void* pointer) {
  if (!pointer) return cudaSuccess;
  Runtime& r = runtime();
  std::lock_guard<std::recursive_mutex> lock(r.mutex);
  const int device = arena_of(pointer);
  if (device < 0) return record_error(cudaErrorInvalidDevicePointer);
  Arena& arena = r.arenas[device];
  const size_t offset = static_cast<size_t>(static_cast<char*>(pointer) - arena.base);
  auto live = arena.live.find(offset);
  if (live == arena.live.end()) return record_error(cudaErrorInvalidDevicePointer);
  size_t start = offset, size = live->second.reserved;
  arena.live.erase(live);
  auto next = arena.free_blocks.find(start + size);
  if (next != arena.free_blocks.end()) {
    size += next->second;
    arena.free_blocks.erase(next);
  }
  auto before = arena.free_blocks.lower_bound(start);
  if (before != arena.free_blocks.begin()) {
    --before;
    if (before->first + before->second == start) {
      start = before->first;
      size += before->second;
      arena.free_blocks.erase(before);
    }
  }
  arena.free_blocks[start] = size;
  return cudaSuccess;
}

cudaError_t cudaMemGetInfo(size_t* free_bytes, size_t* total_bytes) {
  *total_bytes = kArenaBytes;
  *free_bytes = kArenaBytes - runtime().arenas[this_thread_device].high_water;
  return cudaSuccess;
}

// A copy must go the way its kind says and stay inside one allocation on each device side.
cudaError_t cudaMemcpy(void* dst, const void* src, size_t bytes, cudaMemcpyKind kind) {
  if (bytes == 0) return cudaSuccess;
  const int dst_device = arena_of(dst), src_device = arena_of(src);
  const bool dst_on_device = dst_device >= 0, src_on_device = src_device >= 0;
  bool direction_ok = false;
  switch (kind) {
    case cudaMemcpyHostToHost: direction_ok = !dst_on_device && !src_on_device; break;
    case cudaMemcpyHostToDevice: direction_ok = dst_on_device && !src_on_device; break;
    case cudaMemcpyDeviceToHost: direction_ok = !dst_on_device && src_on_device; break;
    case cudaMemcpyDeviceToDevice: direction_ok = dst_on_device && src_on_device; break;
    case cudaMemcpyDefault: direction_ok = true; break;
  }
  if (!direction_ok) {
    std::fprintf(stderr, "emulated CUDA: cudaMemcpy of kind %d from %s to %s memory\n", int(kind),
                 src_on_device ? "device" : "host", dst_on_device ? "device" : "host");
    return record_error(cudaErrorInvalidMemcpyDirection);
  }
  if ((dst_on_device && !inside_allocation(dst_device, dst, bytes)) ||
      (src_on_device && !inside_allocation(src_device, src, bytes))) {
    std::fprintf(stderr, "emulated CUDA: cudaMemcpy of %zu bytes runs past the end of an allocation\n", bytes);
    return record_error(cudaErrorInvalidValue);
  }
  DeviceAccess to(dst_device), from(src_device != dst_device ? src_device : -1);
  std::memcpy(dst, src, bytes);
  return cudaSuccess;
}

cudaError_t cudaMemcpyAsync(void* dst, const void* src, size_t bytes, cudaMemcpyKind kind, cudaStream_t) {
  return cudaMemcpy(dst, src, bytes, kind);
}

cudaError_t cudaMemset(void* pointer, int value, size_t bytes) {
  if (bytes == 0) return cudaSuccess;
  const int device = arena_of(pointer);
  if (device < 0 || !inside_allocation(device, pointer, bytes)) return record_error(cudaErrorInvalidValue);
  DeviceAccess access(device);
  std::memset(pointer, value, bytes);
  return cudaSuccess;
}

cudaError_t cudaMemsetAsync(void* pointer, int value, size_t bytes, cudaStream_t) {
  return cudaMemset(pointer, value, bytes);
}

// ---- streams and events: the work is already done when a call returns ----
struct CUstream_st {
  int device;
};
struct CUevent_st {
  std::chrono::steady_clock::time_point when;
};

cudaError_t cudaStreamCreate(cudaStream_t* stream) {
  *stream = new CUstream_st{this_thread_device};
  return cudaSuccess;
}
cudaError_t cudaStreamCreateWithFlags(cudaStream_t* stream, unsigned int) { return cudaStreamCreate(stream); }
cudaError_t cudaStreamDestroy(cudaStream_t stream) {
  delete stream;
  return cudaSuccess;
}
cudaError_t cudaStreamSynchronize(cudaStream_t) { return cudaSuccess; }

cudaError_t cudaEventCreate(cudaEvent_t* event) {
  *event = new CUevent_st{};
  return cudaSuccess;
}
cudaError_t cudaEventDestroy(cudaEvent_t event) {
  delete event;
  return cudaSuccess;
}
cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t) {
  event->when = std::chrono::steady_clock::now();
  return cudaSuccess;
}
cudaError_t cudaEventSynchronize(cudaEvent_t) { return cudaSuccess; }
cudaError_t cudaEventElapsedTime(float* ms, cudaEvent_t start, cudaEvent_t end) {
  *ms = std::chrono::duration<float, std::milli>(end->when - start->when).count();
  return cudaSuccess;
}
