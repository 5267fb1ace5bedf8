#include "apps/common/device_flag.h"

#include <cstdio>

#include "tensor/backend.h"

namespace gs::apps {

Device device_from_flag(const std::string& name) {
  const Device device = parse_device(name);
  backend(device);  // the device's backend, or a gs::Error saying why there is none
  return device;
}

void report_device_memory(Device device) {
  const std::string summary = backend(device).memory_summary();
  if (!summary.empty()) std::printf("memory:     %s\n", summary.c_str());
}

}  // namespace gs::apps
