// The safetensors checkpoint loader: header JSON, dtypes, shapes, offsets.
#include "nn/checkpoint.h"
#include "tests/fuzz/fuzz_harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return gs::fuzz::read_or_refuse(data, size, [](const std::string& bytes) {
    gs::Metadata metadata;
    for (const auto& [name, tensor] : gs::from_safetensors(bytes, gs::fuzz::kSource, &metadata))
      tensor.to_vector<double>();  // every element readable
  });
}
