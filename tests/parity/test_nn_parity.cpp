// The nn ops on cuda:0 against the CPU, forward and backward: convolution and
// transposed convolution (im2col, col2im and both GEMM lowerings) on many
// geometries, batch norm in training and eval mode with its running
// statistics, linear, weight normalisation, pooling, softmax family, every
// loss, joins and views.
#include "autograd/ops.h"
#include "nn/functional.h"
#include "nn/semi_supervised_losses.h"
#include "nn/weight_norm.h"
#include "tests/parity/parity.h"

using namespace gs;
using gs::testing::cuda0;
using gs::testing::expect_same_on_devices;

namespace {

Tensor input(const Shape& shape, uint64_t seed, double scale = 1.0, DType dtype = kFloat32) {
  Generator gen(seed);
  return (randn(shape, gen, kFloat64) * scale).to(dtype).detach().requires_grad_();
}

using gs::F::Padding;

}  // namespace

TEST_CASE("[cuda] conv2d agrees with the CPU on strides, paddings, dilations and both lowerings") {
  struct Geometry {
    Shape image;
    int64_t out_channels, kernel;
    F::Pair stride;
    Padding padding;
    F::Pair dilation;
  };
  const std::vector<Geometry> geometries = {
      {{2, 3, 7, 6}, 4, 3, 1, Padding::valid(), 1},
      {{2, 3, 7, 6}, 5, 3, 2, Padding::same(), 1},
      {{3, 2, 9, 8}, 3, 5, 2, Padding::same(), 1},
      {{1, 4, 6, 7}, 2, 2, {1, 2}, Padding::explicit_(1, 0, 2, 1), 1},
      {{2, 2, 9, 9}, 3, 3, 1, Padding::same(), 2},
      {{2, 1, 16, 16}, 4, 5, 2, Padding::same(), 1},  // 256 pixels: the per-image batched GEMM
      {{1, 3, 12, 11}, 2, 3, 1, Padding::valid(), {2, 1}},
  };
  for (const Geometry& g : geometries) {
    for (DType dtype : {kFloat32, kFloat64}) {
      const std::string name = "conv2d " + shape_str(g.image) + " k" + std::to_string(g.kernel) + " " + dtype_name(dtype);
      expect_same_on_devices(name,
                             {input(g.image, 1, 1.0, dtype), input({g.out_channels, g.image[1], g.kernel, g.kernel}, 2, 0.3, dtype),
                              input({g.out_channels}, 3, 1.0, dtype)},
                             [&](const std::vector<Tensor>& in) {
                               return std::vector<Tensor>{F::conv2d(in[0], in[1], in[2], g.stride, g.padding, g.dilation)};
                             });
    }
  }
}

TEST_CASE("[cuda] conv_transpose2d agrees with the CPU, including output padding") {
  struct Geometry {
    Shape image;
    int64_t out_channels, kernel;
    F::Pair stride;
    Padding padding;
    F::Pair output_padding;
  };
  const std::vector<Geometry> geometries = {
      {{2, 4, 4, 4}, 3, 4, 1, Padding::valid(), 0},         // the DCGAN's 4 -> 7
      {{2, 3, 7, 7}, 2, 5, 2, Padding::same(), 0},          // 7 -> 14
      {{1, 2, 14, 14}, 1, 5, 2, Padding::same(), 0},        // 14 -> 28, per image
      {{2, 3, 5, 4}, 2, 3, 2, Padding::symmetric(1), 1},    // PyTorch's output_padding
  };
  for (const Geometry& g : geometries) {
    expect_same_on_devices("conv_transpose2d " + shape_str(g.image) + " k" + std::to_string(g.kernel),
                           {input(g.image, 4), input({g.image[1], g.out_channels, g.kernel, g.kernel}, 5, 0.3),
                            input({g.out_channels}, 6)},
                           [&](const std::vector<Tensor>& in) {
                             return std::vector<Tensor>{F::conv_transpose2d(in[0], in[1], in[2], g.stride, g.padding,
                                                                            g.output_padding)};
                           });
  }
}

TEST_CASE("[cuda] batch_norm agrees with the CPU in training and eval mode, running statistics included") {
  for (const Shape& shape : {Shape{5, 3, 4, 6}, Shape{7, 4}, Shape{64, 8, 7, 7}, Shape{2, 300}}) {
    const int64_t channels = shape[1];
    expect_same_on_devices("batch_norm training " + shape_str(shape),
                           {input(shape, 7, 2.0) , input({channels}, 8), input({channels}, 9),
                            zeros({channels}), ones({channels})},
                           [](const std::vector<Tensor>& in) {
                             Tensor running_mean = in[3], running_var = in[4];
                             Tensor y = F::batch_norm(in[0] + 3.0, in[1], in[2], running_mean, running_var, true, 0.1, 1e-5);
                             return std::vector<Tensor>{y, running_mean, running_var};
                           }, 2e-5);
    expect_same_on_devices("batch_norm without gamma and beta " + shape_str(shape), {input(shape, 10)},
                           [](const std::vector<Tensor>& in) {
                             return std::vector<Tensor>{F::batch_norm(in[0], Tensor(), Tensor(), Tensor(), Tensor(), true)};
                           }, 2e-5);
    expect_same_on_devices("batch_norm eval " + shape_str(shape),
                           {input(shape, 11), input({channels}, 12), input({channels}, 13), input({channels}, 14),
                            exp(input({channels}, 15)).detach()},
                           [](const std::vector<Tensor>& in) {
                             return std::vector<Tensor>{F::batch_norm(in[0], in[1], in[2], in[3].detach(), in[4], false)};
                           });
  }
}

