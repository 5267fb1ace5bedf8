// Random numbers on cuda:0: the same (seed, offset) gives the same uniform
// and Bernoulli draws bit for bit as on the CPU, so dropout masks are
// identical on both devices; normal draws agree to rounding.
#include "autograd/ops.h"
#include "nn/functional.h"
#include "tests/parity/parity.h"

using namespace gs;
using gs::testing::cuda0;
using gs::testing::expect_same_values;

TEST_CASE("[cuda] uniform and Bernoulli draws are bit-identical to the CPU's, at any offset and length") {
  for (int64_t n : {1, 3, 4, 5, 1023, 50001}) {
    for (DType dtype : {kFloat32, kFloat64}) {
      CAPTURE(n);
      Generator on_cpu(42), on_device(42);
      on_cpu.set_state(42, 7);
      on_device.set_state(42, 7);
      CHECK(rand({n}, on_device, {dtype, cuda0()}).to_vector<double>() == rand({n}, on_cpu, dtype).to_vector<double>());
      CHECK(uniform({n}, -2.0, 3.0, on_device, {dtype, cuda0()}).to_vector<double>() ==
            uniform({n}, -2.0, 3.0, on_cpu, dtype).to_vector<double>());
      CHECK(bernoulli({n}, 0.3, on_device, {dtype, cuda0()}).to_vector<double>() ==
            bernoulli({n}, 0.3, on_cpu, dtype).to_vector<double>());
      CHECK(on_cpu.offset() == on_device.offset());
    }
  }
}

TEST_CASE("[cuda] normal draws agree with the CPU's") {
  for (int64_t n : {1, 2, 3, 5, 4097}) {
    CAPTURE(n);
    Generator on_cpu(9), on_device(9);
    expect_same_values("randn", randn({n}, on_device, {kFloat32, cuda0()}), randn({n}, on_cpu, kFloat32), 1e-6);
    expect_same_values("normal(3, 0.5)", normal({n}, 3.0, 0.5, on_device, {kFloat64, cuda0()}),
                       normal({n}, 3.0, 0.5, on_cpu, kFloat64), 1e-12);
  }
}

TEST_CASE("[cuda] dropout masks are identical on both devices") {
  Generator data(3);
  const Tensor x = randn({8, 300}, data);
  Generator on_cpu(17), on_device(17);
  const Tensor cpu = F::dropout(x, 0.4, true, on_cpu);
  const Tensor device = F::dropout(x.to(cuda0()), 0.4, true, on_device);
  CHECK(device.device() == cuda0());
  CHECK(device.to_vector<float>() == cpu.to_vector<float>());
  const Tensor noisy_cpu = F::gaussian_noise(x, 0.3, true, on_cpu);
  const Tensor noisy_device = F::gaussian_noise(x.to(cuda0()), 0.3, true, on_device);
  expect_same_values("gaussian noise", noisy_device, noisy_cpu, 1e-6);
}
