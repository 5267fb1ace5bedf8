// CPU memory (tensor/cpu/memory.cpp): aligned blocks, large ones recycled.
#include <cstdint>

#include "tests/helpers.h"

using namespace gs;

TEST_CASE("CPU blocks are 64-byte aligned and hold what is written to them") {
  Backend& cpu = backend(Device::cpu());
  for (size_t bytes : {size_t(0), size_t(1), size_t(100), size_t(1) << 20}) {
    CAPTURE(bytes);
    auto* block = static_cast<unsigned char*>(cpu.allocate(bytes));
    CHECK(reinterpret_cast<std::uintptr_t>(block) % 64 == 0);
    for (size_t i = 0; i < bytes; ++i) block[i] = static_cast<unsigned char>(i);
    bool intact = true;
    for (size_t i = 0; i < bytes; ++i) intact = intact && block[i] == static_cast<unsigned char>(i);
    CHECK(intact);
    cpu.deallocate(block);
  }
}

#ifndef __SANITIZE_ADDRESS__
TEST_CASE("a freed large CPU block is handed out again for the next request of its size") {
  Backend& cpu = backend(Device::cpu());
  const size_t bytes = 3 << 20;
  void* first = cpu.allocate(bytes);
  cpu.deallocate(first);
  void* second = cpu.allocate(bytes);
  CHECK(second == first);
  void* other_size = cpu.allocate(bytes + 4096);
  CHECK(other_size != first);
  cpu.deallocate(second);
  cpu.deallocate(other_size);
}
#endif
