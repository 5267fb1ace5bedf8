// A reference-counted block of device memory. Many tensors (views) can share
// one Storage; it is freed through its device's backend when the last goes.
#pragma once
#include <cstddef>
#include <memory>

#include "tensor/device.h"

namespace gs {

class Storage {
 public:
  Storage(size_t bytes, Device device);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  void* data() const { return data_; }
  size_t bytes() const { return bytes_; }
  Device device() const { return device_; }

  // How many in-place writes the memory has seen (as PyTorch's _version):
  // Tensor's in-place methods, the optimizer steps and the collectives count
  // theirs; code that writes through data() calls bump_version() itself. A
  // value computed from a tensor stays valid while its version is unchanged
  // (nn/weight_norm.cpp keeps W = g v / ||v|| that way).
  uint64_t version() const { return version_; }
  void bump_version() { ++version_; }

 private:
  uint64_t version_ = 0;
  void* data_ = nullptr;
  size_t bytes_ = 0;
  Device device_;
};

}  // namespace gs
