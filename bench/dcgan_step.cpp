// One training iteration of the MNIST DCGAN (batch 64, float32), timed against
// the floor any im2col + OpenBLAS design has: the GEMM-only bound, the summed
// time of raw cblas_sgemm calls on every matrix product of one iteration,
// measured in the same process and interleaved with the iterations so that the
// load of a shared machine hits both alike. With PyTorch's time from
// bench/pytorch_ref.py (same machine, same sitting) it prints the three ratios.
//   build/bench/dcgan_step [--reps 10] [--pytorch build/pytorch_ref.json] [--threads 2]
// GS_PROFILE=1 adds a table of where one iteration's time goes (tensor/profile.h).
//
// The models are apps/common/mnist_models.h's; the iteration is
// shared/yardstick/models.py's train_iteration (and apps/mnist_gan's
// GanTrainer::step): D step on a real and a fake batch, then the G step
// through the frozen D; the same z in both; Adam 2e-4, (0.5, 0.999).
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "apps/common/mnist_models.h"
#include "bench/bench_util.h"
#include "nn/nn.h"
#include "optim/optim.h"
#include "tensor/parallel.h"
#include "tensor/profile.h"

using namespace gs;
using apps::dcgan_init;
using apps::make_dcgan_discriminator;
using apps::make_dcgan_generator;

