// Optimizers and schedulers against the update formulas written out by hand
// (plain double arithmetic here, independent of the optimizer's kernels).
#include <cmath>
#include <cstring>
#include <unistd.h>

#include "nn/nn.h"
#include "optim/optim.h"
#include "tests/helpers.h"

using namespace gs;
using gs::testing::error_message;
using gs::testing::expect_close;

namespace {

const std::vector<std::vector<double>> kGradients = {{0.5, 1.0}, {-1.0, 0.25}, {2.0, -0.5}, {0.1, 0.0}};

Tensor parameter(std::vector<double> values) { return tensor(values).requires_grad_(); }

// Runs `optimizer` over kGradients on p (starting at [1, -2]) and returns p after each step.
template <typename Optimizer>
std::vector<std::vector<double>> run(Tensor& p, Optimizer& optimizer) {
  std::vector<std::vector<double>> trajectory;
  for (const auto& g : kGradients) {
    p.set_grad(tensor(g));
    optimizer.step();
    trajectory.push_back(p.to_vector<double>());
  }
  return trajectory;
}

void expect_trajectory(const std::vector<std::vector<double>>& actual, const std::vector<std::vector<double>>& expected) {
  for (size_t step = 0; step < expected.size(); ++step)
    for (size_t i = 0; i < 2; ++i) {
      INFO("step " << step + 1 << ", element " << i);
      CHECK(actual[step][i] == doctest::Approx(expected[step][i]).epsilon(1e-12));
    }
}

// PyTorch's SGD written out: d = g + wd p; b = d (first) or mu b + (1 - damp) d; p -= lr (nesterov ? d + mu b : b).
std::vector<std::vector<double>> sgd_by_hand(double lr, double mu, double dampening, double wd, bool nesterov) {
  std::vector<double> p{1.0, -2.0}, b{0, 0};
  std::vector<std::vector<double>> out;
  for (size_t t = 0; t < kGradients.size(); ++t) {
    for (size_t i = 0; i < 2; ++i) {
      double d = kGradients[t][i] + wd * p[i];
      if (mu != 0) {
        b[i] = t == 0 ? d : mu * b[i] + (1 - dampening) * d;
        d = nesterov ? d + mu * b[i] : b[i];
      }
      p[i] -= lr * d;
    }
    out.push_back(p);
  }
  return out;
}

std::vector<std::vector<double>> adam_by_hand(double lr, double beta1, double beta2, double eps, bool inside) {
  std::vector<double> p{1.0, -2.0}, m{0, 0}, v{0, 0};
  std::vector<std::vector<double>> out;
  for (size_t t = 1; t <= kGradients.size(); ++t) {
    for (size_t i = 0; i < 2; ++i) {
      double g = kGradients[t - 1][i];
      m[i] = beta1 * m[i] + (1 - beta1) * g;
      v[i] = beta2 * v[i] + (1 - beta2) * g * g;
      double m_hat = m[i] / (1 - std::pow(beta1, t)), v_hat = v[i] / (1 - std::pow(beta2, t));
      p[i] -= lr * m_hat / (inside ? std::sqrt(v_hat + eps) : std::sqrt(v_hat) + eps);
    }
    out.push_back(p);
  }
  return out;
}

}  // namespace

TEST_CASE("SGD: plain, momentum, dampening, Nesterov and weight decay follow PyTorch's formulas") {
  struct Case {
    double lr, momentum, dampening, weight_decay;
    bool nesterov;
  };
  for (Case c : {Case{0.1, 0, 0, 0, false}, Case{0.1, 0.9, 0, 0, false}, Case{0.05, 0.9, 0.3, 0, false},
                 Case{0.1, 0.9, 0, 0, true}, Case{0.1, 0.8, 0, 0.01, true}, Case{0.2, 0.5, 0, 0.1, false}}) {
    INFO("lr " << c.lr << " momentum " << c.momentum << " dampening " << c.dampening << " wd " << c.weight_decay
               << " nesterov " << c.nesterov);
    Tensor p = parameter({1.0, -2.0});
    optim::SGDOptions options;
    options.lr = c.lr;
    options.momentum = c.momentum;
    options.dampening = c.dampening;
    options.weight_decay = c.weight_decay;
    options.nesterov = c.nesterov;
    optim::SGD sgd({p}, options);
    expect_trajectory(run(p, sgd), sgd_by_hand(c.lr, c.momentum, c.dampening, c.weight_decay, c.nesterov));
  }
  optim::SGDOptions bad;
  bad.nesterov = true;
  CHECK(error_message([&] { optim::SGD({parameter({1.0})}, bad); }).find("Nesterov momentum needs momentum > 0") !=
        std::string::npos);
}

