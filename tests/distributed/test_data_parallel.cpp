// Data parallelism, run by `mpirun -np 2` (tests/test_data_parallel.cpp
// starts it): every rank runs these cases in the same order, so their
// collectives meet. Each case compares what 2 ranks compute together with
// what one process computes alone on the whole batch (every rank computes
// that reference itself, outside any GlobalBatchStep).
#include <doctest/doctest.h>

#include <cmath>

#include <nccl.h>  // the emulated one: its collective count

#include <map>
#include <memory>

#include "apps/common/mnist_models.h"
#include "nn/data_parallel.h"
#include "nn/nn.h"
#include "tests/helpers.h"

using namespace gs;

namespace {

ProcessGroup& group() {
  ProcessGroup& g = process_group();
  REQUIRE_MESSAGE(g.size() == 2, "run under mpirun -np 2");
  return g;
}

// ||a - b|| / ||b||, in double.
double relative_difference(const Tensor& a, const Tensor& b) {
  const Tensor x = a.detach().to(kFloat64), y = b.detach().to(kFloat64);
  const double norm = std::sqrt((y * y).sum().item());
  const double difference = std::sqrt(((x - y) * (x - y)).sum().item());
  return norm == 0 ? difference : difference / norm;
}

// Every element equal (compared in double).
bool same_values(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() &&
         a.detach().to(kFloat64).contiguous().to_vector<double>() == b.detach().to(kFloat64).contiguous().to_vector<double>();
}

}  // namespace

TEST_CASE("all_reduce sums and averages every dtype at sizes 0, 1, odd and large") {
  ProcessGroup& g = group();
  const double r = g.rank();
  for (int64_t n : {int64_t(0), int64_t(1), int64_t(7), int64_t(1 << 20) + 3}) {
    CAPTURE(n);
    // element i of rank r holds (i % 5) + 10 r: the sum is 2 (i % 5) + 10, the mean (i % 5) + 5.
    Tensor pattern = arange(n, kInt64).to(kFloat64);
    pattern = pattern - (pattern * 0.2).to(kInt64).to(kFloat64) * 5.0;
    for (DType dtype : {kFloat32, kFloat64, kInt64, DType::UInt8}) {
      CAPTURE(dtype_name(dtype));
      Tensor t = (pattern + 10.0 * r).to(dtype);
      g.all_reduce(t, ReduceKind::Sum);
      CHECK(same_values(t.to(kFloat64), (pattern * 2.0 + 10.0)));
      if (!is_floating(dtype)) continue;
      Tensor m = (pattern + 10.0 * r).to(dtype);
      g.all_reduce(m, ReduceKind::Mean);
      CHECK(same_values(m.to(kFloat64), pattern + 5.0));
    }
  }
  CHECK(g.all_reduce(1.5 + r) == 4.0);
  CHECK(g.all_reduce(1.5 + r, ReduceKind::Mean) == 2.0);
  CHECK(g.all_reduce_max(static_cast<int64_t>(r) * 7) == 7);
  Tensor integers = ones({3}, kInt64);
  CHECK(testing::error_message([&] { g.all_reduce(integers, ReduceKind::Mean); }).find("floating") !=
        std::string::npos);
}

TEST_CASE("broadcast gives every rank the root's values") {
  ProcessGroup& g = group();
  for (int root : {0, 1}) {
    for (int64_t n : {int64_t(0), int64_t(1), int64_t(9), int64_t(300001)}) {
      for (DType dtype : {kFloat32, kFloat64, kInt64, DType::UInt8}) {
        Tensor t = (arange(n, kFloat64) + 3.0 * g.rank()).to(dtype);
        g.broadcast(t, root);
        CHECK(same_values(t, (arange(n, kFloat64) + 3.0 * root).to(dtype)));
      }
    }
  }
}

