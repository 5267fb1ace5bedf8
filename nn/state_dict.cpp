#include "nn/state_dict.h"

namespace gs {

StateDict with_prefix(const StateDict& dict, const std::string& prefix) {
  StateDict out;
  for (const auto& [name, tensor] : dict) out[prefix + name] = tensor;
  return out;
}

void add_with_prefix(StateDict& into, const StateDict& part, const std::string& prefix) {
  for (const auto& [name, tensor] : part) into[prefix + name] = tensor;
}

StateDict select_prefix(const StateDict& dict, const std::string& prefix) {
  StateDict out;
  for (const auto& [name, tensor] : dict)
    if (name.compare(0, prefix.size(), prefix) == 0) out[name.substr(prefix.size())] = tensor;
  return out;
}

}  // namespace gs