TEST_CASE("Adam is bias-corrected, with eps outside or (Salimans et al.) inside the square root") {
  for (bool inside : {false, true}) {
    INFO("eps inside sqrt: " << inside);
    Tensor p = parameter({1.0, -2.0});
    optim::AdamOptions options = optim::AdamOptions::gan();
    options.eps = 1e-3;  // large enough that where it sits changes the result visibly
    options.eps_inside_sqrt = inside;
    optim::Adam adam({p}, options);
    expect_trajectory(run(p, adam), adam_by_hand(2e-4, 0.5, 0.999, 1e-3, inside));
  }
  // The first step moves every element by about lr, whatever the gradient's scale.
  Tensor p = parameter({0.0, 0.0});
  optim::Adam adam({p});
  p.set_grad(tensor(std::vector<double>{1e-3, -50.0}));
  adam.step();
  expect_close(p, tensor(std::vector<double>{-1e-3, 1e-3}), 1e-8, 0);
}

TEST_CASE("Adam leaves frozen parameters and parameters without a gradient unchanged") {
  Tensor trained = parameter({1.0, 2.0});
  Tensor frozen = tensor(std::vector<double>{3.0, 4.0});  // requires_grad false
  Tensor unused = parameter({5.0, 6.0});
  frozen.set_grad(ones({2}, kFloat64));
  optim::Adam adam({trained, frozen, unused});
  trained.set_grad(ones({2}, kFloat64));
  adam.step();
  adam.step();
  CHECK(trained.to_vector<double>()[0] < 1.0);
  CHECK(frozen.to_vector<double>() == std::vector<double>{3.0, 4.0});
  CHECK(unused.to_vector<double>() == std::vector<double>{5.0, 6.0});
  StateDict state = adam.state_dict();
  CHECK(state.count("state.0.exp_avg") == 1);
  CHECK(state.at("state.0.step").item() == 2);
  CHECK(state.count("state.1.step") == 0);
  CHECK(state.count("state.2.step") == 0);
}

TEST_CASE("each parameter group has its own learning rate; zero_grad clears gradients") {
  Tensor a = parameter({0.0}), b = parameter({0.0});
  optim::SGD sgd(std::vector<optim::ParamGroup>{{{a}, 0.1}, {{b}}}, [] {
    optim::SGDOptions options;
    options.lr = 0.01;
    return options;
  }());
  a.set_grad(ones({1}, kFloat64));
  b.set_grad(ones({1}, kFloat64));
  sgd.step();
  CHECK(a.item() == doctest::Approx(-0.1));
  CHECK(b.item() == doctest::Approx(-0.01));
  sgd.zero_grad();
  CHECK(!a.grad().defined());
  CHECK(!b.grad().defined());
}

TEST_CASE("LinearDecay is constant, then linear to zero; StepLR multiplies by gamma every step_size epochs") {
  Tensor a = parameter({0.0}), b = parameter({0.0});
  optim::SGD sgd(std::vector<optim::ParamGroup>{{{a}, 0.2}, {{b}, 0.02}});
  optim::LinearDecay decay(sgd, 10, 6);
  std::vector<double> expected{1, 1, 1, 1, 1, 1, 1, 0.75, 0.5, 0.25, 0, 0};
  for (size_t epoch = 0; epoch < expected.size(); ++epoch) {
    INFO("epoch " << epoch);
    CHECK(decay.factor(epoch) == doctest::Approx(expected[epoch]));
  }
  for (int epoch = 0; epoch < 8; ++epoch) decay.step();
  CHECK(decay.epoch() == 8);
  CHECK(sgd.param_groups()[0].lr == doctest::Approx(0.1));
  CHECK(sgd.param_groups()[1].lr == doctest::Approx(0.01));

  optim::SGD sgd2({parameter({0.0})}, [] {
    optim::SGDOptions options;
    options.lr = 1.0;
    return options;
  }());
  optim::StepLR step_lr(sgd2, 3, 0.5);
  std::vector<double> lrs;
  for (int epoch = 0; epoch < 7; ++epoch) {
    lrs.push_back(sgd2.lr());
    step_lr.step();
  }
  CHECK(lrs == std::vector<double>{1, 1, 1, 0.5, 0.5, 0.5, 0.25});
  step_lr.set_epoch(0);
  CHECK(sgd2.lr() == 1.0);
  CHECK(error_message([&] { optim::LinearDecay(sgd, 5, 5); }).find("decay_start < total_epochs") !=
        std::string::npos);
}

