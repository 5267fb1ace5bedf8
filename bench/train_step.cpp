// One training iteration of each of the yardstick's three models (float32),
// timed against the floor any im2col + OpenBLAS design has: the GEMM-only
// bound, the summed time of raw cblas_sgemm calls on every matrix product of
// one iteration, measured in the same process and interleaved with the
// iterations so that the load of a shared machine hits both alike. With
// PyTorch's times from bench/pytorch_ref.py (same machine, same sitting) it
// prints the three ratios. A second table gives each model's speed-up from 1
// thread to --threads (ours and the bound's) and its peak memory (RSS) next to
// PyTorch's.
//   build/bench/train_step [--models dcgan_mnist,ssl_svhn,ssl_mnist] [--reps 10]
//                          [--pytorch build/pytorch_ref.json] [--threads 2] [--device cuda]
// On a GPU (--device cuda) there is no GEMM-only bound (it is OpenBLAS's);
// the comparison is with PyTorch eager on the same GPU (pytorch_ref.py --device cuda).
// GS_PROFILE=1 adds a table of where one iteration's time goes (tensor/profile.h).
//
// The iteration is shared/yardstick/models.py's train_iteration: D step on a
// real and a fake batch, then the G step through the frozen D, the same z in
// both. The models are the apps' own:
//   dcgan_mnist  apps/mnist_gan's DCGAN (batch 64; BCE with logits, non-saturating
//                G loss; Adam 2e-4, (0.5, 0.999)). GanTrainer::step itself runs G
//                forward once and reuses that graph in the G step; this schedule,
//                like PyTorch's, runs it twice;
//   ssl_svhn     apps/ssl --arch svhn-blog (batch 128; 32x32x3): the D loss is the
//                real/fake BCE of logsumexp(logits) plus the cross-entropy of the
//                batch's first tenth as labeled examples, the G loss feature
//                matching (mean absolute difference); Adam 3e-4;
//   ssl_mnist    apps/ssl --arch mnist-mlp (batch 100), the same losses; Adam 3e-3.
//                Ours is weight-normalised (the paper's), the yardstick's not: the
//                matrix products are the same.
// (apps/ssl's own iteration draws a separate labeled batch, so it runs D on
// three batches where this schedule, and PyTorch's, runs it on two.)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "apps/common/mnist_models.h"
#include "apps/ssl/ssl_models.h"
#include "bench/bench_util.h"
#include "nn/nn.h"
#include "nn/semi_supervised_losses.h"
#include "optim/optim.h"
#include "tensor/backend.h"
#include "tensor/parallel.h"
#include "tensor/profile.h"

using namespace gs;

namespace {

// ---- the GEMM-only bound ---------------------------------------------------------------
// The products nn/im2col.h lowers each layer to (batched over the whole
// batch) and how often one iteration runs each (the yardstick's count).
struct Gemm {
  std::string layer;
  const char* pass;
  bool transpose_a, transpose_b;
  int64_t m, n, k;
  int count;
};

enum class Kind { Conv, ConvTranspose, Linear };

// How often one iteration runs a layer's three products. A generator layer
// runs forward twice (D step without grad, G step), its weight gradient once
// and its input gradient once (not the first layer: z needs none). A
// discriminator layer runs forward on real and fake in the D step and on fake
// (the GAN) or real and fake (feature matching) in the G step, its weight
// gradient twice (D step) and its input gradient 3 times (once for the first
// layer: only the G step needs the gradient of D's input).
struct Passes {
  int forward, weight_grad, input_grad;
};
Passes generator_passes(bool first) { return {2, 1, first ? 0 : 1}; }
Passes discriminator_passes(bool first, bool feature_matching) { return {feature_matching ? 4 : 3, 2, first ? 1 : 3}; }

class GemmList {
 public:
  explicit GemmList(int64_t batch) : batch_(batch) {}