TEST_CASE("sharded draws are this rank's rows of the single-process draw") {
  ProcessGroup& g = group();
  nn::DataParallel parallel(g);
  for (int64_t rows : {1, 3, 8}) {
    for (int64_t width : {1, 3, 5}) {
      CAPTURE(rows);
      CAPTURE(width);
      Generator whole(42), sharded(42);
      const Tensor normal_all = randn({2 * rows, width}, whole), uniform_all = rand({2 * rows, width}, whole);
      const Tensor mask_all = bernoulli({2 * rows, width}, 0.3, whole);
      Tensor normal_part, uniform_part, mask_part;
      {
        nn::GlobalBatchStep step(parallel);
        normal_part = randn({rows, width}, sharded);
        uniform_part = rand({rows, width}, sharded);
        mask_part = bernoulli({rows, width}, 0.3, sharded);
      }
      CHECK(same_values(normal_part, parallel.shard(normal_all).contiguous()));
      CHECK(same_values(uniform_part, parallel.shard(uniform_all).contiguous()));
      CHECK(same_values(mask_part, parallel.shard(mask_all).contiguous()));
      CHECK(sharded.offset() == whole.offset());
    }
  }
  // Stacked batches {2, 3}: rows of each segment come from that segment of the global draw.
  Generator whole(7), sharded(7);
  const Tensor all = randn({10, 3}, whole);  // [4 rows of the first batch; 6 of the second]
  Tensor part;
  {
    nn::GlobalBatchStep step(parallel, {2, 3});
    part = randn({5, 3}, sharded);
  }
  const Tensor expected = cat({all.narrow(0, 2 * g.rank(), 2), all.narrow(0, 4 + 3 * g.rank(), 3)}, 0);
  CHECK(same_values(part, expected));
  CHECK(sharded.offset() == whole.offset());
}

TEST_CASE("synchronized batch norm on 2 x n rows equals batch norm on 2n rows, forward and backward") {
  ProcessGroup& g = group();
  nn::DataParallel parallel(g);
  for (const Shape& shape : {Shape{8, 3}, Shape{6, 4, 3, 5}}) {
    for (DType dtype : {kFloat64, kFloat32}) {
      CAPTURE(shape_str(shape));
      const Tensor x_all = testing::random_leaf(shape, 11).to(dtype).detach().requires_grad_();
      const Tensor upstream = testing::random_leaf(shape, 12).to(dtype).detach();
      Tensor gamma = (testing::random_leaf({shape[1]}, 13).to(dtype) + 1.0).detach().requires_grad_();
      Tensor beta = testing::random_leaf({shape[1]}, 14).to(dtype).detach().requires_grad_();
      Tensor mean_one = zeros({shape[1]}, dtype), var_one = ones({shape[1]}, dtype);
      const Tensor y_all = F::batch_norm(x_all, gamma, beta, mean_one, var_one, true);
      (y_all * upstream).sum().backward();
      const Tensor dx_all = x_all.grad(), dgamma_all = gamma.grad(), dbeta_all = beta.grad();
      gamma.zero_grad();
      beta.zero_grad();

      const Tensor x = parallel.shard(x_all).detach().contiguous().requires_grad_();
      Tensor mean_two = zeros({shape[1]}, dtype), var_two = ones({shape[1]}, dtype);
      Tensor y;
      {
        nn::GlobalBatchStep step(parallel);
        y = F::batch_norm(x, gamma, beta, mean_two, var_two, true);
      }
      // rank r's loss is its share of the sum: the gradients of the parts add up to the whole's
      (y * parallel.shard(upstream)).sum().backward();
      const double tolerance = dtype == kFloat64 ? 1e-12 : 1e-5;
      CHECK(relative_difference(y, parallel.shard(y_all)) < tolerance);
      CHECK(relative_difference(x.grad(), parallel.shard(dx_all)) < tolerance);
      Tensor dgamma = gamma.grad().clone(), dbeta = beta.grad().clone();
      g.all_reduce(dgamma, ReduceKind::Sum);
      g.all_reduce(dbeta, ReduceKind::Sum);
      CHECK(relative_difference(dgamma, dgamma_all) < tolerance);
      CHECK(relative_difference(dbeta, dbeta_all) < tolerance);
      CHECK(relative_difference(mean_two, mean_one) < tolerance);
      CHECK(relative_difference(var_two, var_one) < tolerance);
    }
  }
}