namespace {
// A small model and a deterministic loss to train.
struct Run {
  Generator gen{21};
  nn::Sequential model{nn::Linear(3, 4, gen), nn::Tanh(), nn::Linear(4, 1, gen)};
  optim::Adam adam{model.parameters(), optim::AdamOptions::gan()};
  optim::SGD sgd{model.parameters(), [] {
                   optim::SGDOptions options;
                   options.momentum = 0.9;
                   options.nesterov = true;
                   return options;
                 }()};
  void train_steps(int steps, bool use_adam) {
    Generator data(99);
    for (int i = 0; i < steps; ++i) {
      Tensor x = randn({8, 3}, data);
      use_adam ? adam.zero_grad() : sgd.zero_grad();
      mean(square(model(x) - 1.0)).backward();
      use_adam ? adam.step() : sgd.step();
    }
  }
  StateDict checkpoint(bool use_adam) {
    StateDict out = with_prefix(model.state_dict(), "model.");
    for (const auto& entry : with_prefix(use_adam ? adam.state_dict() : sgd.state_dict(), "optimizer."))
      out.insert(entry);
    return out;
  }
};
}  // namespace

TEST_CASE("a run resumed from a checkpoint (model + optimizer state) continues bit-exactly") {
  std::string path = "/tmp/gs_test_" + std::to_string(::getpid()) + "_resume.safetensors";
  for (bool use_adam : {true, false}) {
    INFO((use_adam ? "Adam" : "SGD"));
    Run original;
    original.train_steps(3, use_adam);
    save(original.checkpoint(use_adam), path);
    original.train_steps(3, use_adam);

    Run resumed;
    StateDict loaded = load(path);
    resumed.model.load_state_dict(select_prefix(loaded, "model."));
    (use_adam ? static_cast<optim::Optimizer&>(resumed.adam) : resumed.sgd)
        .load_state_dict(select_prefix(loaded, "optimizer."));
    resumed.train_steps(3, use_adam);
    for (const auto& [name, t] : original.model.state_dict()) {
      INFO(name);
      CHECK(t.to_vector<float>() == resumed.model.state_dict().at(name).to_vector<float>());
    }
  }
  std::remove(path.c_str());
}

TEST_CASE("optimizer load_state_dict rejects states that do not fit its parameters") {
  Tensor p = parameter({1.0, 2.0});
  optim::Adam adam({p});
  p.set_grad(ones({2}, kFloat64));
  adam.step();
  StateDict good = adam.state_dict();

  optim::Adam other({parameter({0.0, 0.0})});
  other.load_state_dict(good);
  CHECK(other.state_dict().at("state.0.step").item() == 1);

  StateDict wrong_shape = good;
  wrong_shape["state.0.exp_avg"] = zeros({3}, kFloat64);
  CHECK(error_message([&] { other.load_state_dict(wrong_shape); }) ==
        "Adam.load_state_dict: 'state.0.exp_avg' is float64 [3] but parameter 0 is float64 [2]");
  StateDict missing = good;
  missing.erase("state.0.exp_avg_sq");
  CHECK(error_message([&] { other.load_state_dict(missing); }) == "Adam.load_state_dict: missing 'state.0.exp_avg_sq'");
  StateDict extra = good;
  extra["state.4.step"] = good.at("state.0.step");
  CHECK(error_message([&] { other.load_state_dict(extra); }).find("is for parameter 4 but the optimizer has 1") !=
        std::string::npos);
  StateDict unknown = good;
  unknown["state.0.momentum_buffer"] = zeros({2}, kFloat64);
  CHECK(error_message([&] { other.load_state_dict(unknown); }).find("unexpected entry 'state.0.momentum_buffer'") !=
        std::string::npos);
}