  // `small_side`: the spatial size of conv2d's output, conv_transpose2d's input.
  void add(const std::string& layer, Kind kind, Passes passes, int64_t in, int64_t out, int64_t kernel = 1,
           int64_t small_side = 1) {
    const int64_t pixels = batch_ * small_side * small_side;
    switch (kind) {
      case Kind::Conv: {  // Y = W cols;  dcols = W^T dY;  dW = dY cols^T
        const int64_t rows = in * kernel * kernel;
        push(layer, "forward", false, false, out, pixels, rows, passes.forward);
        push(layer, "input grad", true, false, rows, pixels, out, passes.input_grad);
        push(layer, "weight grad", false, true, out, rows, pixels, passes.weight_grad);
        break;
      }
      case Kind::ConvTranspose: {  // cols = W^T X;  dX = W im2col(dY);  dW = X im2col(dY)^T
        const int64_t rows = out * kernel * kernel;
        push(layer, "forward", true, false, rows, pixels, in, passes.forward);
        push(layer, "input grad", false, false, in, pixels, rows, passes.input_grad);
        push(layer, "weight grad", false, true, in, rows, pixels, passes.weight_grad);
        break;
      }
      case Kind::Linear:  // Y = X W^T;  dX = dY W;  dW = dY^T X
        push(layer, "forward", false, true, batch_, out, in, passes.forward);
        push(layer, "input grad", false, false, batch_, in, out, passes.input_grad);
        push(layer, "weight grad", true, false, out, in, batch_, passes.weight_grad);
        break;
    }
  }
  const std::vector<Gemm>& gemms() const { return gemms_; }

 private:
  void push(const std::string& layer, const char* pass, bool ta, bool tb, int64_t m, int64_t n, int64_t k, int count) {
    if (count > 0) gemms_.push_back({layer, pass, ta, tb, m, n, k, count});
  }
  int64_t batch_;
  std::vector<Gemm> gemms_;
};

// Raw sgemm on one shape, on buffers of its own (allocated once).
class RawGemm {
 public:
  explicit RawGemm(const Gemm& g) : g_(g), a_(g.m * g.k, 0.5f), b_(g.k * g.n, 0.25f), c_(g.m * g.n) {}
  void run() {
    cblas_sgemm(CblasRowMajor, g_.transpose_a ? CblasTrans : CblasNoTrans, g_.transpose_b ? CblasTrans : CblasNoTrans,
                g_.m, g_.n, g_.k, 1.0f, a_.data(), g_.transpose_a ? g_.m : g_.k, b_.data(), g_.transpose_b ? g_.k : g_.n,
                0.0f, c_.data(), g_.n);
  }
  const Gemm& shape() const { return g_; }

