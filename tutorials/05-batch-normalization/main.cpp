// Chapter 5: batch normalisation per feature and per feature map, the roles of
// gamma and beta, and training vs evaluation mode.
// The chapter's README walks through this program and shows its output.
#include <cmath>
#include <cstdio>

#include "nn/functional.h"

using namespace gs;

// Prints the values of a small tensor with four decimals ("-0.0000" shown as "0.0000").
void print(const char* label, const Tensor& t) {
  std::printf("%s [", label);
  std::vector<double> values = t.to_vector<double>();
  for (size_t i = 0; i < values.size(); ++i) {
    const double v = std::abs(values[i]) < 5e-5 ? 0.0 : values[i];
    std::printf(i ? ", %.4f" : "%.4f", v);
  }
  std::printf("]\n");
}

int main() {
  Generator gen(5);

  // 1. Per feature: a batch of 8 examples with 3 features on very different scales.
  Tensor scales = tensor(std::vector<double>{1, 10, 100}), offsets = tensor(std::vector<double>{0, 5, -50});
  Tensor features = randn({8, 3}, gen, kFloat64) * scales + offsets;
  print("feature means before:", features.mean({0}));
  print("feature stds before: ", sqrt(var(features, {0}, false)));
  Tensor normalized = F::batch_norm(features, Tensor(), Tensor(), Tensor(), Tensor(), true);
  print("feature means after: ", normalized.mean({0}));
  print("feature stds after:  ", sqrt(var(normalized, {0}, false)));

  // 2. Per feature map: images [N, C, H, W] share one mean and variance per
  //    channel, taken over the batch and over every pixel.
  Tensor maps = randn({4, 2, 3, 3}, gen, kFloat64) * 3.0 + 7.0;
  Tensor normalized_maps = F::batch_norm(maps, Tensor(), Tensor(), Tensor(), Tensor(), true);
  print("channel means after: ", normalized_maps.mean({0, 2, 3}));
  print("channel stds after:  ", sqrt(var(normalized_maps, {0, 2, 3}, false)));

  // 3. gamma and beta give the layer back the scale and shift it took away:
  //    with gamma = std and beta = mean it can even undo the normalisation.
  Tensor gamma = tensor(std::vector<double>{2, 0.5, 1}), beta = tensor(std::vector<double>{1, -1, 0});
  Tensor scaled = F::batch_norm(features, gamma, beta, Tensor(), Tensor(), true);
  print("means with beta:     ", scaled.mean({0}));
  print("stds with gamma:     ", sqrt(var(scaled, {0}, false)));
  Tensor undo = F::batch_norm(features, sqrt(var(features, {0}, false) + 1e-5), features.mean({0}), Tensor(),
                              Tensor(), true, 0.1, 1e-5);
  std::printf("undoing it gives back the input (largest difference below 1e-9): %s\n",
              max(abs(undo - features)).item() < 1e-9 ? "yes" : "no");

  // 4. Training mode moves running estimates towards each batch's statistics
  //    (momentum 0.1); eval mode normalises with those estimates instead, so an
  //    example's output no longer depends on the rest of its batch.
  Tensor running_mean = zeros({3}, kFloat64), running_var = ones({3}, kFloat64);
  for (int step = 1; step <= 50; ++step) {
    Tensor batch = randn({16, 3}, gen, kFloat64) * scales + offsets;
    F::batch_norm(batch, Tensor(), Tensor(), running_mean, running_var, true, 0.1);
    if (step == 1 || step == 10 || step == 50) {
      std::printf("after %2d batches: ", step);
      print("running mean", running_mean);
    }
  }
  print("running std:         ", sqrt(running_var));
  Tensor one_example = tensor(std::vector<double>{0, 5, -50}, {1, 3});  // exactly the true mean
  print("eval output for the mean example:", F::batch_norm(one_example, Tensor(), Tensor(), running_mean,
                                                           running_var, false));
  try {
    F::batch_norm(one_example, Tensor(), Tensor(), running_mean, running_var, true);
  } catch (const Error& e) {
    std::printf("training mode on it: %s\n", e.what());
  }
  return 0;
}
