// The emulated NCCL: a communicator remembers its device, rank and size; a
// collective checks its arguments, opens the device's memory (emulation.h:
// DeviceAccess) and runs the MPI collective on it. The unique id is a fixed
// pattern that every rank must receive from rank 0 (a rank that made its own
// id, or got a garbled one, is refused as NCCL would hang).
#define OMPI_SKIP_MPICXX 1
#include <mpi.h>
#include <nccl.h>

#include <climits>
#include <cstring>

#include "tests/cuda_emulation/emulation.h"

struct ncclComm {
  int device, rank, size;
};

namespace {

const char kIdPattern[] = "emulated nccl unique id";
long long collectives = 0;

size_t type_size(ncclDataType_t type) {
  switch (type) {
    case ncclInt8: case ncclUint8: return 1;
    case ncclFloat16: return 2;
    case ncclInt32: case ncclUint32: case ncclFloat32: return 4;
    default: return 8;
  }
}

MPI_Datatype mpi_type(ncclDataType_t type) {
  switch (type) {
    case ncclUint8: return MPI_UINT8_T;
    case ncclInt64: return MPI_INT64_T;
    case ncclFloat32: return MPI_FLOAT;
    case ncclFloat64: return MPI_DOUBLE;
    default: return MPI_DATATYPE_NULL;
  }
}

// The checks NCCL's documentation implies: a live communicator, a supported
// type, in-place buffers inside one allocation of the communicator's device.
ncclResult_t check(const void* send, void* receive, size_t count, ncclDataType_t type, ncclComm_t comm) {
  if (!comm || mpi_type(type) == MPI_DATATYPE_NULL || count > static_cast<size_t>(INT_MAX)) return ncclInvalidArgument;
  if (send != receive) return ncclInvalidUsage;  // gradschool reduces in place
  if (!gs::emulation::inside_allocation(comm->device, receive, count * type_size(type))) return ncclInvalidArgument;
  return ncclSuccess;
}

}  // namespace

const char* ncclGetErrorString(ncclResult_t result) {
  switch (result) {
    case ncclSuccess: return "no error";
    case ncclInvalidArgument: return "invalid argument (run with NCCL_DEBUG=WARN for details)";
    case ncclInvalidUsage: return "invalid usage (run with NCCL_DEBUG=WARN for details)";
    case ncclSystemError: return "unhandled system error";
    default: return "internal error";
  }
}

ncclResult_t ncclGetUniqueId(ncclUniqueId* unique_id) {
  std::memset(unique_id->internal, 0, sizeof unique_id->internal);
  std::memcpy(unique_id->internal, kIdPattern, sizeof kIdPattern);
  return ncclSuccess;
}

ncclResult_t ncclCommInitRank(ncclComm_t* comm, int nranks, ncclUniqueId comm_id, int rank) {
  int size = 0;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (std::memcmp(comm_id.internal, kIdPattern, sizeof kIdPattern) != 0 || nranks != size || rank < 0 || rank >= size)
    return ncclInvalidArgument;
  *comm = new ncclComm{gs::emulation::current_device(), rank, nranks};
  return ncclSuccess;
}

ncclResult_t ncclCommDestroy(ncclComm_t comm) {
  delete comm;
  return ncclSuccess;
}

ncclResult_t ncclAllReduce(const void* sendbuff, void* recvbuff, size_t count, ncclDataType_t datatype, ncclRedOp_t op,
                           ncclComm_t comm, cudaStream_t) {
  if (const ncclResult_t bad = check(sendbuff, recvbuff, count, datatype, comm)) return bad;
  if (op != ncclSum) return ncclInvalidArgument;
  gs::emulation::DeviceAccess access(comm->device);
  ++collectives;
  return MPI_Allreduce(MPI_IN_PLACE, recvbuff, static_cast<int>(count), mpi_type(datatype), MPI_SUM, MPI_COMM_WORLD) ==
                 MPI_SUCCESS
             ? ncclSuccess
             : ncclSystemError;
}

ncclResult_t ncclBroadcast(const void* sendbuff, void* recvbuff, size_t count, ncclDataType_t datatype, int root,
                           ncclComm_t comm, cudaStream_t) {
  if (const ncclResult_t bad = check(sendbuff, recvbuff, count, datatype, comm)) return bad;
  if (root < 0 || root >= comm->size) return ncclInvalidArgument;
  gs::emulation::DeviceAccess access(comm->device);
  ++collectives;
  return MPI_Bcast(recvbuff, static_cast<int>(count), mpi_type(datatype), root, MPI_COMM_WORLD) == MPI_SUCCESS
             ? ncclSuccess
             : ncclSystemError;
}

namespace gs::emulation {
long long nccl_collectives() { return collectives; }
}  // namespace gs::emulation
