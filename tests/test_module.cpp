// The Module registry: dotted names, train/eval, dtype conversion, state dicts.
#include "nn/nn.h"
#include "tests/helpers.h"

using namespace gs;
using gs::testing::error_message;
using gs::testing::expect_close;

namespace {

// y = tanh(x * scale + shift), with a counter buffer: a module written only with gs:: ops.
class ScaleShift : public nn::Module {
 public:
  explicit ScaleShift(int64_t features) {
    scale = register_parameter("scale", ones({features}));
    shift = register_parameter("shift", zeros({features}));
    calls = register_buffer("calls", zeros({1}, kInt64));
  }
  Tensor forward(const Tensor& x) override { return tanh(x * scale + shift); }
  Tensor scale, shift, calls;
};

class TwoBlocks : public nn::Module {
 public:
  TwoBlocks() {
    first = register_module("first", std::make_shared<ScaleShift>(3));
    second = register_module("second", std::make_shared<ScaleShift>(3));
    gain = register_parameter("gain", full({1}, 2.0));
  }
  Tensor forward(const Tensor& x) override { return second->forward(first->forward(x)) * gain; }
  std::shared_ptr<ScaleShift> first, second;
  Tensor gain;
};

std::vector<std::string> names(const nn::NamedTensors& list) {
  std::vector<std::string> out;
  for (const auto& entry : list) out.push_back(entry.first);
  return out;
}

}  // namespace

TEST_CASE("a module lists its own and its children's tensors by dotted name") {
  TwoBlocks model;
  CHECK(names(model.named_parameters()) ==
        std::vector<std::string>{"gain", "first.scale", "first.shift", "second.scale", "second.shift"});
  CHECK(names(model.named_buffers()) == std::vector<std::string>{"first.calls", "second.calls"});
  CHECK(model.parameters().size() == 5);
  for (const Tensor& p : model.parameters()) CHECK(p.requires_grad());
  // The member and the registry are one tensor.
  CHECK(model.parameters()[1].impl_ptr() == model.first->scale.impl_ptr());
  StateDict dict = model.state_dict();
  CHECK(dict.size() == 7);
  CHECK(dict.count("second.calls") == 1);
}

TEST_CASE("Sequential names its layers 0, 1, ... and runs them in order") {
  Generator gen(1);
  nn::Sequential net(nn::Linear(4, 3, gen), nn::BatchNorm1d(3), nn::LeakyReLU(0.2), nn::Linear(nn::LinearOptions(3, 2).bias(false), gen));
  CHECK(names(net.named_parameters()) ==
        std::vector<std::string>{"0.weight", "0.bias", "1.weight", "1.bias", "3.weight"});
  CHECK(names(net.named_buffers()) == std::vector<std::string>{"1.running_mean", "1.running_var"});
  CHECK(net.size() == 4);

  Tensor x = randn({5, 4}, gen);
  auto first = std::dynamic_pointer_cast<nn::Linear>(net[0]);
  auto last = std::dynamic_pointer_cast<nn::Linear>(net[3]);
  REQUIRE(first);
  REQUIRE(last);
  Tensor by_hand = F::linear(leaky_relu(F::batch_norm(F::linear(x, first->weight, first->bias), ones({3}), zeros({3}),
                                                      zeros({3}), ones({3}), true),
                                        0.2),
                             last->weight);
  expect_close(net(x), by_hand, 1e-6, 1e-5);
  CHECK(error_message([&] { net[4]; }).find("index 4 out of range (4 layers)") != std::string::npos);
}

TEST_CASE("train() and eval() reach every descendant") {
  nn::Sequential inner(nn::Dropout(0.5), nn::BatchNorm2d(2));
  auto inner_ptr = std::make_shared<nn::Sequential>(nn::Dropout(0.5));
  nn::Sequential outer(inner_ptr, nn::ReLU());
  CHECK(outer.is_training());
  outer.eval();
  CHECK(!outer.is_training());
  CHECK(!inner_ptr->is_training());
  CHECK(!(*inner_ptr)[0]->is_training());
  outer.train();
  CHECK((*inner_ptr)[0]->is_training());
}

TEST_CASE("to(kFloat64) converts parameters and buffers in place, keeping integer buffers") {
  TwoBlocks model;
  Tensor scale_before = model.first->scale;
  model.to(kFloat64);
  CHECK(model.first->scale.dtype() == kFloat64);
  CHECK(scale_before.dtype() == kFloat64);  // every handle sees the conversion
  CHECK(model.first->scale.requires_grad());
  CHECK(model.first->calls.dtype() == kInt64);
  CHECK(error_message([&] { model.to(kInt64); }).find("floating dtype") != std::string::npos);
}

TEST_CASE("gradients flow through a float64 module into its parameters (gradcheck)") {
  Generator gen(3);
  nn::Sequential net(nn::Linear(3, 4, gen), nn::Tanh(), nn::Linear(4, 2, gen), nn::Softplus());
  net.to(kFloat64);
  Tensor x = testing::random_leaf({5, 3}, 11);
  std::vector<Tensor> inputs = net.parameters();
  inputs.push_back(x);
  testing::expect_gradients_match([&](const std::vector<Tensor>&) { return net(x); }, inputs);
}

TEST_CASE("zero_grad drops every parameter's gradient") {
  TwoBlocks model;
  sum(model(ones({2, 3}))).backward();
  for (const Tensor& p : model.parameters()) CHECK(p.grad().defined());
  model.zero_grad();
  for (const Tensor& p : model.parameters()) CHECK(!p.grad().defined());
}

TEST_CASE("load_state_dict copies values and rejects missing, unexpected, mis-shaped and mis-typed entries") {
  TwoBlocks source, target;
  source.first->scale.copy_(tensor(std::vector<float>{1, 2, 3}));
  source.first->calls.fill_(7);
  target.load_state_dict(source.state_dict());
  expect_close(target.first->scale, tensor(std::vector<float>{1, 2, 3}));
  CHECK(target.first->calls.item() == 7);
  CHECK(target.first->scale.storage() != source.first->scale.storage());

  StateDict missing = source.state_dict();
  missing.erase("second.shift");
  CHECK(error_message([&] { target.load_state_dict(missing); }) ==
        "load_state_dict: missing tensor 'second.shift' (shape [3])");

  StateDict unexpected = source.state_dict();
  unexpected["third.scale"] = ones({3});
  CHECK(error_message([&] { target.load_state_dict(unexpected); }).find("unexpected tensor 'third.scale'") !=
        std::string::npos);

  StateDict misshaped = source.state_dict();
  misshaped["gain"] = ones({2});
  CHECK(error_message([&] { target.load_state_dict(misshaped); }) ==
        "load_state_dict: 'gain' has shape [2] but the module expects [1]");

  StateDict mistyped = source.state_dict();
  mistyped["gain"] = ones({1}, kFloat64);
  CHECK(error_message([&] { target.load_state_dict(mistyped); }).find("'gain' is float64 but the module's is float32") !=
        std::string::npos);
}

TEST_CASE("registering a name twice or a dotted name is an error") {
  class Bad : public nn::Module {
   public:
    void twice() {
      register_parameter("w", ones({1}));
      register_buffer("w", ones({1}));
    }
    void dotted() { register_parameter("a.b", ones({1})); }
  };
  Bad bad;
  CHECK(error_message([&] { bad.twice(); }).find("'w' is already registered") != std::string::npos);
  CHECK(error_message([&] { bad.dotted(); }).find("contain no '.'") != std::string::npos);
  CHECK(error_message([&] { bad.forward(ones({1})); }).find("no single-input forward") != std::string::npos);
}