namespace {

constexpr int64_t kBatch = 64, kLatent = 100;

void set_requires_grad(nn::Module& model, bool requires_grad) {
  for (Tensor& parameter : model.parameters()) parameter.requires_grad_(requires_grad);
}

// ---- the GEMM-only bound ---------------------------------------------------------------
// The products nn/im2col.h lowers each layer to, and how often one iteration
// runs each (the yardstick's count): a generator layer runs forward twice (D
// step without grad, G step), its weight gradient once and its input gradient
// once (not for the first layer: z needs none); a discriminator layer runs
// forward 3 times (real, fake, G step), its weight gradient twice (D step) and
// its input gradient 3 times (once for the first layer: only the G step needs
// the gradient of D's input).
struct Gemm {
  const char* layer;
  const char* pass;
  bool transpose_a, transpose_b;
  int64_t m, n, k;
  int count;
};

enum class Kind { Conv, ConvTranspose, Linear };
enum class Role { Generator, Discriminator };

void add_layer(std::vector<Gemm>& gemms, const char* layer, Kind kind, Role role, bool first, int64_t in,
               int64_t out, int64_t kernel, int64_t small_side) {
  const bool generator = role == Role::Generator;
  const int forward = generator ? 2 : 3, weight_grad = generator ? 1 : 2;
  const int input_grad = generator ? (first ? 0 : 1) : (first ? 1 : 3);
  const int64_t pixels = kBatch * small_side * small_side;  // conv2d's output, conv_transpose2d's input
  switch (kind) {
    case Kind::Conv: {  // Y = W cols;  dcols = W^T dY;  dW = dY cols^T
      const int64_t rows = in * kernel * kernel;
      gemms.push_back({layer, "forward", false, false, out, pixels, rows, forward});
      gemms.push_back({layer, "input grad", true, false, rows, pixels, out, input_grad});
      gemms.push_back({layer, "weight grad", false, true, out, rows, pixels, weight_grad});
      break;
    }
    case Kind::ConvTranspose: {  // cols = W^T X;  dX = W im2col(dY);  dW = X im2col(dY)^T
      const int64_t rows = out * kernel * kernel;
      gemms.push_back({layer, "forward", true, false, rows, pixels, in, forward});
      gemms.push_back({layer, "input grad", false, false, in, pixels, rows, input_grad});
      gemms.push_back({layer, "weight grad", false, true, in, rows, pixels, weight_grad});
      break;
    }
    case Kind::Linear:  // Y = X W^T;  dX = dY W;  dW = dY^T X
      gemms.push_back({layer, "forward", false, true, kBatch, out, in, forward});
      gemms.push_back({layer, "input grad", false, false, kBatch, in, out, input_grad});
      gemms.push_back({layer, "weight grad", true, false, out, in, kBatch, weight_grad});
      break;
  }
}

std::vector<Gemm> dcgan_gemms() {
  std::vector<Gemm> gemms;
  const Role G = Role::Generator, D = Role::Discriminator;
  add_layer(gemms, "G linear 100->8192", Kind::Linear, G, true, kLatent, 8192, 1, 1);
  add_layer(gemms, "G convT 512->256 k4 4->7", Kind::ConvTranspose, G, false, 512, 256, 4, 4);
  add_layer(gemms, "G convT 256->128 k5 7->14", Kind::ConvTranspose, G, false, 256, 128, 5, 7);
  add_layer(gemms, "G convT 128->1 k5 14->28", Kind::ConvTranspose, G, false, 128, 1, 5, 14);
  add_layer(gemms, "D conv 1->64 k5 28->14", Kind::Conv, D, true, 1, 64, 5, 14);
  add_layer(gemms, "D conv 64->128 k5 14->7", Kind::Conv, D, false, 64, 128, 5, 7);
  add_layer(gemms, "D conv 128->256 k5 7->4", Kind::Conv, D, false, 128, 256, 5, 4);
  add_layer(gemms, "D linear 4096->1", Kind::Linear, D, false, 4096, 1, 1, 1);
  std::vector<Gemm> used;
  for (const Gemm& g : gemms)
    if (g.count > 0) used.push_back(g);
  return used;
}

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

// ---- helpers ------------------------------------------------------------------------------
double median(std::vector<double> values) {
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

// "median_ms" of `model` in bench/pytorch_ref.py's JSON; 0 if absent.
double pytorch_median_ms(const std::string& path, const std::string& model) {
  std::ifstream file(path);
  if (!file) return 0;
  std::stringstream text;
  text << file.rdbuf();
  const std::string json = text.str();
  const size_t entry = json.find("\"" + model + "\"");
  if (entry == std::string::npos) return 0;
  const size_t key = json.find("\"median_ms\":", entry);
  if (key == std::string::npos) return 0;
  return std::atof(json.c_str() + key + std::strlen("\"median_ms\":"));
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 2, reps = 10, warmup = 2;
  std::string pytorch_json;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--reps") reps = std::atoi(argv[i + 1]);
    else if (flag == "--threads") threads = std::atoi(argv[i + 1]);
    else if (flag == "--warmup") warmup = std::atoi(argv[i + 1]);
    else if (flag == "--pytorch") pytorch_json = argv[i + 1];
    else {
      std::fprintf(stderr, "unknown flag %s\n", argv[i]);
      return 2;
    }
  }
  set_num_threads(threads);
  const char* wait_policy = std::getenv("OMP_WAIT_POLICY");
  std::printf("BLAS: %s; %d threads; OMP_WAIT_POLICY=%s; batch %lld; median of %d iterations after %d warm-up\n",
              bench::blas_config().c_str(), threads, wait_policy ? wait_policy : "(unset)",
              static_cast<long long>(kBatch), reps, warmup);

  Generator init(1), data(2);
  auto generator = make_dcgan_generator(init);
  auto discriminator = make_dcgan_discriminator(init);
  dcgan_init(*generator, init);
  dcgan_init(*discriminator, init);
  optim::AdamOptions adam;
  adam.lr = 2e-4;
  adam.beta1 = 0.5;
  adam.beta2 = 0.999;
  optim::Adam generator_optimizer(generator->parameters(), adam);
  optim::Adam discriminator_optimizer(discriminator->parameters(), adam);
  const Tensor real = uniform({kBatch, 1, 28, 28}, -1.0, 1.0, data);
  const Tensor z = randn({kBatch, kLatent}, data);

  auto iteration = [&] {
    Tensor fake;
    {
      NoGradGuard no_grad;
      fake = generator->forward(z);
    }
    discriminator_optimizer.zero_grad();
    Tensor logits_real = discriminator->forward(real);
    Tensor logits_fake = discriminator->forward(fake);
    Tensor loss_d = F::binary_cross_entropy_with_logits(logits_real, ones_like(logits_real)) +
                    F::binary_cross_entropy_with_logits(logits_fake, zeros_like(logits_fake));
    loss_d.backward();
    discriminator_optimizer.step();

    set_requires_grad(*discriminator, false);
    generator_optimizer.zero_grad();
    Tensor logits_generated = discriminator->forward(generator->forward(z));
    Tensor loss_g = F::binary_cross_entropy_with_logits(logits_generated, ones_like(logits_generated));
    loss_g.backward();
    generator_optimizer.step();
    set_requires_grad(*discriminator, true);
    return loss_d.item() + loss_g.item();
  };

  std::vector<RawGemm> raw;
  for (const Gemm& g : dcgan_gemms()) raw.emplace_back(g);
  auto gemm_only_iteration = [&] {
    for (RawGemm& r : raw)
      for (int i = 0; i < r.shape().count; ++i) r.run();
  };

  const bool profile = profiling_enabled();
  set_profiling(false);
  for (int i = 0; i < warmup; ++i) {
    iteration();
    gemm_only_iteration();
  }
  const std::string load_before = load_average();
  std::vector<double> ours, bound;
  for (int i = 0; i < reps; ++i) {
    auto start = std::chrono::steady_clock::now();
    iteration();
    ours.push_back(elapsed_ms(start));
    start = std::chrono::steady_clock::now();
    gemm_only_iteration();
    bound.push_back(elapsed_ms(start));
  }
  const std::string load_after = load_average();

  // Each product on its own, for the table (median of 5 calls).
  std::printf("\n%-28s %-12s %2s %6s %6s %6s %6s %9s %8s\n", "GEMM-only bound: layer", "pass", "op", "M", "N", "K",
              "count", "ms each", "GFLOP/s");
  double flops = 0;
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
    flops += gemm_flops * g.count;
    std::printf("%-28s %-12s %c%c %6lld %6lld %6lld %6d %9.3f %8.1f\n", g.layer, g.pass, g.transpose_a ? 'T' : 'N',
                g.transpose_b ? 'T' : 'N', static_cast<long long>(g.m), static_cast<long long>(g.n),
                static_cast<long long>(g.k), g.count, ms, gemm_flops / ms * 1e-6);
  }

