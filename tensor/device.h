// Where a tensor's storage lives. Every op dispatches on its inputs' device
// to that device's Backend (tensor/backend.h).
#pragma once
#include <string>

namespace gs {

enum class DeviceType { CPU, CUDA };

struct Device {
  DeviceType type = DeviceType::CPU;
  int index = 0;

  static Device cpu() { return {DeviceType::CPU, 0}; }
  static Device cuda(int index = 0) { return {DeviceType::CUDA, index}; }
  bool is_cpu() const { return type == DeviceType::CPU; }
  bool is_cuda() const { return type == DeviceType::CUDA; }
  bool operator==(const Device& other) const { return type == other.type && index == other.index; }
  bool operator!=(const Device& other) const { return !(*this == other); }
  std::string str() const;  // "cpu" or "cuda:0"
};

// Parses "cpu", "cuda", "cuda:1"; throws gs::Error otherwise.
Device parse_device(const std::string& name);

}  // namespace gs
