#include "tensor/device.h"

#include "tensor/error.h"

namespace gs {

std::string Device::str() const { return is_cpu() ? "cpu" : "cuda:" + std::to_string(index); }

Device parse_device(const std::string& name) {
  if (name == "cpu") return Device::cpu();
  if (name == "cuda") return Device::cuda(0);
  if (name.rfind("cuda:", 0) == 0 && name.size() > 5 && name.find_first_not_of("0123456789", 5) == std::string::npos)
    return Device::cuda(std::stoi(name.substr(5)));
  fail("unknown device '", name, "' (expected cpu, cuda or cuda:N)");
}

}  // namespace gs
