// The emulated execution model: a launch runs its blocks one after another;
// the threads of a block are fibers on the calling OS thread. A
// thread runs until it finishes or waits at a barrier (__syncthreads, or a
// warp's exchange), then the scheduler runs the next. When every live thread
// of the block waits at __syncthreads the barrier opens, and the next phase
// runs the threads in the opposite order, so code that reads shared memory
// another thread writes without a barrier between sees a different schedule
// each phase (and the NaN fill of shared memory where nothing was written).
#include <sys/mman.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/cuda_emulation/emulation.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#define GS_FIBERS_TELL_ASAN 1
#endif

// Switching fibers: save the callee-saved registers and the floating-point
// control words on the current stack, store its stack pointer in *save, load
// `load` and restore what is saved there. ucontext's swapcontext would do, but
// it makes two system calls per switch (for the signal mask), which made the
// emulated training tests spend most of their time in the kernel.
#if !defined(__x86_64__)
#error "the CUDA emulation switches fibers with x86-64 code (tests/cuda_emulation/scheduler.cpp)"
#endif
extern "C" void gs_emulation_switch(void** save, void* load);
asm(R"(
  .text
  .globl gs_emulation_switch
  .type gs_emulation_switch, @function
gs_emulation_switch:
  pushq %rbp
  pushq %rbx
  pushq %r12
  pushq %r13
  pushq %r14
  pushq %r15
  subq $8, %rsp
  stmxcsr (%rsp)
  fnstcw 4(%rsp)
  movq %rsp, (%rdi)
  movq %rsi, %rsp
  ldmxcsr (%rsp)
  fldcw 4(%rsp)
  addq $8, %rsp
  popq %r15
  popq %r14
  popq %r13
  popq %r12
  popq %rbx
  popq %rbp
  ret
  .size gs_emulation_switch, .-gs_emulation_switch
)");

namespace gs::emulation {

ThreadCoordinates current;

namespace {

constexpr size_t kFiberStack = 256 * 1024;
constexpr unsigned int kMaxThreadsPerBlock = 1024;
constexpr size_t kMaxSharedBytes = 48 * 1024;

enum class State { Runnable, AtBlockBarrier, AtWarpBarrier, Done };

struct Fiber {
  void* stack_pointer = nullptr;  // where its registers are saved while it is switched out
  void* stack = nullptr;
  State state = State::Done;
  unsigned int wanted_mask = 0;  // the lanes a warp barrier waits for
};

// A launch gone wrong inside a thread; reported by the launch as an error.
struct KernelFault : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Scheduler {
  std::vector<Fiber> fibers;  // one per thread of the block, stacks reused between blocks
  void* scheduler_stack_pointer = nullptr;
  const std::function<void()>* body = nullptr;
  int running = -1;  // index of the fiber now running
  std::string fault;
  std::vector<unsigned char> shared;
  std::vector<uint64_t> warp_slots;       // [warp][lane] values deposited for an exchange
  std::vector<int> warp_exchanges_done;   // per warp: phase counter of its barriers
  long long block_counter = 0;
  void* scheduler_fake_stack = nullptr;     // ASan's bookkeeping of the scheduler's stack
  const void* scheduler_stack_bottom = nullptr;
  size_t scheduler_stack_size = 0;