  if (profile) {
    set_profiling(true);
    profile_reset();
    const int profiled = 3;
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < profiled; ++i) iteration();
    const double total = elapsed_ms(start) / profiled;
    set_profiling(false);
    std::vector<ProfileEntry> entries = profile_entries();
    std::printf("\nWhere one iteration's time goes (GS_PROFILE; mean of %d iterations, %.1f ms each):\n", profiled,
                total);
    std::string table = profile_table(total * profiled);
    std::printf("%s", table.c_str());
    std::printf("(ms and calls are summed over the %d iterations; shares are of their total)\n", profiled);
  }

  // The machine's GEMM rate on a large square, for scale.
  const int64_t square = 2048;
  RawGemm square_gemm({"square", "", false, false, square, square, square, 1});
  const double square_ms = bench::median_ms([&] { square_gemm.run(); }, 5, 1);

  const double ours_ms = median(ours), bound_ms = median(bound);
  std::printf("\nload average: %s before, %s after\n", load_before.c_str(), load_after.c_str());
  std::printf("%-34s %10s %10s %10s\n", "dcgan_mnist, one iteration", "ms", "/ GEMM", "/ PyTorch");
  const double pytorch_ms = pytorch_json.empty() ? 0 : pytorch_median_ms(pytorch_json, "dcgan_mnist");
  std::printf("%-34s %10.1f %10.2f %10s\n", "GEMM-only bound (raw sgemm)", bound_ms, 1.0, "");
  std::printf("  (%.1f GFLOP per iteration: %.1f GFLOP/s at the bound; sgemm %lld^3: %.1f GFLOP/s)\n", flops * 1e-9,
              flops / bound_ms * 1e-6, static_cast<long long>(square), 2.0 * square * square * square / square_ms * 1e-6);
  if (pytorch_ms > 0) {
    std::printf("%-34s %10.1f %10.2f %10.2f\n", "PyTorch (bench/pytorch_ref.py)", pytorch_ms, pytorch_ms / bound_ms,
                1.0);
    std::printf("%-34s %10.1f %10.2f %10.2f\n", "gradschool", ours_ms, ours_ms / bound_ms, ours_ms / pytorch_ms);
  } else {
    std::printf("%-34s %10.1f %10.2f %10s\n", "gradschool", ours_ms, ours_ms / bound_ms,
                pytorch_json.empty() ? "(no --pytorch)" : "(not in JSON)");
  }
  return 0;
}