 private:
  Gemm g_;
  std::vector<float> a_, b_, c_;
};

// ---- the three models ---------------------------------------------------------------------
struct BenchModel {
  int64_t batch = 0;
  std::vector<Gemm> gemms;
  std::function<double()> iteration;  // one training iteration; returns the losses' sum
};

void set_requires_grad(const std::vector<Tensor>& parameters, bool requires_grad) {
  for (Tensor parameter : parameters) parameter.requires_grad_(requires_grad);
}

optim::AdamOptions adam_options(double lr) {
  optim::AdamOptions adam;
  adam.lr = lr;
  adam.beta1 = 0.5;
  adam.beta2 = 0.999;
  return adam;
}

BenchModel dcgan_mnist(Device device) {
  const int64_t batch = 64, latent = 100;
  GemmList list(batch);
  list.add("G linear 100->8192", Kind::Linear, generator_passes(true), latent, 8192);
  list.add("G convT 512->256 k4 4->7", Kind::ConvTranspose, generator_passes(false), 512, 256, 4, 4);
  list.add("G convT 256->128 k5 7->14", Kind::ConvTranspose, generator_passes(false), 256, 128, 5, 7);
  list.add("G convT 128->1 k5 14->28", Kind::ConvTranspose, generator_passes(false), 128, 1, 5, 14);
  list.add("D conv 1->64 k5 28->14", Kind::Conv, discriminator_passes(true, false), 1, 64, 5, 14);
  list.add("D conv 64->128 k5 14->7", Kind::Conv, discriminator_passes(false, false), 64, 128, 5, 7);
  list.add("D conv 128->256 k5 7->4", Kind::Conv, discriminator_passes(false, false), 128, 256, 5, 4);
  list.add("D linear 4096->1", Kind::Linear, discriminator_passes(false, false), 4096, 1);

  Generator init(1), data(2);
  auto generator = apps::make_dcgan_generator(init);
  auto discriminator = apps::make_dcgan_discriminator(init);
  apps::dcgan_init(*generator, init);
  apps::dcgan_init(*discriminator, init);
  generator->to(device);
  discriminator->to(device);
  auto generator_optimizer = std::make_shared<optim::Adam>(generator->parameters(), adam_options(2e-4));
  auto discriminator_optimizer = std::make_shared<optim::Adam>(discriminator->parameters(), adam_options(2e-4));
  const Tensor real = uniform({batch, 1, 28, 28}, -1.0, 1.0, data).to(device);
  const Tensor z = randn({batch, latent}, data).to(device);

  auto iteration = [=] {
    Tensor fake;
    {
      NoGradGuard no_grad;
      fake = generator->forward(z);
    }
    discriminator_optimizer->zero_grad();
    Tensor logits_real = discriminator->forward(real);
    Tensor logits_fake = discriminator->forward(fake);
    Tensor loss_d = F::binary_cross_entropy_with_logits(logits_real, ones_like(logits_real)) +
                    F::binary_cross_entropy_with_logits(logits_fake, zeros_like(logits_fake));
    loss_d.backward();
    discriminator_optimizer->step();

    set_requires_grad(discriminator->parameters(), false);
    generator_optimizer->zero_grad();
    Tensor logits_generated = discriminator->forward(generator->forward(z));
    Tensor loss_g = F::binary_cross_entropy_with_logits(logits_generated, ones_like(logits_generated));
    loss_g.backward();
    generator_optimizer->step();
    set_requires_grad(discriminator->parameters(), true);
    return loss_d.item() + loss_g.item();
  };
  return {batch, list.gemms(), iteration};
}

// The semi-supervised GAN iteration of the yardstick on apps/ssl's models.
BenchModel semi_supervised(const std::string& arch, GemmList list, Device device) {
  const apps::SslArchitecture architecture = apps::ssl_architecture(arch);
  const int64_t batch = architecture.batch_size;
  Generator init(1), data(2);
  auto noise = std::make_shared<Generator>(3);  // D's dropout and noise layers keep a pointer to it
  auto generator = apps::make_ssl_generator(arch, init);
  auto discriminator = apps::make_ssl_discriminator(arch, init, *noise);
  std::vector<int64_t> image_shape = {batch};
  image_shape.insert(image_shape.end(), architecture.image_shape.begin(), architecture.image_shape.end());
  const double low = architecture.range == data::PixelRange::kZeroToOne ? 0.0 : -1.0;
  generator->to(device);
  discriminator->to(device);
  const Tensor real = uniform(image_shape, low, 1.0, data).to(device);
  const Tensor z =
      uniform({batch, apps::kSslLatentSize}, architecture.latent_low, architecture.latent_high, data).to(device);
  std::vector<int64_t> label_values(batch);
  for (int64_t i = 0; i < batch; ++i) label_values[i] = (i * 7) % apps::kSslClasses;
  const Tensor labels = tensor(label_values).to(device);
  const Tensor labeled_mask = cat({ones({batch / 10}), zeros({batch - batch / 10})}, 0).to(device);
  {
    NoGradGuard no_grad;
    discriminator->initialize_from_batch(real);
    generator->initialize_from_batch(z);
  }
  const std::vector<Tensor> discriminator_parameters = apps::trainable_parameters(*discriminator);
  auto generator_optimizer =
      std::make_shared<optim::Adam>(apps::trainable_parameters(*generator), adam_options(architecture.learning_rate));
  auto discriminator_optimizer =
      std::make_shared<optim::Adam>(discriminator_parameters, adam_options(architecture.learning_rate));
  F::SemiSupervisedLossOptions options;
  options.unsupervised_weight = 1.0;  // the yardstick's loss: BCE(real) + BCE(fake) + masked CE

  auto iteration = [=] {
    (void)noise;  // held alive with the models
    Tensor fake;
    {
      NoGradGuard no_grad;
      fake = generator->forward(z);
    }
    discriminator_optimizer->zero_grad();
    Tensor logits_real = discriminator->classify(real).logits;
    Tensor logits_fake = discriminator->classify(fake).logits;
    F::DiscriminatorLoss loss_d =
        F::semi_supervised_discriminator_loss(logits_real, labels, labeled_mask, logits_real, logits_fake, options);
    loss_d.total.backward();
    discriminator_optimizer->step();

    set_requires_grad(discriminator_parameters, false);
    generator_optimizer->zero_grad();
    Tensor real_features;
    {
      NoGradGuard no_grad;
      real_features = discriminator->classify(real).features;
    }
    Tensor fake_features = discriminator->classify(generator->forward(z)).features;
    Tensor loss_g = F::feature_matching_loss(real_features, fake_features, false);
    loss_g.backward();
    generator_optimizer->step();
    set_requires_grad(discriminator_parameters, true);
    return loss_d.total.item() + loss_g.item();
  };
  return {batch, list.gemms(), iteration};
}

BenchModel ssl_svhn(Device device) {
  GemmList list(128);
  list.add("G linear 100->8192", Kind::Linear, generator_passes(true), 100, 8192);
  list.add("G convT 512->256 k5 4->8", Kind::ConvTranspose, generator_passes(false), 512, 256, 5, 4);
  list.add("G convT 256->128 k5 8->16", Kind::ConvTranspose, generator_passes(false), 256, 128, 5, 8);
  list.add("G convT 128->3 k5 16->32", Kind::ConvTranspose, generator_passes(false), 128, 3, 5, 16);
  const int64_t convs[7][4] = {{3, 64, 2, 16},   {64, 64, 2, 8},    {64, 64, 2, 4},  {64, 128, 1, 4},
                               {128, 128, 1, 4}, {128, 128, 2, 2}, {128, 128, 1, 2}};  // in, out, stride, out size
  for (int i = 0; i < 7; ++i) {
    const auto& c = convs[i];
    list.add("D conv " + std::to_string(c[0]) + "->" + std::to_string(c[1]) + " k3 s" + std::to_string(c[2]) + " ->" +
                 std::to_string(c[3]),
             Kind::Conv, discriminator_passes(i == 0, true), c[0], c[1], 3, c[3]);
  }
  list.add("D linear 128->10", Kind::Linear, discriminator_passes(false, true), 128, 10);
  return semi_supervised("svhn-blog", list, device);
}

BenchModel ssl_mnist(Device device) {
  GemmList list(100);
  const int64_t generator_sizes[4] = {100, 500, 500, 784};
  for (int i = 0; i < 3; ++i)
    list.add("G linear " + std::to_string(generator_sizes[i]) + "->" + std::to_string(generator_sizes[i + 1]),
             Kind::Linear, generator_passes(i == 0), generator_sizes[i], generator_sizes[i + 1]);
  const int64_t discriminator_sizes[7] = {784, 1000, 500, 250, 250, 250, 10};
  for (int i = 0; i < 6; ++i)
    list.add("D linear " + std::to_string(discriminator_sizes[i]) + "->" + std::to_string(discriminator_sizes[i + 1]),
             Kind::Linear, discriminator_passes(i == 0, true), discriminator_sizes[i], discriminator_sizes[i + 1]);
  return semi_supervised("mnist-mlp", list, device);
}

// ---- helpers ------------------------------------------------------------------------------
double median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

double elapsed_ms(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

std::string load_average() {
  std::ifstream file("/proc/loadavg");
  std::string one, five, fifteen;
  file >> one >> five >> fifteen;
  return one + " " + five + " " + fifteen;
}

// The number `key` of `model`'s entry in bench/pytorch_ref.py's JSON (the
// entries are flat objects); `absent` if it is not there.
double pytorch_number(const std::string& path, const std::string& model, const std::string& key, double absent) {
  std::ifstream file(path);
  if (!file) return absent;
  std::stringstream text;
  text << file.rdbuf();
  const std::string json = text.str();
  const size_t entry = json.find("\"" + model + "\"");
  if (entry == std::string::npos) return absent;
  const std::string quoted = "\"" + key + "\":";
  const size_t found = json.find(quoted, entry);
  if (found == std::string::npos || found > json.find('}', entry)) return absent;
  const char* value = json.c_str() + found + quoted.size();
  while (*value == ' ') ++value;
  return std::strncmp(value, "null", 4) == 0 ? absent : std::atof(value);
}

struct Result {
  std::string model;
  double ours_ms = 0, bound_ms = 0, pytorch_ms = 0, gflop = 0;  // 0: not measured
  double one_thread_ms = 0, one_thread_bound_ms = 0;
  bench::PeakMemory memory, pytorch_memory;
};

struct Times {
  double ours_ms, bound_ms;
};

// Medians of `reps` iterations, each followed by the GEMM-only iteration, so
// that a shared machine's load hits both alike.
Times time_iterations(BenchModel& model, std::vector<RawGemm>& raw, int reps, int warmup) {
  auto gemm_only_iteration = [&] {
    for (RawGemm& r : raw)
      for (int i = 0; i < r.shape().count; ++i) r.run();
  };
  for (int i = 0; i < warmup; ++i) {
    model.iteration();
    gemm_only_iteration();
  }
  std::vector<double> ours, bound;
  for (int i = 0; i < reps; ++i) {
    auto start = std::chrono::steady_clock::now();
    model.iteration();
    ours.push_back(elapsed_ms(start));
    start = std::chrono::steady_clock::now();
    gemm_only_iteration();
    bound.push_back(elapsed_ms(start));
  }
  return {median(ours), raw.empty() ? 0.0 : median(bound)};
}

// `build` makes the model afresh: once to measure the memory that building it
// and 3 iterations add, once to time it at `threads` and, for the scaling,
// at 1 thread (when `threads` > 1, on the CPU).
Result run_benchmark(const std::string& name, const std::function<BenchModel()>& build, int reps, int warmup,
                     int threads, const std::string& pytorch_json, Device device) {
  Result result;
  result.model = name;
  result.memory = bench::peak_memory([&] {
    BenchModel model = build();
    for (int i = 0; i < 3; ++i) model.iteration();
  });
  BenchModel model = build();
  std::printf("\n== %s (batch %lld) on %s\n", name.c_str(), static_cast<long long>(model.batch), device.str().c_str());
  std::vector<RawGemm> raw;
  if (device.is_cpu())  // the GEMM-only bound is OpenBLAS's: a CPU floor
    for (const Gemm& g : model.gemms) raw.emplace_back(g);

  const bool profile = profiling_enabled();
  set_profiling(false);
  const Times times = time_iterations(model, raw, reps, warmup);
  result.ours_ms = times.ours_ms;
  result.bound_ms = times.bound_ms;
  if (threads > 1 && device.is_cpu()) {
    set_num_threads(1);
    const Times one_thread = time_iterations(model, raw, reps, 1);
    set_num_threads(threads);
    result.one_thread_ms = one_thread.ours_ms;
    result.one_thread_bound_ms = one_thread.bound_ms;
  }

  // Each product on its own, for the table (median of 5 calls).
  if (!raw.empty()) std::printf("%-28s %-12s %2s %6s %6s %6s %6s %9s %8s\n", "GEMM-only bound: layer", "pass", "op", "M", "N", "K",
              "count", "ms each", "GFLOP/s");
  double flops = 0;
  for (const Gemm& g : model.gemms) flops += 2.0 * g.m * g.n * g.k * g.count;
  for (RawGemm& r : raw) {
    const Gemm& g = r.shape();
    std::vector<double> times;
    r.run();
    for (int i = 0; i < 5; ++i) {
      auto start = std::chrono::steady_clock::now();
      r.run();
      times.push_back(elapsed_ms(start));
    }
    const double ms = median(times), gemm_flops = 2.0 * g.m * g.n * g.k;
    std::printf("%-28s %-12s %c%c %6lld %6lld %6lld %6d %9.3f %8.1f\n", g.layer.c_str(), g.pass,
                g.transpose_a ? 'T' : 'N', g.transpose_b ? 'T' : 'N', static_cast<long long>(g.m),
                static_cast<long long>(g.n), static_cast<long long>(g.k), g.count, ms, gemm_flops / ms * 1e-6);
  }

  if (profile) {
    set_profiling(true);
    profile_reset();
    const int profiled = 3;
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < profiled; ++i) model.iteration();
    const double total = elapsed_ms(start) / profiled;
    set_profiling(false);
    std::printf("\nWhere one iteration's time goes (GS_PROFILE; mean of %d iterations, %.1f ms each):\n", profiled,
                total);
    std::printf("%s", profile_table(total * profiled).c_str());
    std::printf("(ms and calls are summed over the %d iterations; shares are of their total)\n", profiled);
  }
  result.gflop = flops * 1e-9;
  if (!pytorch_json.empty()) {
    result.pytorch_ms = pytorch_number(pytorch_json, name, "median_ms", 0);
    result.pytorch_memory.peak_mib = pytorch_number(pytorch_json, name, "peak_mib", -1);
    result.pytorch_memory.added_mib = pytorch_number(pytorch_json, name, "added_mib", -1);
  }
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 2, reps = 10, warmup = 2;
  std::string pytorch_json, models = "dcgan_mnist,ssl_svhn,ssl_mnist", device_name = "cpu";
  for (int i = 1; i < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h" || i + 1 >= argc) {
      std::printf(
          "usage: %s [--models dcgan_mnist,ssl_svhn,ssl_mnist] [--reps 10] [--warmup 2] [--threads 2]\n"
          "          [--pytorch build/pytorch_ref.json] [--device cpu|cuda]\n"
          "Times one training iteration of each model against its GEMM-only bound and, given\n"
          "bench/pytorch_ref.py's JSON from the same sitting, against PyTorch; then the speed-up\n"
          "from 1 thread and the peak memory (RSS) of each model. GS_PROFILE=1 adds where the\n"
          "time goes.\n",
          argv[0]);
      return flag == "--help" || flag == "-h" ? 0 : 2;
    }
    if (flag == "--reps") reps = std::atoi(argv[i + 1]);
    else if (flag == "--threads") threads = std::atoi(argv[i + 1]);
    else if (flag == "--warmup") warmup = std::atoi(argv[i + 1]);
    else if (flag == "--pytorch") pytorch_json = argv[i + 1];
    else if (flag == "--models") models = argv[i + 1];
    else if (flag == "--device") device_name = argv[i + 1];
    else {
      std::fprintf(stderr, "%s: unknown flag %s (see --help)\n", argv[0], argv[i]);
      return 2;
    }
  }
  if (reps < 1 || warmup < 0) {
    std::fprintf(stderr, "%s: --reps must be at least 1 and --warmup at least 0\n", argv[0]);
    return 2;
  }
  set_num_threads(threads);
  Device device;
  try {
    device = parse_device(device_name);
    backend(device);
  } catch (const Error& e) {
    std::fprintf(stderr, "%s: %s\n", argv[0], e.what());
    return 2;
  }
  const char* wait_policy = std::getenv("OMP_WAIT_POLICY");
  std::printf("BLAS: %s; %d threads; OMP_WAIT_POLICY=%s; median of %d iterations after %d warm-up\n",
              bench::blas_config().c_str(), threads, wait_policy ? wait_policy : "(unset)", reps, warmup);
  const std::string load_before = load_average();
  std::vector<Result> results;
  std::stringstream names(models);
  for (std::string name; std::getline(names, name, ',');) {
    if (name == "dcgan_mnist") results.push_back(run_benchmark(name, [&] { return dcgan_mnist(device); }, reps, warmup, threads,
                                                    pytorch_json, device));
    else if (name == "ssl_svhn") results.push_back(run_benchmark(name, [&] { return ssl_svhn(device); }, reps, warmup, threads,
                                                    pytorch_json, device));
    else if (name == "ssl_mnist") results.push_back(run_benchmark(name, [&] { return ssl_mnist(device); }, reps, warmup, threads,
                                                    pytorch_json, device));
    else {
      std::fprintf(stderr, "%s: unknown model '%s' (expected dcgan_mnist, ssl_svhn or ssl_mnist)\n", argv[0],
                   name.c_str());
      return 2;
    }
  }

