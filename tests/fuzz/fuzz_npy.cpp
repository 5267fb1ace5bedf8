// NumPy's .npy format.
#include "tensor/npy.h"
#include "tests/fuzz/fuzz_harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return gs::fuzz::read_or_refuse(data, size, [](const std::string& bytes) {
    gs::parse_npy(bytes, gs::fuzz::kSource).to_vector<double>();
  });
}
