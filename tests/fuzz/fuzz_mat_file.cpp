// MAT-file v5 (SVHN's format), plain and zlib-compressed elements, then an SVHN dataset from it.
#include "data/mat_file.h"
#include "data/svhn.h"
#include "tests/fuzz/fuzz_harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return gs::fuzz::read_or_refuse(data, size, [](const std::string& bytes) {
    const gs::data::MatFile file = gs::data::parse_mat_file(bytes, gs::fuzz::kSource);
    for (const gs::data::MatVariable& variable : file.variables) variable.values(gs::fuzz::kSource);
    gs::data::parse_svhn_file(bytes, gs::fuzz::kSource);
  });
}