  // The machine's GEMM rate on a large square, for scale.
  const int64_t square = 2048;
  RawGemm square_gemm({"square", "", false, false, square, square, square, 1});
  const double square_ms = bench::median_ms([&] { square_gemm.run(); }, 5, 1);
  std::printf("\nload average: %s before, %s after; sgemm %lld^3: %.1f GFLOP/s\n", load_before.c_str(),
              load_average().c_str(), static_cast<long long>(square),
              2.0 * square * square * square / square_ms * 1e-6);
  std::printf("%-12s %7s %12s %12s %12s %10s %10s %10s\n", "one iteration", "GFLOP", "bound ms", "gradschool",
              "PyTorch ms", "ours/bound", "PT/bound", "ours/PT");
  for (const Result& r : results) {
    char bound[2][16] = {"-", "-"}, pytorch[3][16] = {"-", "-", "-"};
    if (r.bound_ms > 0) {
      std::snprintf(bound[0], sizeof bound[0], "%.1f", r.bound_ms);
      std::snprintf(bound[1], sizeof bound[1], "%.2f", r.ours_ms / r.bound_ms);
    }
    if (r.pytorch_ms > 0) {
      std::snprintf(pytorch[0], sizeof pytorch[0], "%.1f", r.pytorch_ms);
      if (r.bound_ms > 0) std::snprintf(pytorch[1], sizeof pytorch[1], "%.2f", r.pytorch_ms / r.bound_ms);
      std::snprintf(pytorch[2], sizeof pytorch[2], "%.2f", r.ours_ms / r.pytorch_ms);
    }
    std::printf("%-12s %7.1f %12s %12.1f %12s %10s %10s %10s\n", r.model.c_str(), r.gflop, bound[0], r.ours_ms,
                pytorch[0], bound[1], pytorch[1], pytorch[2]);
  }
  if (pytorch_json.empty()) std::printf("(no PyTorch column: give --pytorch, see bench/pytorch_ref.py)\n");

