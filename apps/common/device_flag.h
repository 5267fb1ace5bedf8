// --device for every app: "cpu", "cuda" or "cuda:N". A device that is not
// there is refused at once, before any data is read, with the reason (no GPU,
// no CUDA in this build, no GPU N).
#pragma once
#include <string>

#include "tensor/device.h"

namespace gs::apps {

constexpr const char* kDeviceHelp = "cpu, cuda or cuda:N (GPU N; needs a build with the CUDA toolkit)";

Device device_from_flag(const std::string& name);

// After a run on a GPU: one line on what its memory allocator holds.
void report_device_memory(Device device);

}  // namespace gs::apps
