// What every fuzz harness checks (libFuzzer, `make fuzz`): a reader given
// any bytes either succeeds or throws a gs::Error whose message names the
// source it was reading. Anything else is a finding libFuzzer reports and
// keeps: another exception (it ends in std::terminate), a crash, an
// AddressSanitizer or UBSan report, a hang, or an allocation beyond
// -malloc_limit_mb (a header that claims more elements than the file holds
// must be refused before anything that large is allocated).
#pragma once
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "tensor/error.h"
#include "tensor/parallel.h"

namespace gs::fuzz {

constexpr const char* kSource = "fuzzed-input";

template <typename Read>
int read_or_refuse(const uint8_t* data, size_t size, Read read) {
  static const bool single_threaded = (set_num_threads(1), true);
  (void)single_threaded;
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  try {
    read(bytes);
  } catch (const Error& error) {
    if (std::string(error.what()).find(kSource) == std::string::npos) {
      std::fprintf(stderr, "a refusal that does not name the file: %s\n", error.what());
      std::abort();
    }
  }
  return 0;
}

}  // namespace gs::fuzz