  // Scaling: the same iterations at 1 thread; memory: the peak RSS of the
  // process while building a model and running 3 iterations, and what that
  // added to the RSS before (PyTorch's the same way, by pytorch_ref.py).
  std::printf("\n%-12s %12s %12s %9s %13s %11s %11s %11s %11s\n", "scaling", "1 thread ms", "threads ms",
              "speedup", "bound speedup", "peak MiB", "added MiB", "PT peak", "PT added");
  auto mib = [](double value) {
    char text[16] = "-";
    if (value >= 0) std::snprintf(text, sizeof text, "%.1f", value);
    return std::string(text);
  };
  for (const Result& r : results) {
    char one[16] = "-", speedup[16] = "-", bound_speedup[16] = "-";
    if (r.one_thread_ms > 0) {
      std::snprintf(one, sizeof one, "%.1f", r.one_thread_ms);
      std::snprintf(speedup, sizeof speedup, "%.2f", r.one_thread_ms / r.ours_ms);
      if (r.bound_ms > 0) std::snprintf(bound_speedup, sizeof bound_speedup, "%.2f", r.one_thread_bound_ms / r.bound_ms);
    }
    std::printf("%-12s %12s %12.1f %9s %13s %11s %11s %11s %11s\n", r.model.c_str(), one, r.ours_ms, speedup,
                bound_speedup, mib(r.memory.peak_mib).c_str(), mib(r.memory.added_mib).c_str(),
                mib(r.pytorch_memory.peak_mib).c_str(), mib(r.pytorch_memory.added_mib).c_str());
  }
  return 0;
}
