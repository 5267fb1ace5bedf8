// Chapter 2: linear layers, activations, the stable logsumexp and sigmoid
// cross-entropy, and a small MLP trained by gradient descent.
// The chapter's README walks through this program and shows its output.
#include <cmath>
#include <cstdio>
#include <string>

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
  // 1. A linear layer: y = x W^T + b maps 3 features to 2.
  Tensor x = tensor(std::vector<double>{1, 2, 3, -1, 0, 1}, {2, 3});
  Tensor weight = tensor(std::vector<double>{0.5, -1, 0.25, 1, 1, 1}, {2, 3});
  Tensor bias = tensor(std::vector<double>{0.1, -0.1});
  print("linear:", F::linear(x, weight, bias));

  // 2. Activations bend the line; without them stacked layers stay one linear map.
  Tensor z = tensor(std::vector<double>{-2, -0.5, 0, 0.5, 2});
  print("relu:       ", relu(z));
  print("leaky_relu: ", leaky_relu(z, 0.2));
  print("tanh:       ", tanh(z));
  print("sigmoid:    ", sigmoid(z));
  print("softplus:   ", softplus(z));

  // 3. logsumexp: the textbook formula overflows, the shifted one does not.
  Tensor big = tensor(std::vector<double>{1000, 1000});
  std::printf("naive  log(sum(exp([1000, 1000]))) = %f\n", log(sum(exp(big))).item());
  std::printf("stable logsumexp([1000, 1000])     = %.6f (1000 + log 2 = %.6f)\n", F::logsumexp(big, 0).item(),
              1000 + std::log(2.0));

  // 4. Sigmoid cross-entropy of a confident wrong answer: logit 1000, target 0.
  Tensor logit = tensor(std::vector<double>{1000}), target = tensor(std::vector<double>{0});
  std::printf("naive  -log(1 - sigmoid(1000))     = %f\n", (-log(1.0 - sigmoid(logit))).item());
  std::printf("stable BCE with logits             = %.4f\n", F::binary_cross_entropy_with_logits(logit, target).item());

  // 5. An MNIST-shaped MLP, 784 -> 128 -> 10, learns to fit 64 random "images"
  //    with arbitrary labels: the loss falls from a guess's (about log 10) towards 0.
  Generator gen(42);
  Tensor images = randn({64, 784}, gen, kFloat64);
  Tensor labels = randperm(64, gen);
  std::vector<int64_t> classes = labels.to_vector<int64_t>();
  for (int64_t& c : classes) c %= 10;  // a shuffled 0..63, folded into the 10 classes
  labels = tensor(classes);
  Tensor w1 = (randn({128, 784}, gen, kFloat64) * std::sqrt(2.0 / 784)).requires_grad_();
  Tensor b1 = zeros({128}, kFloat64).requires_grad_();
  Tensor w2 = (randn({10, 128}, gen, kFloat64) * std::sqrt(1.0 / 128)).requires_grad_();
  Tensor b2 = zeros({10}, kFloat64).requires_grad_();
  const double learning_rate = 0.1;
  for (int step = 0; step <= 100; ++step) {
    Tensor hidden = leaky_relu(F::linear(images, w1, b1), 0.2);
    Tensor loss = F::cross_entropy(F::linear(hidden, w2, b2), labels);
    if (step % 20 == 0) std::printf("step %3d  loss %.4f\n", step, loss.item());
    loss.backward();
    for (Tensor* p : {&w1, &b1, &w2, &b2}) {  // gradient descent: p -= lr * dL/dp
      p->detach().add_(p->grad(), -learning_rate);
      p->zero_grad();
    }
  }
  return 0;
}
