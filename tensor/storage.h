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

 private:
  void* data_ = nullptr;
  size_t bytes_ = 0;
  Device device_;
};

}  // namespace gs
