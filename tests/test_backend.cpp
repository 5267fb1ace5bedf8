// The Backend interface: the default implementations of the fused entries
// (what a backend gets when it writes only the basic ones) against the CPU's
// fused kernels, and the device registry.
#include "autograd/ops.h"
#include "nn/functional.h"
#include "tensor/backend.h"
#include "tensor/cpu/cpu_backend.h"
#include "tests/helpers.h"

using namespace gs;
using gs::testing::expect_close;

namespace {

// A backend with only the basic entries (each forwarded to the CPU's): the
// fused ones are Backend's defaults, composed from these.
class BasicEntriesOnly final : public Backend {
 public:
  void* allocate(size_t bytes) override { return cpu_.allocate(bytes); }
  void deallocate(void* pointer) override { cpu_.deallocate(pointer); }
  void copy_to_host(const void* src, void* dst, size_t bytes) override { cpu_.copy_to_host(src, dst, bytes); }
  void copy_from_host(const void* src, void* dst, size_t bytes) override { cpu_.copy_from_host(src, dst, bytes); }
  void copy(const Tensor& in, const Tensor& out) override { cpu_.copy(in, out); }
  void fill(const Tensor& out, double value) override { cpu_.fill(out, value); }
  void arange(const Tensor& out, double start, double step) override { cpu_.arange(out, start, step); }
  void unary(UnaryOp op, const Tensor& in, const Tensor& out, UnaryParams p) override { cpu_.unary(op, in, out, p); }
  void unary_backward(UnaryOp op, const Tensor& in, const Tensor& out, const Tensor& g, const Tensor& gi,
                      UnaryParams p) override {
    cpu_.unary_backward(op, in, out, g, gi, p);
  }
  void binary(BinaryOp op, const Tensor& a, const Tensor& b, const Tensor& out) override { cpu_.binary(op, a, b, out); }
  void where(const Tensor& c, const Tensor& a, const Tensor& b, const Tensor& out) override { cpu_.where(c, a, b, out); }
  void reduce(ReduceOp op, const Tensor& in, const std::vector<bool>& dims, const Tensor& out) override {
    cpu_.reduce(op, in, dims, out);
  }
  void gemm(const GemmArgs& args, const Tensor& a, const Tensor& b, const Tensor& c) override { cpu_.gemm(args, a, b, c); }
  void random(RandomKind kind, const Tensor& out, uint64_t seed, uint64_t offset, double a, double b) override {
    cpu_.random(kind, out, seed, offset, a, b);
  }
  void im2col(const Tensor& image, const Tensor& columns, const ConvGeometry& g) override { cpu_.im2col(image, columns, g); }
  void col2im(const Tensor& columns, const Tensor& image, const ConvGeometry& g) override { cpu_.col2im(columns, image, g); }
  void one_hot(const Tensor& labels, const Tensor& out, const char* op) override { cpu_.one_hot(labels, out, op); }

 private:
  cpu::CpuBackend cpu_;
};

Tensor values(const Shape& shape, uint64_t seed, double shift = 0) {
  Generator gen(seed);
  return randn(shape, gen, kFloat64) + shift;
}

}  // namespace

TEST_CASE("the default batch norm entries equal the CPU's fused kernels") {
  BasicEntriesOnly basic;
  Backend& fused = backend(Device::cpu());
  // [9, 150]: [N, C] features in blocks of 64 channels and a tail
  for (const Shape& shape : {Shape{5, 3, 4, 6}, Shape{7, 4}, Shape{9, 150}}) {
    CAPTURE(shape_str(shape));
    const int64_t c = shape[1];
    const Tensor x = values(shape, 1, 3.0), gamma = values({c}, 2), beta = values({c}, 3), dy = values(shape, 4);
    for (bool affine : {true, false}) {
      const Tensor g = affine ? gamma : Tensor(), b = affine ? beta : Tensor();
      Tensor y[2], mean[2], variance[2], inverse_std[2], dx[2], dgamma[2], dbeta[2];
      Backend* backends[2] = {&basic, &fused};
      for (int i = 0; i < 2; ++i) {
        y[i] = empty(shape, kFloat64);
        mean[i] = empty({c}, kFloat64);
        variance[i] = empty({c}, kFloat64);
        inverse_std[i] = empty({c}, kFloat64);
        backends[i]->batch_norm_forward(x, g, b, 1e-5, y[i], mean[i], variance[i], inverse_std[i]);
        dx[i] = empty(shape, kFloat64);
        dgamma[i] = empty({c}, kFloat64);
        dbeta[i] = empty({c}, kFloat64);
        backends[i]->batch_norm_backward(dy, x, mean[i], inverse_std[i], g, dx[i], dgamma[i], dbeta[i]);
      }
      expect_close(y[0], y[1], 1e-12, 1e-10);
      expect_close(mean[0], mean[1], 1e-12, 1e-12);
      expect_close(variance[0], variance[1], 1e-12, 1e-10);
      expect_close(inverse_std[0], inverse_std[1], 1e-12, 1e-10);
      expect_close(dx[0], dx[1], 1e-12, 1e-9);
      expect_close(dgamma[0], dgamma[1], 1e-12, 1e-9);
      expect_close(dbeta[0], dbeta[1], 1e-12, 1e-10);
    }
  }
}