TEST_CASE("[cuda] linear, weight normalisation and pooling agree with the CPU") {
  expect_same_on_devices("linear", {input({6, 9}, 1), input({5, 9}, 2), input({5}, 3)},
                         [](const std::vector<Tensor>& in) {
                           return std::vector<Tensor>{F::linear(in[0], in[1], in[2]), F::linear(in[0], in[1])};
                         });
  expect_same_on_devices("weight_norm", {input({5, 9}, 4), exp(input({5}, 5)).detach().requires_grad_()},
                         [](const std::vector<Tensor>& in) { return std::vector<Tensor>{nn::weight_norm(in[0], in[1])}; });
  expect_same_on_devices("global_avg_pool2d and flatten", {input({3, 4, 5, 6}, 6)}, [](const std::vector<Tensor>& in) {
    return std::vector<Tensor>{F::global_avg_pool2d(in[0]), F::flatten(in[0])};
  });
}

TEST_CASE("[cuda] softmax, log_softmax and logsumexp agree with the CPU, large logits included") {
  expect_same_on_devices("softmax family", {input({7, 10}, 1, 30.0)}, [](const std::vector<Tensor>& in) {
    return std::vector<Tensor>{F::softmax(in[0], 1), F::log_softmax(in[0], 1), F::logsumexp(in[0], 0),
                               F::logsumexp(in[0], 1, true)};
  });
}

TEST_CASE("[cuda] every loss agrees with the CPU, values and gradients") {
  Generator gen(3);
  const Tensor labels = tensor(std::vector<int64_t>{3, 0, 9, 9, 1, 4, 7});
  const Tensor mask = tensor(std::vector<float>{1, 0, 1, 1, 0, 0, 1});
  expect_same_on_devices("binary_cross_entropy_with_logits", {input({9, 1}, 1, 20.0), rand({9, 1}, gen)},
                         [](const std::vector<Tensor>& in) {
                           return std::vector<Tensor>{F::binary_cross_entropy_with_logits(in[0], in[1])};
                         });
  expect_same_on_devices("cross_entropy", {input({7, 10}, 2, 3.0), labels, mask}, [](const std::vector<Tensor>& in) {
    return std::vector<Tensor>{F::cross_entropy(in[0], in[1]), F::cross_entropy(in[0], in[1], in[2]),
                               F::cross_entropy(in[0], in[1], in[2] * 0.0)};
  });
  expect_same_on_devices("mse, l1, feature matching", {input({6, 5}, 3), input({6, 5}, 4), input({4, 5}, 5)},
                         [](const std::vector<Tensor>& in) {
                           return std::vector<Tensor>{F::mse_loss(in[0], in[1]), F::l1_loss(in[0], in[1]),
                                                      F::feature_matching_loss(in[0], in[2]),
                                                      F::feature_matching_loss(in[0], in[2], true)};
                         });
  expect_same_on_devices("semi-supervised discriminator loss",
                         {input({7, 10}, 6, 2.0), labels, mask, input({5, 10}, 7, 2.0), input({4, 10}, 8, 2.0)},
                         [](const std::vector<Tensor>& in) {
                           const F::DiscriminatorLoss loss =
                               F::semi_supervised_discriminator_loss(in[0], in[1], in[2], in[3], in[4]);
                           return std::vector<Tensor>{loss.supervised, loss.unsupervised_real, loss.unsupervised_fake,
                                                      loss.total, F::paper_unsupervised_loss(in[3], in[4])};
                         });
}

TEST_CASE("[cuda] a label outside the classes is the same clear error on the device") {
  const Tensor logits = zeros({3, 4}, {kFloat32, cuda0()});
  const Tensor bad = tensor(std::vector<int64_t>{1, 4, 0}).to(cuda0());
  CHECK(gs::testing::error_message([&] { F::cross_entropy(logits, bad); }) ==
        gs::testing::error_message([&] { F::cross_entropy(logits.cpu(), bad.cpu()); }));
  CHECK(gs::testing::error_message([&] { F::cross_entropy(logits, bad); }).find("label 4 of example 1") !=
        std::string::npos);
}

TEST_CASE("[cuda] cat, stack and views agree with the CPU, gradients included") {
  expect_same_on_devices("joins and views", {input({3, 4}, 1), input({2, 4}, 2), input({3, 4}, 3)},
                         [](const std::vector<Tensor>& in) {
                           return std::vector<Tensor>{cat({in[0], in[1]}, 0), stack({in[0], in[2]}, 1),
                                                      in[0].narrow(1, 1, 2) * 2.0, in[0].permute({1, 0}).reshape({12}),
                                                      in[2].select(0, 1).unsqueeze(1).expand({4, 3}) + in[0].t()};
                         });
}
