// A CIFAR-10 binary batch.
#include "data/cifar10.h"
#include "tests/fuzz/fuzz_harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return gs::fuzz::read_or_refuse(data, size, [](const std::string& bytes) {
    gs::data::parse_cifar10_batch(bytes, gs::fuzz::kSource);
  });
}
