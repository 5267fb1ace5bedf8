// Element-wise kernels on cuda:0 against the CPU: every unary op and its
// derivative, every binary op with broadcasting, where, copies between every
// pair of dtypes, fills and aranges; on sizes that are not multiples of the
// block size (and larger than one grid-stride round), 0- and 1-element
// tensors, and strided, permuted and broadcast views.
#include <functional>

#include "autograd/ops.h"
#include "tests/parity/parity.h"

using namespace gs;
using gs::testing::cuda0;
using gs::testing::expect_same_on_devices;
using gs::testing::expect_same_values;

namespace {

const std::vector<Shape> kShapes = {{0}, {1}, {257}, {3, 5, 7}, {20000}};

Tensor input(const Shape& shape, DType dtype, uint64_t seed, bool positive) {
  Generator gen(seed);
  Tensor x = randn(shape, gen, kFloat64) * 2.0;
  if (positive) x = exp(x * 0.5) + 0.1;
  return x.to(dtype).detach().requires_grad_();
}

struct UnaryCase {
  const char* name;
  std::function<Tensor(const Tensor&)> apply;
  bool positive;  // its domain (log, sqrt, reciprocal, fractional powers)
};

const std::vector<UnaryCase> kUnary = {
    {"neg", [](const Tensor& x) { return neg(x); }, false},
    {"exp", [](const Tensor& x) { return exp(x); }, false},
    {"log", [](const Tensor& x) { return log(x); }, true},
    {"sqrt", [](const Tensor& x) { return sqrt(x); }, true},
    {"abs", [](const Tensor& x) { return abs(x); }, false},
    {"tanh", [](const Tensor& x) { return tanh(x); }, false},
    {"sigmoid", [](const Tensor& x) { return sigmoid(x); }, false},
    {"relu", [](const Tensor& x) { return relu(x); }, false},
    {"leaky_relu", [](const Tensor& x) { return leaky_relu(x, 0.2); }, false},
    {"softplus", [](const Tensor& x) { return softplus(x); }, false},
    {"add scalar", [](const Tensor& x) { return x + 1.5; }, false},
    {"mul scalar", [](const Tensor& x) { return x * -0.75; }, false},
    {"pow 3", [](const Tensor& x) { return pow(x, 3.0); }, false},
    {"pow 0.5", [](const Tensor& x) { return pow(x, 0.5); }, true},
    {"clamp", [](const Tensor& x) { return clamp(x, -0.5, 0.7); }, false},
    {"sign", [](const Tensor& x) { return sign(x); }, false},
    {"square", [](const Tensor& x) { return square(x); }, false},
    {"reciprocal", [](const Tensor& x) { return reciprocal(x); }, true},
};

}  // namespace

TEST_CASE("[cuda] every unary op and its derivative agree with the CPU") {
  for (const UnaryCase& op : kUnary) {
    for (DType dtype : {kFloat32, kFloat64}) {
      for (const Shape& shape : kShapes) {
        const std::string name = std::string(op.name) + " " + dtype_name(dtype) + " " + shape_str(shape);
        expect_same_on_devices(name, {input(shape, dtype, 7, op.positive)},
                               [&](const std::vector<Tensor>& in) { return std::vector<Tensor>{op.apply(in[0])}; });
      }
    }
  }
}

TEST_CASE("[cuda] unary ops on transposed, sliced and broadcast views agree with the CPU") {
  for (const UnaryCase& op : kUnary) {
    expect_same_on_devices(std::string(op.name) + " of views", {input({6, 9}, kFloat32, 3, op.positive)},
                           [&](const std::vector<Tensor>& in) {
                             const Tensor& x = in[0];
                             return std::vector<Tensor>{op.apply(x.t()), op.apply(x.slice(1, 1, 8, 3)),
                                                        op.apply(x.select(0, 2).unsqueeze(0).expand({4, 9}))};
                           });
  }
}

