// Data parallelism for CUDA tensors: all-reduce and broadcast between the
// ranks' GPUs through NCCL, set up over MPI as llm.c does (rank 0 makes the
// communicator's unique id, MPI broadcasts it, every rank joins with it).
// Registered with tensor/distributed.h, so ProcessGroup::all_reduce of a
// CUDA tensor never goes through host memory. One communicator per GPU
// backend, made on first use and kept for the life of the process (like the
// backend itself).
#include <nccl.h>

#include <cstring>

#include "tensor/cuda/cuda_backend.h"

namespace gs::cuda {
namespace {

void check_nccl(ncclResult_t result, const char* call, const char* file, int line) {
  if (result == ncclSuccess) return;
  fail(call, " at ", file, ":", line, " failed: ", ncclGetErrorString(result));
}
#define GS_NCCL_CHECK(call) check_nccl((call), #call, __FILE__, __LINE__)

ncclDataType_t nccl_type(DType dtype) {
  switch (dtype) {
    case DType::Float32: return ncclFloat32;
    case DType::Float64: return ncclFloat64;
    case DType::Int64: return ncclInt64;
    case DType::UInt8: return ncclUint8;
  }
  fail("NCCL: no type for ", dtype_name(dtype));
}

CudaBackend& gpu_of(const Tensor& t) { return static_cast<CudaBackend&>(backend(t.device())); }

void* device_pointer(const Tensor& t) {
  return static_cast<char*>(t.storage()->data()) + t.offset() * dtype_size(t.dtype());
}

const bool registered = (register_device_collectives(
                             DeviceType::CUDA,
                             {[](const Tensor& t, ProcessGroup& group) { gpu_of(t).all_reduce_sum(t, group); },
                              [](const Tensor& t, int root, ProcessGroup& group) { gpu_of(t).broadcast(t, root, group); },
                              "NCCL"}),
                         true);

}  // namespace

ncclComm* CudaBackend::communicator(ProcessGroup& group) {
  (void)registered;
  if (nccl_) return nccl_;
  ncclUniqueId id;
  if (group.rank() == 0) GS_NCCL_CHECK(ncclGetUniqueId(&id));
  Tensor id_bytes = zeros({static_cast<int64_t>(sizeof id.internal)}, DType::UInt8);
  if (group.rank() == 0) std::memcpy(id_bytes.storage()->data(), id.internal, sizeof id.internal);
  group.broadcast(id_bytes, 0);
  std::memcpy(id.internal, id_bytes.storage()->data(), sizeof id.internal);
  const DeviceGuard guard(device_);
  GS_NCCL_CHECK(ncclCommInitRank(&nccl_, group.size(), id, group.rank()));
  return nccl_;
}

void CudaBackend::all_reduce_sum(const Tensor& t, ProcessGroup& group) {
  check_on_device("all_reduce", {&t});
  if (t.numel() == 0) return;
  ncclComm* comm = communicator(group);
  const DeviceGuard guard(device_);
  GS_NCCL_CHECK(ncclAllReduce(device_pointer(t), device_pointer(t), static_cast<size_t>(t.numel()),
                              nccl_type(t.dtype()), ncclSum, comm, stream_));
}

void CudaBackend::broadcast(const Tensor& t, int root, ProcessGroup& group) {
  check_on_device("broadcast", {&t});
  if (t.numel() == 0) return;
  ncclComm* comm = communicator(group);
  const DeviceGuard guard(device_);
  GS_NCCL_CHECK(ncclBroadcast(device_pointer(t), device_pointer(t), static_cast<size_t>(t.numel()),
                              nccl_type(t.dtype()), root, comm, stream_));
}

}  // namespace gs::cuda
