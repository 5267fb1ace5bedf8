// Whole training iterations on cuda:0 against the CPU, with tiny batches:
// the DCGAN's (GanTrainer, as mnist_gan runs it) and the mnist-mlp
// semi-supervised GAN's (SslTrainer, as ssl runs it). Losses and every
// updated weight agree to 1e-4 relative (weights: ||device - cpu|| / ||cpu||
// per tensor, since Adam's first steps move a weight by about lr whatever
// the size of its gradient, and a gradient that rounds to +-0 differently
// on the two devices moves it the other way).
#include <cmath>
#include <set>
#include <string>

#include "apps/mnist_gan/gan_trainer.h"
#include "apps/ssl/ssl_trainer.h"
#include "tests/parity/parity.h"

using namespace gs;
using gs::testing::cuda0;

namespace {

double relative_difference(const Tensor& device, const Tensor& cpu) {
  const std::vector<double> a = device.to_vector<double>(), e = cpu.to_vector<double>();
  double difference = 0, norm = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    difference += (a[i] - e[i]) * (a[i] - e[i]);
    norm += e[i] * e[i];
  }
  return norm == 0 ? std::sqrt(difference) : std::sqrt(difference / norm);
}

// Module path "a.b.k" -> "a.b.(k+1)", the next layer of a Sequential; "" if k is no number.
std::string next_layer(const std::string& path) {
  const size_t dot = path.rfind('.');
  const std::string parent = dot == std::string::npos ? "" : path.substr(0, dot + 1);
  const std::string index = dot == std::string::npos ? path : path.substr(dot + 1);
  if (index.empty() || index.find_first_not_of("0123456789") != std::string::npos) return "";
  return parent + std::to_string(std::stoi(index) + 1);
}

// A bias that feeds a batch norm has zero gradient in exact arithmetic (the
// normalisation subtracts it again): in float its gradient is rounding noise,
// which Adam's first steps turn into moves of about lr either way. Devices
// whose exp or tanh differ in the last bit (the CPU's vector libmvec calls,
// the GPU's own) move such a bias apart by up to 2 lr per iteration, and the
// batch norm's running mean, which averages it in, follows. Those entries
// are held to that bound; every other tensor to 1e-4 relative.
void expect_same_weights(const nn::Module& device, const nn::Module& cpu, double lr, int iterations) {
  const StateDict on_device = device.state_dict(), on_cpu = cpu.state_dict();
  REQUIRE(on_device.size() == on_cpu.size());
  std::set<std::string> noise_driven;
  for (const auto& [name, value] : on_cpu) {
    const size_t suffix = name.rfind(".bias");
    if (suffix == std::string::npos || suffix + 5 != name.size()) continue;
    const std::string next = next_layer(name.substr(0, suffix));
    if (next.empty() || on_cpu.count(next + ".running_mean") == 0) continue;
    noise_driven.insert(name);
    noise_driven.insert(next + ".running_mean");
  }
  for (const auto& [name, value] : on_cpu) {
    CAPTURE(name);
    REQUIRE(on_device.count(name) == 1);
    CHECK(on_device.at(name).device() == cuda0());
    if (noise_driven.count(name)) {
      CHECK(max(abs(on_device.at(name).cpu() - value)).item() <= 2 * lr * iterations);
    } else {
      CHECK(relative_difference(on_device.at(name), value) <= 1e-4);
    }
  }
}

bool close(double device, double cpu) { return std::abs(device - cpu) <= 1e-4 * std::max(1.0, std::abs(cpu)); }

}  // namespace

TEST_CASE("[cuda] two DCGAN iterations on the device equal the CPU's") {
  apps::GanSettings settings;
  settings.batch_size = 4;
  settings.seed = 3;
  apps::GanTrainer cpu(settings, Device::cpu()), device(settings, cuda0());
  Generator data(8);
  for (int iteration = 0; iteration < 2; ++iteration) {
    const Tensor real = rand({4, 1, 28, 28}, data) * 2.0 - 1.0;
    const apps::StepLosses on_cpu = cpu.step(real), on_device = device.step(real.to(cuda0()));
    CAPTURE(iteration);
    CHECK(close(on_device.discriminator, on_cpu.discriminator));
    CHECK(close(on_device.generator, on_cpu.generator));
    CHECK(close(on_device.d_real, on_cpu.d_real));
    CHECK(close(on_device.d_fake, on_cpu.d_fake));
  }
  expect_same_weights(*device.generator, *cpu.generator, settings.generator_lr, 2);
  expect_same_weights(*device.discriminator, *cpu.discriminator, settings.discriminator_lr, 2);
}

TEST_CASE("[cuda] two mnist-mlp semi-supervised iterations on the device equal the CPU's") {
  apps::SslSettings settings = apps::SslSettings::defaults_for(apps::ssl_architecture("mnist-mlp"));
  settings.seed = 5;
  apps::SslTrainer cpu(settings, Device::cpu()), device(settings, cuda0());
  Generator data(9);
  const Tensor init_batch = rand({20, 1, 28, 28}, data);
  cpu.initialize(init_batch);
  device.initialize(init_batch.to(cuda0()));
  for (int iteration = 0; iteration < 2; ++iteration) {
    const Tensor labeled = rand({6, 1, 28, 28}, data), unlabeled = rand({6, 1, 28, 28}, data);
    const Tensor matching = rand({6, 1, 28, 28}, data);
    const Tensor labels = tensor(std::vector<int64_t>{0, 1, 2, 3, 4, 5});
    const apps::SslStepLosses on_cpu = cpu.step(labeled, labels, unlabeled, matching);
    const apps::SslStepLosses on_device = device.step(labeled.to(cuda0()), labels.to(cuda0()), unlabeled.to(cuda0()),
                                                      matching.to(cuda0()));
    CAPTURE(iteration);
    CHECK(close(on_device.supervised, on_cpu.supervised));
    CHECK(close(on_device.unsupervised_real, on_cpu.unsupervised_real));
    CHECK(close(on_device.unsupervised_fake, on_cpu.unsupervised_fake));
    CHECK(close(on_device.generator, on_cpu.generator));
  }
  expect_same_weights(*device.generator, *cpu.generator, settings.learning_rate, 2);
  expect_same_weights(*device.discriminator, *cpu.discriminator, settings.learning_rate, 2);
}
