// The emulated CUDA device itself: that it catches what it is there to catch
// (a host read of device memory, a missing barrier, unwritten shared memory,
// a copy in the wrong direction or past an allocation, a cuBLAS leading
// dimension too small), that cuda:1 is another device than cuda:0, that a
// machine without a GPU is reported as such, and that failed calls become
// errors naming the call.
#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <csignal>

#include "autograd/ops.h"
#include "tensor/cuda/cuda_backend.h"
#include "tensor/cuda/launch.h"
#include "tests/cuda_emulation/emulation.h"
#include "tests/helpers.h"

using namespace gs;
using gs::testing::error_message;

namespace {

// A tree sum of blockDim.x values in shared memory, with or without the
// barrier between its levels.
__global__ void tree_sum_kernel(const float* in, float* out, bool with_barriers) {
  float* shared = cuda::dynamic_shared_memory<float>();
  const int t = static_cast<int>(threadIdx.x);
  shared[t] = in[t];
  __syncthreads();
  for (int half = static_cast<int>(blockDim.x) / 2; half > 0; half /= 2) {
    if (t < half) shared[t] += shared[t + half];
    if (with_barriers) __syncthreads();
  }
  if (t == 0) out[blockIdx.x] = shared[0];
}

// Reads a shared-memory slot that no thread wrote.
__global__ void read_unwritten_kernel(float* out) {
  float* shared = cuda::dynamic_shared_memory<float>();
  if (threadIdx.x == 0) shared[0] = 1;
  __syncthreads();
  out[threadIdx.x] = shared[threadIdx.x];
}

// Half the block returns before the barrier the other half waits at.
__global__ void divergent_barrier_kernel(float* out) {
  if (threadIdx.x % 2 == 0) return;
  __syncthreads();
  out[threadIdx.x] = 1;
}

// The sum of all 32 lanes through shuffles, written by lane 0.
__global__ void warp_sum_kernel(const int* in, int* out) {
  int value = in[threadIdx.x];
  for (int offset = 16; offset > 0; offset /= 2) value += __shfl_down_sync(0xffffffffu, value, offset);
  if (threadIdx.x == 0) out[0] = value;
}

float* device_floats(size_t count) {
  void* pointer = nullptr;
  REQUIRE(cudaMalloc(&pointer, count * sizeof(float)) == cudaSuccess);
  return static_cast<float*>(pointer);
}

std::vector<float> to_host(const float* device, size_t count) {
  std::vector<float> host(count);
  REQUIRE(cudaMemcpy(host.data(), device, count * sizeof(float), cudaMemcpyDeviceToHost) == cudaSuccess);
  return host;
}

}  // namespace

TEST_CASE("the emulation keeps device memory from the host: reading it is a segmentation fault") {
  const Tensor on_device = ones({16}, Device::cuda(0));
  const float* pointer = static_cast<const float*>(on_device.storage()->data());
  CHECK(emulation::device_of(pointer) == 0);
  std::fflush(nullptr);
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    std::signal(SIGSEGV, SIG_DFL);  // die of it, as a program would (not in the test runner's handler)
    volatile float value = pointer[0];  // host code touching device memory
    (void)value;
    _exit(0);
  }
  int status = 0;
  waitpid(child, &status, 0);
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGSEGV);
  CHECK(on_device.to_vector<float>() == std::vector<float>(16, 1.0f));  // through a copy it is fine
}

TEST_CASE("the emulation exposes a missing __syncthreads in a shared-memory tree") {
  std::vector<float> values(64);
  for (size_t i = 0; i < values.size(); ++i) values[i] = float(i + 1);
  float* in = device_floats(64);
  float* out = device_floats(2);
  REQUIRE(cudaMemcpy(in, values.data(), 64 * sizeof(float), cudaMemcpyHostToDevice) == cudaSuccess);
  const float total = 64.0f * 65.0f / 2.0f;
  cuda::launch("tree_sum_kernel", tree_sum_kernel, 2, 64, 64 * sizeof(float), nullptr, in, out, true);
  CHECK(to_host(out, 2) == std::vector<float>{total, total});
  // Without the barriers, the block whose threads run in order gets it wrong:
  // thread 0 walks all levels before thread 1 has added anything. (Run in
  // reverse, a tree happens to come out right: each thread reads only
  // higher-numbered ones, which have finished.)
  cuda::launch("tree_sum_kernel", tree_sum_kernel, 2, 64, 64 * sizeof(float), nullptr, in, out, false);
  const std::vector<float> unsynchronized = to_host(out, 2);
  CHECK((unsynchronized[0] != total || unsynchronized[1] != total));
  cudaFree(in);
  cudaFree(out);
}

TEST_CASE("the emulation fills shared memory with NaN and rejects divergent barriers") {
  float* out = device_floats(32);
  cuda::launch("read_unwritten_kernel", read_unwritten_kernel, 1, 32, 32 * sizeof(float), nullptr, out);
  const std::vector<float> read = to_host(out, 32);
  CHECK(read[0] == 1.0f);
  CHECK(std::isnan(read[1]));
  CHECK(error_message([&] {
          cuda::launch("divergent_barrier_kernel", divergent_barrier_kernel, 1, 32, 0, nullptr, out);
        }).find("unspecified launch failure") != std::string::npos);
  cudaGetLastError();
  cudaFree(out);
}

