// The doctest runner for the whole suite; test cases live in tests/test_*.cpp
// and tests/parity/*.cpp. Test cases named "[cuda] ..." need a CUDA device:
// the emulated one of the test build, or a real GPU in the GPU test binary;
// where there is none they are reported as skipped, with the reason.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>
#include <string>

#include "tensor/backend.h"

int main(int argc, char** argv) {
  doctest::Context context;
  std::string why_none;
  if (gs::device_count(gs::DeviceType::CUDA, &why_none) == 0) {
    context.addFilter("test-case-exclude", "[cuda]*");
    std::printf("[gradschool] skipping the [cuda] test cases: %s\n", why_none.c_str());
  }
  context.applyCommandLine(argc, argv);
  return context.run();
}