TEST_CASE("the default weight norm entries equal the CPU's fused kernels") {
  BasicEntriesOnly basic;
  Backend& fused = backend(Device::cpu());
  // 37 values per unit: the fused sums' eight partial sums and their tail.
  for (const Shape& rows : {Shape{5, 37}, Shape{1, 3}, Shape{64, 8}}) {
    CAPTURE(shape_str(rows));
    const Tensor v = values(rows, 10), g = values({rows[0]}, 11, 1.0), dw = values(rows, 12);
    Tensor w[2], norm[2], dv[2], dg[2];
    Backend* backends[2] = {&basic, &fused};
    for (int i = 0; i < 2; ++i) {
      w[i] = empty(rows, kFloat64);
      norm[i] = empty({rows[0]}, kFloat64);
      backends[i]->weight_norm_forward(v, g, w[i], norm[i]);
      dv[i] = empty(rows, kFloat64);
      dg[i] = empty({rows[0]}, kFloat64);
      backends[i]->weight_norm_backward(dw, v, g, norm[i], dv[i], dg[i]);
    }
    expect_close(w[0], w[1], 1e-12, 1e-12);
    expect_close(norm[0], norm[1], 1e-12, 1e-12);
    expect_close(dv[0], dv[1], 1e-12, 1e-10);
    expect_close(dg[0], dg[1], 1e-12, 1e-10);
    // Each row of w has length |g|.
    expect_close(sqrt(sum(square(w[1]), {1})), abs(g), 1e-12, 1e-12);
    // grad_v alone or grad_g alone gives the same values.
    Tensor dv_only = empty(rows, kFloat64), dg_only = empty({rows[0]}, kFloat64);
    fused.weight_norm_backward(dw, v, g, norm[1], dv_only, Tensor());
    fused.weight_norm_backward(dw, v, g, norm[1], Tensor(), dg_only);
    expect_close(dv_only, dv[1], 0, 0);
    expect_close(dg_only, dg[1], 0, 0);
  }
}

TEST_CASE("the default optimizer entries equal the CPU's fused updates") {
  BasicEntriesOnly basic;
  Backend& fused = backend(Device::cpu());
  const Tensor grad = values({37}, 5);
  for (int variant = 0; variant < 4; ++variant) {
    CAPTURE(variant);
    SgdUpdate sgd;
    sgd.lr = 0.1;
    sgd.momentum = variant == 0 ? 0.0 : 0.9;
    sgd.dampening = variant == 2 ? 0.25 : 0.0;
    sgd.nesterov = variant == 3;
    sgd.weight_decay = 0.01;
    sgd.first_step = variant == 1;
    AdamUpdate adam;
    adam.lr = 1e-3;
    adam.step = 3;
    adam.eps_inside_sqrt = variant % 2 == 1;
    adam.weight_decay = variant == 2 ? 0.1 : 0.0;
    Tensor param[2], buffer[2], m[2], v[2];
    Backend* backends[2] = {&basic, &fused};
    for (int i = 0; i < 2; ++i) {
      param[i] = values({37}, 6);
      buffer[i] = values({37}, 7);
      m[i] = values({37}, 8);
      v[i] = square(values({37}, 9));
      backends[i]->sgd_update(param[i], grad, buffer[i], sgd);
      backends[i]->adam_update(param[i], grad, m[i], v[i], adam);
    }
    expect_close(param[0], param[1], 1e-14, 1e-12);
    expect_close(buffer[0], buffer[1], 1e-14, 1e-12);
    expect_close(m[0], m[1], 1e-14, 1e-12);
    expect_close(v[0], v[1], 1e-14, 1e-12);
  }
}

TEST_CASE("the CPU is always a device; only a CUDA backend can register") {
  CHECK(device_count(DeviceType::CPU) == 1);
  CHECK(gs::testing::error_message([] { register_backend(DeviceType::CPU, {}); }).find("only a CUDA backend") !=
        std::string::npos);
}