TEST_CASE("the emulation's warp shuffles exchange values among the 32 lanes") {
  std::vector<int> lanes(32);
  for (int i = 0; i < 32; ++i) lanes[i] = i * i;
  void *in = nullptr, *out = nullptr;
  REQUIRE(cudaMalloc(&in, sizeof(int) * 32) == cudaSuccess);
  REQUIRE(cudaMalloc(&out, sizeof(int)) == cudaSuccess);
  REQUIRE(cudaMemcpy(in, lanes.data(), sizeof(int) * 32, cudaMemcpyHostToDevice) == cudaSuccess);
  cuda::launch("warp_sum_kernel", warp_sum_kernel, 1, 32, 0, nullptr, static_cast<const int*>(in),
               static_cast<int*>(out));
  int sum = 0;
  REQUIRE(cudaMemcpy(&sum, out, sizeof(int), cudaMemcpyDeviceToHost) == cudaSuccess);
  CHECK(sum == 31 * 32 * 63 / 6);
  cudaFree(in);
  cudaFree(out);
}

TEST_CASE("emulated copies check their direction and their bounds; launches check their configuration") {
  float* device = device_floats(8);
  std::vector<float> host(8, 2.0f);
  CHECK(cudaMemcpy(device, host.data(), 8 * sizeof(float), cudaMemcpyDeviceToHost) == cudaErrorInvalidMemcpyDirection);
  CHECK(cudaMemcpy(device, host.data(), 8 * sizeof(float), cudaMemcpyHostToDevice) == cudaSuccess);
  std::vector<float> more(100, 1.0f);
  CHECK(cudaMemcpy(device, more.data(), 100 * sizeof(float), cudaMemcpyHostToDevice) == cudaErrorInvalidValue);
  CHECK(error_message([&] { cuda::launch("read_unwritten_kernel", read_unwritten_kernel, 1, 2048, 0, nullptr, device); })
            .find("invalid configuration argument") != std::string::npos);
  cudaGetLastError();
  cudaFree(device);
}

TEST_CASE("the emulated cuBLAS is column-major and checks leading dimensions") {
  // A = [[1, 2], [3, 4]] stored column-major is {1, 3, 2, 4}; A * A = [[7, 10], [15, 22]].
  const std::vector<float> a = {1, 3, 2, 4};
  float* pa = device_floats(4);
  float* pc = device_floats(4);
  REQUIRE(cudaMemcpy(pa, a.data(), sizeof(float) * 4, cudaMemcpyHostToDevice) == cudaSuccess);
  cublasHandle_t handle;
  REQUIRE(cublasCreate(&handle) == CUBLAS_STATUS_SUCCESS);
  const float one = 1, zero = 0;
  CHECK(cublasSgemm(handle, CUBLAS_OP_N, CUBLAS_OP_N, 2, 2, 2, &one, pa, 2, pa, 2, &zero, pc, 2) == CUBLAS_STATUS_SUCCESS);
  CHECK(to_host(pc, 4) == std::vector<float>{7, 15, 10, 22});
  CHECK(cublasSgemm(handle, CUBLAS_OP_N, CUBLAS_OP_N, 2, 2, 2, &one, pa, 1, pa, 2, &zero, pc, 2) ==
        CUBLAS_STATUS_INVALID_VALUE);  // lda < m
  CHECK(cublasSgemm(handle, CUBLAS_OP_N, CUBLAS_OP_N, 2, 2, 3, &one, pa, 2, pa, 3, &zero, pc, 2) ==
        CUBLAS_STATUS_EXECUTION_FAILED);  // k = 3 reads past the 4 values of A
  cublasDestroy(handle);
  cudaFree(pa);
  cudaFree(pc);
}

TEST_CASE("cuda:1 is a second device: its tensors live and its kernels run there") {
  const long long launches_0 = emulation::launches_on(0), launches_1 = emulation::launches_on(1);
  const Tensor x = arange(0, 10, 1, {kFloat32, Device::cuda(1)});
  const Tensor y = exp(x) + x;
  CHECK(y.device() == Device::cuda(1));
  CHECK(emulation::device_of(y.storage()->data()) == 1);
  CHECK(emulation::launches_on(1) > launches_1);
  CHECK(emulation::launches_on(0) == launches_0);
  CHECK(y.to(Device::cuda(0)).device() == Device::cuda(0));
  CHECK(emulation::device_of(y.to(Device::cuda(0)).storage()->data()) == 0);
  CHECK(error_message([&] { y + ones({10}, Device::cuda(0)); }).find("cuda:1 and cuda:0") != std::string::npos);
}

TEST_CASE("a machine without a GPU is 'no GPU', with the driver's error, never a crash") {
  emulation::simulate_no_device(cudaErrorInsufficientDriver);
  std::string why_none;
  const int count = device_count(DeviceType::CUDA, &why_none);
  emulation::simulate_no_device(cudaSuccess);
  CHECK(count == 0);
  CHECK(why_none.find("error 35") != std::string::npos);
  CHECK(why_none.find("driver version is insufficient") != std::string::npos);
  CHECK(device_count(DeviceType::CUDA) == 2);
  CHECK(cudaGetLastError() == cudaSuccess);  // the failed query left no error behind
}

TEST_CASE("a failed CUDA call is a gs::Error naming the call, where it was made and CUDA's words") {
  const std::string message = error_message([] { GS_CUDA_CHECK(cudaSetDevice(99)); });
  CHECK(message.find("cudaSetDevice(99)") != std::string::npos);
  CHECK(message.find("test_emulation.cpp:") != std::string::npos);
  CHECK(message.find("invalid device ordinal (cudaErrorInvalidDevice, error 101)") != std::string::npos);
  cudaGetLastError();
}