TEST_CASE("minibatch discrimination on 2 x n rows equals the layer on 2n rows, forward and backward") {
  ProcessGroup& g = group();
  nn::DataParallel parallel(g);
  const Tensor x_all = testing::random_leaf({6, 4}, 31, 1.0).to(kFloat64).detach().requires_grad_();
  Tensor T = testing::random_leaf({4, 3 * 2}, 32, 1.0).to(kFloat64).detach().requires_grad_();
  const Tensor upstream = testing::random_leaf({6, 4 + 3}, 33).to(kFloat64).detach();
  const Tensor y_all = nn::minibatch_discrimination(x_all, T, 3);  // no GlobalBatchStep: the local batch is all
  (y_all * upstream).sum().backward();
  const Tensor dT_all = T.grad().clone();
  T.zero_grad();

  const Tensor x = parallel.shard(x_all).detach().contiguous().requires_grad_();
  Tensor y;
  {
    nn::GlobalBatchStep step(parallel);
    y = nn::minibatch_discrimination(x, T, 3);
  }
  CHECK(relative_difference(y, parallel.shard(y_all)) < 1e-14);
  // Not the layer on this rank's 3 rows alone: their closeness terms differ.
  CHECK(relative_difference(nn::minibatch_discrimination(x, T, 3), parallel.shard(y_all)) > 1e-3);
  // rank r's loss is its share of the sum: the gradients of the parts add up to the whole's
  (y * parallel.shard(upstream)).sum().backward();
  CHECK(relative_difference(x.grad(), parallel.shard(x_all.grad())) < 1e-12);
  Tensor dT = T.grad().clone();
  g.all_reduce(dT, ReduceKind::Sum);
  CHECK(relative_difference(dT, dT_all) < 1e-12);
}

TEST_CASE("batch_mean and all_reduce_mean are the global batch's mean, with its gradient") {
  ProcessGroup& g = group();
  nn::DataParallel parallel(g);
  const Tensor x_all = testing::random_leaf({6, 4}, 21, 1.0).to(kFloat64).detach().requires_grad_();
  const Tensor weights = testing::random_leaf({4}, 22).to(kFloat64).detach();
  (square(F::batch_mean(x_all)) * weights).sum().backward();  // no GlobalBatchStep: the local batch is all
  const Tensor x = parallel.shard(x_all).detach().contiguous().requires_grad_();
  Tensor m;
  {
    nn::GlobalBatchStep step(parallel);
    m = F::batch_mean(x);
  }
  CHECK(relative_difference(m, x_all.mean({0})) < 1e-14);
  // Both ranks hold the same loss L; as everywhere in data parallelism, rank
  // r's gradient is that of the sum of the ranks' losses (2 L) with respect to
  // its rows, so that averaging a parameter's gradients gives dL.
  (square(m) * weights).sum().backward();
  CHECK(relative_difference(x.grad(), parallel.shard(x_all.grad()) * 2.0) < 1e-14);
}

namespace {

// One D step's and one G step's gradients of both DCGAN models (the losses
// of apps/mnist_gan/gan_trainer.cpp), by parameter name: of the whole batch
// `real` without `parallel`, else of this rank's rows averaged over the ranks.
std::map<std::string, Tensor> dcgan_gradients(nn::Sequential& generator, nn::Sequential& discriminator,
                                              const Tensor& real, const nn::DataParallel* parallel) {
  for (Tensor& p : generator.parameters()) p.zero_grad();
  for (Tensor& p : discriminator.parameters()) p.zero_grad();
  Generator noise(9);
  {
    std::unique_ptr<nn::GlobalBatchStep> step = parallel ? std::make_unique<nn::GlobalBatchStep>(*parallel) : nullptr;
    const Tensor z = randn({real.size(0), apps::kLatentSize}, noise, real.options());
    const Tensor fake = generator.forward(z);
    const Tensor logits_real = discriminator.forward(real), logits_fake = discriminator.forward(fake.detach());
    const Tensor loss_d = F::binary_cross_entropy_with_logits(logits_real, ones_like(logits_real)) +
                          F::binary_cross_entropy_with_logits(logits_fake, zeros_like(logits_fake));
    loss_d.backward();
    const Tensor logits_generated = discriminator.forward(fake);
    F::binary_cross_entropy_with_logits(logits_generated, ones_like(logits_generated)).backward();
  }
  std::vector<Tensor> parameters = discriminator.parameters();
  for (const Tensor& p : generator.parameters()) parameters.push_back(p);
  if (parallel) parallel->average_gradients(parameters);
  std::map<std::string, Tensor> gradients;
  for (const auto& [name, p] : discriminator.named_parameters()) gradients["D." + name] = p.grad().to(Device::cpu());
  for (const auto& [name, p] : generator.named_parameters()) gradients["G." + name] = p.grad().to(Device::cpu());
  return gradients;
}

// Every gradient to 1e-12 relative, in float64: the same sums in another
// order. (In float32 the order alone moves some gradients by up to 1e-3: G's
// first layer feeds a batch norm, so its gradient is a sum over the batch of
// terms that nearly cancel.) A bias right before a batch norm has gradient 0
// (the norm subtracts it): both are then rounding noise, far below the
// layer's weight gradient.
void expect_same_gradients(const std::map<std::string, Tensor>& averaged, const std::map<std::string, Tensor>& whole) {
  for (const auto& [name, expected] : whole) {
    CAPTURE(name);
    const Tensor& actual = averaged.at(name);
    if (name == "D.2.bias" || name == "D.5.bias" || name == "G.4.bias" || name == "G.7.bias") {
      const Tensor& weight = whole.at(name.substr(0, name.size() - 4) + "weight");
      const double weight_scale = std::sqrt((weight * weight).sum().item());
      CHECK(std::sqrt((actual * actual).sum().item()) < 1e-4 * weight_scale);
      CHECK(std::sqrt((expected * expected).sum().item()) < 1e-4 * weight_scale);
      continue;
    }
    CHECK(relative_difference(actual, expected) < 1e-12);
  }
}

struct Dcgan {
  std::shared_ptr<nn::Sequential> generator, discriminator;
  Dcgan() {
    Generator init(5);
    generator = apps::make_dcgan_generator(init);
    discriminator = apps::make_dcgan_discriminator(init);
    apps::dcgan_init(*generator, init);
    apps::dcgan_init(*discriminator, init);
    generator->to(kFloat64);
    discriminator->to(kFloat64);
  }
};

}  // namespace