  void ensure_fibers(unsigned int count) {
    while (fibers.size() < count) {
      Fiber fiber;
      fiber.stack = mmap(nullptr, kFiberStack, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (fiber.stack == MAP_FAILED) throw KernelFault("cannot map a fiber stack");
      fibers.push_back(fiber);
    }
  }
};

Scheduler& scheduler() {
  static Scheduler instance;
  return instance;
}

std::mutex launch_mutex;  // one launch at a time (fibers share `current`)

uint3 thread_coordinates(unsigned int linear) {
  const dim3& d = current.block_dim;
  return {linear % d.x, (linear / d.x) % d.y, linear / (d.x * d.y)};
}

void switch_to_scheduler(Scheduler& s, Fiber& fiber) {
#if GS_FIBERS_TELL_ASAN
  void* fake_stack = nullptr;
  __sanitizer_start_switch_fiber(&fake_stack, s.scheduler_stack_bottom, s.scheduler_stack_size);
  gs_emulation_switch(&fiber.stack_pointer, s.scheduler_stack_pointer);
  __sanitizer_finish_switch_fiber(fake_stack, nullptr, nullptr);
#else
  gs_emulation_switch(&fiber.stack_pointer, s.scheduler_stack_pointer);
#endif
}

void fiber_main() {
  Scheduler& s = scheduler();
#if GS_FIBERS_TELL_ASAN
  __sanitizer_finish_switch_fiber(nullptr, &s.scheduler_stack_bottom, &s.scheduler_stack_size);
#endif
  Fiber& fiber = s.fibers[s.running];
  try {
    (*s.body)();
  } catch (const std::exception& e) {
    if (s.fault.empty()) s.fault = e.what();
  }
  fiber.state = State::Done;
#if GS_FIBERS_TELL_ASAN
  __sanitizer_start_switch_fiber(nullptr, s.scheduler_stack_bottom, s.scheduler_stack_size);  // this fiber ends
#endif
  void* finished = nullptr;
  gs_emulation_switch(&finished, s.scheduler_stack_pointer);  // never switched back to
}

// A fiber that returned from fiber_main would have nowhere to go.
[[noreturn]] void fiber_returned() {
  std::fprintf(stderr, "emulated CUDA: a fiber ran off its entry function\n");
  std::abort();
}

// A fresh stack whose first switch "returns" into fiber_main with the
// alignment a call gives (rsp = 8 mod 16 on entry), zero registers and the
// default floating-point control words (MXCSR 0x1F80, x87 0x037F).
void* initial_stack_pointer(void* stack) {
#if GS_FIBERS_TELL_ASAN
  // A reused stack still carries the poisoned redzones of the frames the last
  // thread left there (a fiber never returns through them).
  __asan_unpoison_memory_region(stack, kFiberStack);
#endif
  auto* top = reinterpret_cast<uint64_t*>((reinterpret_cast<uintptr_t>(stack) + kFiberStack) & ~uintptr_t(15));
  *--top = reinterpret_cast<uint64_t>(&fiber_returned);  // fiber_main's return address
  *--top = reinterpret_cast<uint64_t>(&fiber_main);      // where the first switch's ret goes
  for (int r = 0; r < 6; ++r) *--top = 0;                // rbp, rbx, r12-r15
  *--top = uint64_t(0x037F) << 32 | 0x1F80;              // MXCSR, then the x87 control word
  return top;
}

void run_fiber(Scheduler& s, unsigned int index) {
  Fiber& fiber = s.fibers[index];
  s.running = static_cast<int>(index);
  current.thread = thread_coordinates(index);
#if GS_FIBERS_TELL_ASAN
  __sanitizer_start_switch_fiber(&s.scheduler_fake_stack, fiber.stack, kFiberStack);
  gs_emulation_switch(&s.scheduler_stack_pointer, fiber.stack_pointer);
  __sanitizer_finish_switch_fiber(s.scheduler_fake_stack, nullptr, nullptr);
#else
  gs_emulation_switch(&s.scheduler_stack_pointer, fiber.stack_pointer);
#endif
  s.running = -1;
}

// The lanes of `warp` that exist in this block.
unsigned int lanes_present(unsigned int warp, unsigned int threads) {
  const unsigned int first = warp * warpSize;
  const unsigned int count = std::min<unsigned int>(warpSize, threads - first);
  return count == 32 ? 0xffffffffu : ((1u << count) - 1);
}

// Runs one block to completion; a fault is thrown as KernelFault.
void run_block(Scheduler& s, unsigned int threads) {
  std::fill(s.shared.begin(), s.shared.end(), 0xFF);  // NaN in every float and double
  current.shared_memory = s.shared.empty() ? nullptr : s.shared.data();
  for (unsigned int t = 0; t < threads; ++t) {
    Fiber& fiber = s.fibers[t];
    fiber.stack_pointer = initial_stack_pointer(fiber.stack);
    fiber.state = State::Runnable;
  }
  bool reversed = (s.block_counter++ % 2) == 1;
  for (;;) {
    for (unsigned int step = 0; step < threads; ++step) {
      const unsigned int t = reversed ? threads - 1 - step : step;
      if (s.fibers[t].state == State::Runnable) run_fiber(s, t);
      if (!s.fault.empty()) throw KernelFault(s.fault);
    }
    unsigned int done = 0, at_block_barrier = 0;
    for (unsigned int t = 0; t < threads; ++t) {
      done += s.fibers[t].state == State::Done;
      at_block_barrier += s.fibers[t].state == State::AtBlockBarrier;
    }
    if (done == threads) return;
    bool released = false;
    if (at_block_barrier > 0 && at_block_barrier + done == threads) {
      if (done > 0)
        throw KernelFault("__syncthreads was reached by " + std::to_string(at_block_barrier) + " of the block's " +
                          std::to_string(threads) + " threads; the others had returned (a divergent barrier)");
      for (unsigned int t = 0; t < threads; ++t) s.fibers[t].state = State::Runnable;
      released = true;
    }
    // A warp barrier opens when every lane it names waits at it.
    for (unsigned int warp = 0; warp * warpSize < threads; ++warp) {
      unsigned int waiting = 0, wanted = 0;
      for (unsigned int lane = 0; lane < warpSize && warp * warpSize + lane < threads; ++lane) {
        const Fiber& fiber = s.fibers[warp * warpSize + lane];
        if (fiber.state == State::AtWarpBarrier) {
          waiting |= 1u << lane;
          wanted |= fiber.wanted_mask;
        }
      }
      if (waiting == 0) continue;
      if ((wanted & ~lanes_present(warp, threads)) != 0)
        throw KernelFault("a warp operation names lanes that do not exist in this block (mask covers lanes past blockDim)");
      if ((waiting & wanted) == wanted) {
        for (unsigned int lane = 0; lane < warpSize; ++lane)
          if (waiting & (1u << lane)) s.fibers[warp * warpSize + lane].state = State::Runnable;
        released = true;
      } else {
        for (unsigned int lane = 0; lane < warpSize && warp * warpSize + lane < threads; ++lane)
          if ((wanted & (1u << lane)) && s.fibers[warp * warpSize + lane].state == State::Done)
            throw KernelFault("a warp operation waits for a lane that has returned");
      }
    }
    if (!released) throw KernelFault("deadlock: the block's threads wait at different barriers");
    reversed = !reversed;
  }
}

}  // namespace

void sync_threads() {
  Scheduler& s = scheduler();
  Fiber& fiber = s.fibers[s.running];
  fiber.state = State::AtBlockBarrier;
  switch_to_scheduler(s, fiber);
}

int lane_id() {
  const uint3 t = current.thread;
  const unsigned int linear = t.x + current.block_dim.x * (t.y + current.block_dim.y * t.z);
  return static_cast<int>(linear % warpSize);
}

void sync_warp(unsigned int mask) {
  Scheduler& s = scheduler();
  Fiber& fiber = s.fibers[s.running];
  if (!(mask & (1u << lane_id()))) throw KernelFault("a lane calls a warp operation whose mask leaves it out");
  fiber.state = State::AtWarpBarrier;
  fiber.wanted_mask = mask;
  switch_to_scheduler(s, fiber);
}

uint64_t warp_exchange(unsigned int mask, uint64_t value, int source_lane) {
  Scheduler& s = scheduler();
  const unsigned int warp = static_cast<unsigned int>(s.running) / warpSize;
  uint64_t* slots = s.warp_slots.data() + warp * warpSize;
  slots[lane_id()] = value;
  sync_warp(mask);  // every lane has deposited its value
  if (!(mask & (1u << source_lane)))
    throw KernelFault("a shuffle reads lane " + std::to_string(source_lane) + ", which its mask leaves out");
  const uint64_t result = slots[source_lane];
  sync_warp(mask);  // every lane has read before the slots are written again
  return result;
}

cudaError_t launch(dim3 grid, dim3 block, size_t shared_bytes, cudaStream_t stream,
                   const std::function<void()>& thread_body) {
  (void)stream;
  std::lock_guard<std::mutex> lock(launch_mutex);
  const unsigned long long threads = 1ull * block.x * block.y * block.z;
  if (grid.x == 0 || grid.y == 0 || grid.z == 0 || threads == 0 || threads > kMaxThreadsPerBlock ||
      shared_bytes > kMaxSharedBytes)
    return record_error(cudaErrorInvalidConfiguration);
  Scheduler& s = scheduler();
  s.ensure_fibers(static_cast<unsigned int>(threads));
  s.shared.assign(shared_bytes, 0xFF);
  s.warp_slots.assign((threads + warpSize - 1) / warpSize * warpSize, 0);
  s.body = &thread_body;
  s.fault.clear();
  current.block_dim = block;
  current.grid_dim = grid;
  DeviceAccess access(current_device());  // the device's memory is readable while its kernel runs
  count_launch(current_device());
  try {
    for (unsigned int z = 0; z < grid.z; ++z)
      for (unsigned int y = 0; y < grid.y; ++y)
        for (unsigned int x = 0; x < grid.x; ++x) {
          current.block = {x, y, z};
          run_block(s, static_cast<unsigned int>(threads));
        }
  } catch (const KernelFault& fault) {
    std::fprintf(stderr, "emulated CUDA kernel failed: %s\n", fault.what());
    return record_error(cudaErrorLaunchFailure);
  }
  return cudaSuccess;
}

}  // namespace gs::emulation
