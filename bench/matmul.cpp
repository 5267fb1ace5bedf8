// Matrix multiply through the tensor API next to a raw cblas_sgemm call on the
// same buffers: the difference is the wrapper's overhead.
#include <cstdio>
#include <cstdlib>

#include "autograd/autograd.h"
#include "bench/bench_util.h"

using namespace gs;

int main(int argc, char** argv) {
  const int threads = argc > 1 ? std::atoi(argv[1]) : 2;
  set_num_threads(threads);
  std::printf("BLAS: %s, threads: %d\n", bench::blas_config().c_str(), threads);
  std::printf("%-22s %12s %14s %14s %8s\n", "shape (M x K x N)", "raw ms", "raw GFLOP/s", "tensor GFLOP/s", "ratio");
  for (int64_t n : {256, 512, 1024}) {
    Generator gen(1);
    Tensor a = randn({n, n}, gen), b = randn({n, n}, gen), c = empty({n, n});
    const double flops = 2.0 * n * n * n;
    double raw = bench::median_ms([&] {
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a.data<float>(), n, b.data<float>(), n,
                  0.0f, c.data<float>(), n);
    });
    double api = bench::median_ms([&] { c = matmul(a, b); });
    double api_transposed = bench::median_ms([&] { c = matmul(a.t(), b); });
    std::printf("%-22s %12.2f %14.1f %14.1f %8.3f\n", (std::to_string(n) + "^3").c_str(), raw, flops / raw / 1e6,
                flops / api / 1e6, raw / api);
    std::printf("%-22s %12s %14s %14.1f %8.3f\n", (std::to_string(n) + "^3, A transposed").c_str(), "", "",
                flops / api_transposed / 1e6, raw / api_transposed);
  }
  return 0;
}