TEST_CASE("[cuda] binary ops with broadcasting agree with the CPU, values and gradients") {
  using BinaryFn = std::function<Tensor(const Tensor&, const Tensor&)>;
  const std::vector<std::pair<const char*, BinaryFn>> ops = {
      {"add", [](const Tensor& a, const Tensor& b) { return a + b; }},
      {"sub", [](const Tensor& a, const Tensor& b) { return a - b; }},
      {"mul", [](const Tensor& a, const Tensor& b) { return a * b; }},
      {"div", [](const Tensor& a, const Tensor& b) { return a / (abs(b) + 0.5); }},
      {"maximum", [](const Tensor& a, const Tensor& b) { return maximum(a, b); }},
      {"minimum", [](const Tensor& a, const Tensor& b) { return minimum(a, b); }},
      {"eq", [](const Tensor& a, const Tensor& b) { return eq(a.detach(), (a * 0.0 + 1.0).detach()) + eq(b, b); }},
      {"ne", [](const Tensor& a, const Tensor& b) { return ne(a.detach(), b.detach()); }},
      {"lt", [](const Tensor& a, const Tensor& b) { return lt(a.detach(), b.detach()); }},
      {"le", [](const Tensor& a, const Tensor& b) { return le(a.detach(), b.detach()); }},
      {"gt", [](const Tensor& a, const Tensor& b) { return gt(a.detach(), b.detach()); }},
      {"ge", [](const Tensor& a, const Tensor& b) { return ge(a.detach(), b.detach()); }},
  };
  const std::vector<std::pair<Shape, Shape>> shapes = {{{0}, {0}},         {{1}, {1}},       {{257}, {257}},
                                                       {{3, 1, 5}, {4, 5}}, {{7, 1}, {1, 9}}, {{2, 3, 4}, {}},
                                                       {{6000}, {1}}};
  for (const auto& [name, op] : ops) {
    for (DType dtype : {kFloat32, kFloat64}) {
      for (const auto& [shape_a, shape_b] : shapes) {
        expect_same_on_devices(std::string(name) + " " + dtype_name(dtype) + " " + shape_str(shape_a) + " with " +
                                   shape_str(shape_b),
                               {input(shape_a, dtype, 11, false), input(shape_b, dtype, 12, false)},
                               [&](const std::vector<Tensor>& in) { return std::vector<Tensor>{op(in[0], in[1])}; });
      }
    }
    expect_same_on_devices(std::string(name) + " of a transposed and a sliced view",
                           {input({5, 8}, kFloat32, 13, false), input({8, 10}, kFloat32, 14, false)},
                           [&](const std::vector<Tensor>& in) {
                             return std::vector<Tensor>{op(in[0].t(), in[1].slice(1, 0, 10, 2))};
                           });
  }
}

TEST_CASE("[cuda] where agrees with the CPU and routes gradients to the chosen side") {
  expect_same_on_devices("where", {input({4, 33}, kFloat32, 21, false), input({4, 33}, kFloat32, 22, false)},
                         [](const std::vector<Tensor>& in) {
                           return std::vector<Tensor>{where(gt(in[0].detach(), in[1].detach()), in[0], in[1] * 2.0),
                                                      where(gt(in[0].detach(), zeros({1}, in[0].options())),
                                                            in[0].t().t(), zeros({}, in[0].options()))};
                         });
}

TEST_CASE("[cuda] copies convert between every pair of dtypes as the CPU does") {
  // Values every dtype holds: small non-negative numbers with fractions (float
  // to int truncates) up to 200 (uint8).
  Generator gen(5);
  const Tensor values = (rand({3, 41}, gen, kFloat64) * 200.0).detach();
  for (DType from : {kFloat32, kFloat64, kInt64, kUInt8}) {
    for (DType to : {kFloat32, kFloat64, kInt64, kUInt8}) {
      const Tensor source = values.to(from);
      const Tensor on_device = source.to(cuda0()).to(to);
      CHECK(on_device.device() == cuda0());
      expect_same_values(std::string("copy ") + dtype_name(from) + " -> " + dtype_name(to), on_device, source.to(to), 0);
      // strided: a transposed source into a contiguous result
      expect_same_values(std::string("transposed copy ") + dtype_name(from) + " -> " + dtype_name(to),
                         source.to(cuda0()).t().contiguous().to(to), source.t().contiguous().to(to), 0);
    }
  }
}

TEST_CASE("[cuda] copy_ into strided views, fill_ and arange agree with the CPU") {
  for (DType dtype : {kFloat32, kFloat64, kInt64, kUInt8}) {
    CAPTURE(dtype_name(dtype));
    Tensor cpu = zeros({5, 6}, dtype), device = zeros({5, 6}, {dtype, cuda0()});
    const Tensor row = arange(0, 6, 1, dtype);
    cpu.t().slice(1, 1, 5, 2).copy_(arange(0, 12, 1, dtype).view({6, 2}));
    device.t().slice(1, 1, 5, 2).copy_(arange(0, 12, 1, {dtype, cuda0()}).view({6, 2}));
    cpu.narrow(0, 4, 1).copy_(row);                 // a broadcast source row
    device.narrow(0, 4, 1).copy_(row.to(cuda0()));
    cpu.narrow(1, 5, 1).fill_(7);
    device.narrow(1, 5, 1).fill_(7);
    expect_same_values("strided copy_ and fill_", device, cpu, 0);
    expect_same_values("arange", arange(-3, 40, 0.5, {dtype == kUInt8 ? kFloat32 : dtype, cuda0()}),
                       arange(-3, 40, 0.5, dtype == kUInt8 ? kFloat32 : dtype), 0);
    expect_same_values("full", full({3, 300}, 2.5, {dtype, cuda0()}), full({3, 300}, 2.5, dtype), 0);
  }
  CHECK(zeros({0}, {kFloat32, cuda0()}).numel() == 0);
  CHECK(scalar_tensor(3.5, {kFloat64, cuda0()}).item() == 3.5);
}

TEST_CASE("[cuda] in-place add_ and mul_ (the optimizers' helpers) agree with the CPU") {
  Tensor cpu = input({3, 70}, kFloat32, 31, false).detach(), device = cpu.to(cuda0());
  const Tensor other = input({70}, kFloat32, 32, false).detach();
  cpu.add_(other, -0.5).mul_(3.0);
  device.add_(other.to(cuda0()), -0.5).mul_(3.0);
  expect_same_values("add_ then mul_", device, cpu, 1e-6);
}
