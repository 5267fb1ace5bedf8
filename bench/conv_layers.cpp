// Forward + backward of the MNIST DCGAN's convolution layers (batch 64, float32),
// next to raw cblas_sgemm on the three batched im2col GEMM shapes of each
// layer (nn/im2col.h; layers with large images run them image by image). The
// ratio shows what im2col/col2im, the layout copies and the framework cost on
// top of the matrix products: target >= 60% of raw GEMM.
//   build/bench/conv_layers [threads=2] [repetitions=15]
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "bench/bench_util.h"
#include "nn/functional.h"
#include "tensor/parallel.h"

using namespace gs;
using gs::bench::median_ms;

namespace {

struct GemmShape {
  bool transpose_a, transpose_b;
  int64_t m, n, k;
};

// Median time of the raw sgemm calls, one after the other, like one layer's pass.
double raw_gemm_ms(const std::vector<GemmShape>& shapes, int repetitions) {
  std::vector<std::vector<float>> a, b, c;
  for (const GemmShape& s : shapes) {
    a.emplace_back(s.m * s.k, 0.5f);
    b.emplace_back(s.k * s.n, 0.25f);
    c.emplace_back(s.m * s.n, 0.0f);
  }
  return median_ms([&] {
    for (size_t i = 0; i < shapes.size(); ++i) {
      const GemmShape& s = shapes[i];
      cblas_sgemm(CblasRowMajor, s.transpose_a ? CblasTrans : CblasNoTrans, s.transpose_b ? CblasTrans : CblasNoTrans,
                  s.m, s.n, s.k, 1.0f, a[i].data(), s.transpose_a ? s.m : s.k, b[i].data(),
                  s.transpose_b ? s.k : s.n, 0.0f, c[i].data(), s.n);
    }
  }, repetitions);
}

struct Layer {
  const char* name;
  bool transposed;
  int64_t in_channels, out_channels, kernel, stride, in_size;
  F::Padding padding;
};

}  // namespace

int main(int argc, char** argv) {
  const int threads = argc > 1 ? std::atoi(argv[1]) : 2;
  const int repetitions = argc > 2 ? std::atoi(argv[2]) : 15;
  set_num_threads(threads);
  std::printf("BLAS: %s; %d threads; median of %d repetitions; batch 64, float32\n", bench::blas_config().c_str(),
              threads, repetitions);
  const int64_t batch = 64;
  const std::vector<Layer> layers = {
      {"D conv 1->64 k5 s2 same 28->14", false, 1, 64, 5, 2, 28, F::Padding::same()},
      {"D conv 64->128 k5 s2 same 14->7", false, 64, 128, 5, 2, 14, F::Padding::same()},
      {"D conv 128->256 k5 s2 same 7->4", false, 128, 256, 5, 2, 7, F::Padding::same()},
      {"G convT 512->256 k4 s1 valid 4->7", true, 512, 256, 4, 1, 4, F::Padding::valid()},
      {"G convT 256->128 k5 s2 same 7->14", true, 256, 128, 5, 2, 7, F::Padding::same()},
      {"G convT 128->1 k5 s2 same 14->28", true, 128, 1, 5, 2, 14, F::Padding::same()},
  };
  std::printf("%-36s %10s %10s %12s %12s %8s\n", "layer (forward + backward)", "ms", "GFLOP/s", "raw GEMM ms",
              "raw GFLOP/s", "ratio");
  Generator gen(1);
  for (const Layer& layer : layers) {
    const int64_t k = layer.kernel;
    Tensor x = randn({batch, layer.in_channels, layer.in_size, layer.in_size}, gen).requires_grad_();
    Tensor w = (layer.transposed ? randn({layer.in_channels, layer.out_channels, k, k}, gen)
                                 : randn({layer.out_channels, layer.in_channels, k, k}, gen))
                   .requires_grad_();
    Tensor b = zeros({layer.out_channels}).requires_grad_();
    auto forward = [&] {
      return layer.transposed ? F::conv_transpose2d(x, w, b, layer.stride, layer.padding)
                              : F::conv2d(x, w, b, layer.stride, layer.padding);
    };
    const Tensor grad = randn(forward().shape(), gen);
    const double ms = median_ms([&] {
      x.zero_grad();
      w.zero_grad();
      b.zero_grad();
      forward().backward(grad);
    }, repetitions);

    // The GEMMs of nn/im2col.h. "Pixels" are the small side's: conv2d's output,
    // conv_transpose2d's input.
    const Tensor y = forward().detach();
    const int64_t pixels = batch * (layer.transposed ? layer.in_size * layer.in_size : y.size(2) * y.size(3));
    const int64_t rows = (layer.transposed ? layer.out_channels : layer.in_channels) * k * k;
    const std::vector<GemmShape> shapes =
        !layer.transposed ? std::vector<GemmShape>{{false, false, layer.out_channels, pixels, rows},   // Y = W cols
                                                   {true, false, rows, pixels, layer.out_channels},    // dcols = W^T dY
                                                   {false, true, layer.out_channels, rows, pixels}}    // dW = dY cols^T
                          : std::vector<GemmShape>{{true, false, rows, pixels, layer.in_channels},     // cols = W^T X
                                                   {false, false, layer.in_channels, pixels, rows},    // dX = W im2col(dY)
                                                   {false, true, layer.in_channels, rows, pixels}};    // dW = X im2col(dY)^T
    double flops = 0;
    for (const GemmShape& s : shapes) flops += 2.0 * s.m * s.n * s.k;
    const double raw_ms = raw_gemm_ms(shapes, repetitions);
    std::printf("%-36s %10.2f %10.1f %12.2f %12.1f %7.0f%%\n", layer.name, ms, flops / ms * 1e-6, raw_ms,
                flops / raw_ms * 1e-6, 100.0 * raw_ms / ms);
  }
  return 0;
}
