#include "tensor/storage.h"

#include "tensor/backend.h"

namespace gs {

Storage::Storage(size_t bytes, Device device) : bytes_(bytes), device_(device) {
  data_ = backend(device).allocate(bytes);
}

Storage::~Storage() { backend(device_).deallocate(data_); }

}  // namespace gs
