// Chapter 10: the GPU. Host and device memory, how a kernel's threads find
// their elements, one op as a CPU loop and as a CUDA kernel sharing one
// formula, convolution (im2col + GEMM) on the device, and how the results are
// checked against the CPU. The chapter's README walks through this program
// and shows its output; without a GPU it says so and stops (`make test` runs
// it on the emulated device, tests/cuda_emulation/).
#include <cstdio>

#include "nn/functional.h"
#include "tensor/backend.h"
#include "tensor/kernels/unary.h"

using namespace gs;

double largest_difference(const Tensor& a, const Tensor& b) { return max(abs(a.cpu() - b.cpu())).item(); }

int main() {
  std::string why_none;
  if (device_count(DeviceType::CUDA, &why_none) == 0) {
    std::printf("this chapter needs a CUDA device, and there is none here (%s).\n", why_none.c_str());
    std::printf("`make test` runs it on the emulated device instead.\n");
    return 0;
  }
  const Device gpu = Device::cuda(0);

  // 1. Host and device memory: a copy each way, and no direct reads.
  const Tensor x = arange(-4, 4, 1, kFloat32);
  const Tensor on_gpu = x.to(gpu);
  std::printf("x lives on %s, its copy on %s\n", x.device().str().c_str(), on_gpu.device().str().c_str());
  try {
    on_gpu.data<float>();
  } catch (const Error& e) {
    std::printf("reading the copy from the host: %s\n", e.what());
  }
  std::printf("copied back: %s\n", on_gpu.cpu().str().c_str());

  // 2. Grid, block, thread: which elements a thread handles. A launch over
  //    n = 1000 elements with blocks of 256 threads needs ceil(1000 / 256) = 4
  //    blocks; the last one has 1000 - 3 * 256 = 232 busy threads. With the
  //    grid capped at 2 blocks, each thread strides by 2 * 256.
  const int64_t n = 1000, threads = 256, capped_blocks = 2;
  std::printf("blocks for %lld elements: %lld, busy threads in the last: %lld\n", static_cast<long long>(n),
              static_cast<long long>((n + threads - 1) / threads), static_cast<long long>(n - 3 * threads));
  std::printf("thread 5 of block 1 in a grid of 2 blocks handles elements:");
  for (int64_t i = 1 * threads + 5; i < n; i += capped_blocks * threads) std::printf(" %lld", static_cast<long long>(i));
  std::printf("\n");

  // 3. One formula, two backends: LeakyRelu from tensor/kernels/unary.h in a
  //    plain host loop, and leaky_relu on the GPU (tensor/cuda/elementwise.cu
  //    applies the same struct in its kernel).
  const kernels::LeakyRelu<float> formula{0.2f};
  std::vector<float> by_loop;
  for (float value : x.to_vector<float>()) by_loop.push_back(formula.forward(value));
  const std::vector<float> by_kernel = leaky_relu(on_gpu, 0.2).to_vector<float>();
  std::printf("leaky_relu on the GPU equals the host loop bit for bit: %s\n", by_kernel == by_loop ? "yes" : "no");

  // 4. A convolution on the GPU: im2col (one thread per column entry), then
  //    one cuBLAS GEMM; the same on the CPU with OpenBLAS.
  Generator gen(10);
  const Tensor images = randn({2, 3, 9, 9}, gen), weight = randn({4, 3, 3, 3}, gen) * 0.3;
  const Tensor on_cpu = F::conv2d(images, weight, Tensor(), 2, F::Padding::same());
  const Tensor on_device = F::conv2d(images.to(gpu), weight.to(gpu), Tensor(), 2, F::Padding::same());
  std::printf("conv2d %s on %s agrees with the CPU within 1e-5: %s\n", shape_str(on_device.shape()).c_str(),
              on_device.device().str().c_str(), largest_difference(on_device, on_cpu) < 1e-5 ? "yes" : "no");

  // 5. Random numbers: element i depends only on (seed, offset, i), so both
  //    devices draw the same uniforms (and dropout masks) bit for bit.
  Generator cpu_stream(3), gpu_stream(3);
  const bool same_draws = rand({1000}, cpu_stream).to_vector<float>() == rand({1000}, gpu_stream, gpu).to_vector<float>();
  std::printf("1000 uniform draws, same seed, both devices, identical: %s\n", same_draws ? "yes" : "no");

  // 6. Gradients flow through the device too: d/dx sum(x^2) = 2x, back on the host.
  const Tensor leaf = x.detach().requires_grad_();
  square(leaf.to(gpu)).sum().backward();
  std::printf("gradient of sum(x^2) through the GPU: %s\n", leaf.grad().str().c_str());
  return 0;
}
