// The process group on MPI's C API. Every call is checked: MPI_COMM_WORLD
// returns errors instead of aborting, and a failed call is a gs::Error
// naming it and MPI's message.
#include "tensor/distributed.h"

#define OMPI_SKIP_MPICXX 1  // the C API only
#include <mpi.h>

#include <chrono>
#include <climits>
#include <cstdlib>
#include <map>

#include "tensor/error.h"

namespace gs {
namespace {

// Launched by mpirun (OpenMPI), srun or another PMI launcher?
bool launched_as_a_job() {
  for (const char* variable : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"})
    if (std::getenv(variable)) return true;
  return false;
}

void check_mpi(int code, const char* call) {
  if (code == MPI_SUCCESS) return;
  char message[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, message, &length);
  fail(call, " failed: ", std::string(message, length));
}

MPI_Datatype mpi_type(DType dtype) {
  switch (dtype) {
    case DType::Float32: return MPI_FLOAT;
    case DType::Float64: return MPI_DOUBLE;
    case DType::Int64: return MPI_INT64_T;
    case DType::UInt8: return MPI_UINT8_T;
  }
  return MPI_BYTE;
}

void finalize_at_exit() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
}

// The host tensor a collective works on: `t` itself on the CPU, a copy
// otherwise (written back by the caller).
Tensor host_side(const Tensor& t, const char* op) {
  check(t.is_contiguous(), op, ": needs a contiguous tensor, got strides of shape ", shape_str(t.shape()));
  return t.device().is_cpu() ? t : t.detach().to(Device::cpu());
}

// Calls `collective(pointer, count)` on pieces of at most INT_MAX elements (MPI counts are ints).
template <typename Collective>
void in_pieces(const Tensor& host, Collective collective) {
  char* base = static_cast<char*>(host.storage()->data()) + host.offset() * dtype_size(host.dtype());
  const int64_t total = host.numel(), piece = INT_MAX;
  for (int64_t start = 0; start < total; start += piece)
    collective(base + start * dtype_size(host.dtype()), static_cast<int>(std::min(piece, total - start)));
}

std::map<DeviceType, DeviceCollectives>& device_collectives() {
  static std::map<DeviceType, DeviceCollectives> registered;
  return registered;
}

const DeviceCollectives* collectives_for(const Tensor& t) {
  const auto found = device_collectives().find(t.device().type);
  return found == device_collectives().end() ? nullptr : &found->second;
}

}  // namespace

void register_device_collectives(DeviceType type, DeviceCollectives collectives) {
  device_collectives()[type] = collectives;
}

std::string collectives_name(DeviceType type) {
  const auto found = device_collectives().find(type);
  return found == device_collectives().end() ? "MPI" : found->second.name;
}

ProcessGroup::ProcessGroup() {
  if (!launched_as_a_job()) return;
  int provided = 0;
  check_mpi(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
  std::atexit(finalize_at_exit);
  check_mpi(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler");
  check_mpi(MPI_Comm_rank(MPI_COMM_WORLD, &rank_), "MPI_Comm_rank");
  check_mpi(MPI_Comm_size(MPI_COMM_WORLD, &size_), "MPI_Comm_size");
}

ProcessGroup& process_group() {
  static ProcessGroup group;
  return group;
}

void ProcessGroup::all_reduce(Tensor& t, ReduceKind kind) {
  if (size_ == 1 || t.numel() == 0) return;
  check(kind == ReduceKind::Sum || is_floating(t.dtype()), "all_reduce: a mean needs a floating tensor, got ",
        dtype_name(t.dtype()));
  const auto start = std::chrono::steady_clock::now();
  if (const DeviceCollectives* device = collectives_for(t)) {
    check(t.is_contiguous(), "all_reduce: needs a contiguous tensor");
    device->all_reduce_sum(t, *this);
    if (kind == ReduceKind::Mean) t.mul_(1.0 / size_);
  } else {
    Tensor host = host_side(t, "all_reduce");
    in_pieces(host, [&](void* data, int count) {
      check_mpi(MPI_Allreduce(MPI_IN_PLACE, data, count, mpi_type(host.dtype()), MPI_SUM, MPI_COMM_WORLD),
                "MPI_Allreduce");
    });
    if (kind == ReduceKind::Mean) host.mul_(1.0 / size_);
    if (!t.device().is_cpu()) t.copy_(host.to(t.device()));
  }
  t.storage()->bump_version();
  ++statistics_.all_reduces;
  statistics_.bytes += t.numel() * static_cast<int64_t>(dtype_size(t.dtype()));
  statistics_.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double ProcessGroup::all_reduce(double value, ReduceKind kind) {
  if (size_ == 1) return value;
  double total = 0;
  check_mpi(MPI_Allreduce(&value, &total, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD), "MPI_Allreduce");
  return kind == ReduceKind::Mean ? total / size_ : total;
}

int64_t ProcessGroup::all_reduce_max(int64_t value) {
  if (size_ == 1) return value;
  int64_t largest = 0;
  check_mpi(MPI_Allreduce(&value, &largest, 1, MPI_INT64_T, MPI_MAX, MPI_COMM_WORLD), "MPI_Allreduce");
  return largest;
}

void ProcessGroup::broadcast(Tensor& t, int root) {
  if (size_ == 1 || t.numel() == 0) return;
  check(root >= 0 && root < size_, "broadcast: root ", root, " is not a rank of this group of ", size_);
  if (const DeviceCollectives* device = collectives_for(t)) {
    check(t.is_contiguous(), "broadcast: needs a contiguous tensor");
    device->broadcast(t, root, *this);
  } else {
    Tensor host = host_side(t, "broadcast");
    in_pieces(host, [&](void* data, int count) {
      check_mpi(MPI_Bcast(data, count, mpi_type(host.dtype()), root, MPI_COMM_WORLD), "MPI_Bcast");
    });
    if (!t.device().is_cpu()) t.copy_(host.to(t.device()));
  }
  t.storage()->bump_version();
}

void ProcessGroup::barrier() {
  if (size_ > 1) check_mpi(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier");
}

void ProcessGroup::abort(int code) {
  if (size_ > 1) MPI_Abort(MPI_COMM_WORLD, code);
  std::exit(code);
}

}  // namespace gs
