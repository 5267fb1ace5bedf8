// Optimizers on cuda:0 against the CPU: SGD (momentum, dampening, Nesterov,
// weight decay) and Adam (both epsilon placements, weight decay) over several
// steps, and the moving average, on parameters of odd sizes.
#include "autograd/ops.h"
#include "optim/optim.h"
#include "optim/polyak_average.h"
#include "tests/parity/parity.h"

using namespace gs;
using gs::testing::expect_same_on_devices;

namespace {

Tensor input(const Shape& shape, uint64_t seed) {
  Generator gen(seed);
  return randn(shape, gen).detach().requires_grad_();
}

// Five steps of `make`'s optimizer on sum((p - 1)^3 / 3 + p^2 w); the parameters after them.
template <typename MakeOptimizer>
std::vector<Tensor> train(const std::vector<Tensor>& params, MakeOptimizer make) {
  auto optimizer = make(params);
  for (int step = 0; step < 5; ++step) {
    optimizer->zero_grad();
    Tensor loss = zeros({}, params[0].options());
    for (const Tensor& p : params) loss = loss + (pow(p - 1.0, 3.0) / 3.0 + square(p) * 0.5).sum();
    loss.backward();
    optimizer->step();
  }
  std::vector<Tensor> after;
  for (const Tensor& p : params) after.push_back(p.detach().clone());
  return after;
}

const std::vector<Shape> kShapes = {{1}, {257}, {3, 5, 7}};

}  // namespace

TEST_CASE("[cuda] SGD steps agree with the CPU") {
  for (bool nesterov : {false, true}) {
    for (double dampening : {0.0, 0.3}) {
      if (nesterov && dampening != 0) continue;
      optim::SGDOptions options;
      options.lr = 0.05;
      options.momentum = 0.9;
      options.dampening = dampening;
      options.weight_decay = 0.01;
      options.nesterov = nesterov;
      expect_same_on_devices("SGD nesterov " + std::to_string(nesterov) + " dampening " + std::to_string(dampening),
                             {input(kShapes[0], 1), input(kShapes[1], 2), input(kShapes[2], 3)},
                             [&](const std::vector<Tensor>& in) {
                               return train(in, [&](const std::vector<Tensor>& p) {
                                 return std::make_unique<optim::SGD>(p, options);
                               });
                             });
    }
  }
  expect_same_on_devices("SGD without momentum", {input({33}, 4)}, [](const std::vector<Tensor>& in) {
    return train(in, [](const std::vector<Tensor>& p) { return std::make_unique<optim::SGD>(p, optim::SGDOptions{}); });
  });
}

TEST_CASE("[cuda] Adam steps agree with the CPU") {
  for (bool inside : {false, true}) {
    optim::AdamOptions options = optim::AdamOptions::gan();
    options.eps_inside_sqrt = inside;
    options.weight_decay = inside ? 0.0 : 0.02;
    expect_same_on_devices(std::string("Adam, epsilon ") + (inside ? "inside" : "outside") + " the square root",
                           {input(kShapes[0], 5), input(kShapes[1], 6), input(kShapes[2], 7)},
                           [&](const std::vector<Tensor>& in) {
                             return train(in, [&](const std::vector<Tensor>& p) {
                               return std::make_unique<optim::Adam>(p, options);
                             });
                           });
  }
}

TEST_CASE("[cuda] the moving average of parameters agrees with the CPU") {
  expect_same_on_devices("PolyakAverage", {input({4, 9}, 8), input({9}, 9)}, [](const std::vector<Tensor>& in) {
    std::vector<Tensor> params = {in[0].detach(), in[1].detach()};
    optim::PolyakAverage average(params, 0.9);
    for (int step = 0; step < 3; ++step) {
      for (Tensor& p : params) p.mul_(0.5).add_(ones_like(p));
      average.update();
    }
    std::vector<Tensor> targets = {zeros_like(params[0]), zeros_like(params[1])};
    average.copy_to(targets);
    return targets;
  });
}