TEST_CASE("DCGAN: the averaged gradient of 2 ranks x 32 images equals the 64-image gradient") {
  nn::DataParallel parallel(group());
  Dcgan gan;
  const Tensor real_all = tanh(testing::random_leaf({64, 1, 28, 28}, 31)).detach();
  const auto whole = dcgan_gradients(*gan.generator, *gan.discriminator, real_all, nullptr);
  const auto averaged = dcgan_gradients(*gan.generator, *gan.discriminator, parallel.shard(real_all), &parallel);
  expect_same_gradients(averaged, whole);
}

TEST_CASE("[cuda] CUDA tensors are all-reduced and broadcast through NCCL") {
  ProcessGroup& g = group();
  CHECK(collectives_name(DeviceType::CUDA) == "NCCL");
  const Device gpu = Device::cuda(0);
  for (int64_t n : {int64_t(0), int64_t(1), int64_t(7), int64_t(100003)}) {
    for (DType dtype : {kFloat32, kFloat64, kInt64, DType::UInt8}) {
      CAPTURE(n);
      CAPTURE(dtype_name(dtype));
      const Tensor pattern = arange(n, kFloat64) - (arange(n, kFloat64) * 0.2).to(kInt64).to(kFloat64) * 5.0;
      const long long before = emulation::nccl_collectives();
      Tensor t = (pattern + 10.0 * g.rank()).to(dtype).to(gpu);
      g.all_reduce(t, ReduceKind::Sum);
      CHECK(t.device() == gpu);
      CHECK(same_values(t.to(Device::cpu()), pattern * 2.0 + 10.0));
      Tensor b = (pattern + 3.0 * g.rank()).to(dtype).to(gpu);
      g.broadcast(b, 1);
      CHECK(same_values(b.to(Device::cpu()), pattern + 3.0));
      CHECK(emulation::nccl_collectives() == before + (n == 0 ? 0 : 2));
    }
  }
}

TEST_CASE("[cuda] DCGAN on the GPU: 2 ranks x 32 through NCCL equal the 64-image gradient on the CPU") {
  nn::DataParallel parallel(group());
  Dcgan gan;
  const Tensor real_all = tanh(testing::random_leaf({64, 1, 28, 28}, 31)).detach();
  const auto whole = dcgan_gradients(*gan.generator, *gan.discriminator, real_all, nullptr);
  gan.generator->to(Device::cuda(0));
  gan.discriminator->to(Device::cuda(0));
  const long long before = emulation::nccl_collectives();
  const auto averaged =
      dcgan_gradients(*gan.generator, *gan.discriminator, parallel.shard(real_all).to(Device::cuda(0)), &parallel);
  CHECK(emulation::nccl_collectives() > before);
  expect_same_gradients(averaged, whole);
}
