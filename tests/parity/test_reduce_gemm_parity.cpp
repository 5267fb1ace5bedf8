// Reductions and matrix products on cuda:0 against the CPU: every ReduceOp
// over many sets of dims (slices longer than a block, so the shared-memory
// tree runs), empty and one-element tensors, permuted inputs; matmul in every
// transpose combination, batched and broadcast, with k = 0 and odd sizes.
#include "autograd/ops.h"
#include "tests/parity/parity.h"

using namespace gs;
using gs::testing::cuda0;
using gs::testing::expect_same_on_devices;

namespace {

Tensor input(const Shape& shape, DType dtype, uint64_t seed) {
  Generator gen(seed);
  return randn(shape, gen, kFloat64).to(dtype).detach().requires_grad_();
}

}  // namespace

TEST_CASE("[cuda] sum, mean, max, min, var, argmax and argmin over any dims agree with the CPU") {
  const std::vector<std::pair<Shape, std::vector<Shape>>> cases = {
      {{4, 300, 3}, {{0}, {1}, {2}, {0, 2}, {0, 1}, {0, 1, 2}}},
      {{1}, {{0}}},
      {{2, 1, 5}, {{1}, {0, 2}}},
      {{70000}, {{0}}},
      {{33, 65}, {{0}, {1}}},
  };
  for (DType dtype : {kFloat32, kFloat64}) {
    for (const auto& [shape, dim_sets] : cases) {
      for (const Shape& dims : dim_sets) {
        const std::string name = std::string(dtype_name(dtype)) + " " + shape_str(shape) + " over " + shape_str(dims);
        int64_t group = 1;  // values per output
        for (int64_t d : dims) group *= shape[d];
        expect_same_on_devices("sum/mean/var " + name, {input(shape, dtype, 3)}, [&](const std::vector<Tensor>& in) {
          return std::vector<Tensor>{sum(in[0], dims), mean(in[0], dims, true), max(in[0], dims), min(in[0], dims, true),
                                     group > 1 ? var(in[0], dims) : sum(in[0])};
        });
        if (dims.size() == 1)
          expect_same_on_devices("argmax/argmin " + name, {input(shape, dtype, 4)}, [&](const std::vector<Tensor>& in) {
            return std::vector<Tensor>{argmax(in[0], dims[0]), argmin(in[0], dims[0], true)};
          });
      }
    }
  }
  expect_same_on_devices("whole-tensor sum, max, min", {input({3, 4, 5}, kFloat32, 5)}, [](const std::vector<Tensor>& in) {
    return std::vector<Tensor>{sum(in[0]), max(in[0]), min(in[0]), mean(in[0])};
  });
}

TEST_CASE("[cuda] reductions of permuted and sliced views, and of empty tensors, agree with the CPU") {
  expect_same_on_devices("permuted", {input({5, 6, 7}, kFloat32, 6)}, [](const std::vector<Tensor>& in) {
    const Tensor p = in[0].permute({2, 0, 1});
    return std::vector<Tensor>{sum(p, {0}), sum(p, {1, 2}), max(p, {2}), argmax(p, 1)};
  });
  expect_same_on_devices("sliced", {input({9, 40}, kFloat64, 7)}, [](const std::vector<Tensor>& in) {
    const Tensor s = in[0].slice(1, 3, 37, 3);
    return std::vector<Tensor>{sum(s, {0}), sum(s, {1}), min(s, {0})};
  });
  expect_same_on_devices("empty", {input({0, 5}, kFloat32, 8)}, [](const std::vector<Tensor>& in) {
    return std::vector<Tensor>{sum(in[0], {0}), sum(in[0], {1}), sum(in[0])};
  });
  // ties go to the first index
  const Tensor x = tensor(std::vector<float>{1, 3, 3, 0, 3, 2, 2, 2}, {2, 4});
  CHECK(argmax(x.to(cuda0()), 1).to_vector<int64_t>() == std::vector<int64_t>{1, 0});
  CHECK(argmin(x.to(cuda0()), 1).to_vector<int64_t>() == std::vector<int64_t>{3, 1});
}

TEST_CASE("[cuda] matmul in every transpose combination, batched and broadcast, agrees with the CPU") {
  for (DType dtype : {kFloat32, kFloat64}) {
    const std::string type = dtype_name(dtype);
    expect_same_on_devices("plain " + type, {input({5, 7}, dtype, 1), input({7, 3}, dtype, 2)},
                           [](const std::vector<Tensor>& in) { return std::vector<Tensor>{matmul(in[0], in[1])}; });
    expect_same_on_devices("transposed operands " + type, {input({7, 5}, dtype, 3), input({3, 7}, dtype, 4)},
                           [](const std::vector<Tensor>& in) {
                             return std::vector<Tensor>{matmul(in[0].t(), in[1].t()), matmul(in[0].t(), in[0]),
                                                        matmul(in[1], in[1].t())};
                           });
    expect_same_on_devices("batched " + type, {input({3, 5, 7}, dtype, 5), input({3, 7, 4}, dtype, 6)},
                           [](const std::vector<Tensor>& in) {
                             return std::vector<Tensor>{bmm(in[0], in[1]), bmm(in[1].transpose(1, 2), in[0].transpose(1, 2))};
                           });
    expect_same_on_devices("a 2-D operand shared by a batch " + type, {input({3, 5, 7}, dtype, 7), input({7, 2}, dtype, 8)},
                           [](const std::vector<Tensor>& in) {
                             return std::vector<Tensor>{matmul(in[0], in[1]), matmul(in[1].t(), in[0].transpose(1, 2))};
                           });
    expect_same_on_devices("k = 0 and one-element " + type, {input({3, 0}, dtype, 9), input({0, 4}, dtype, 10),
                                                              input({1, 1}, dtype, 11)},
                           [](const std::vector<Tensor>& in) {
                             return std::vector<Tensor>{matmul(in[0], in[1]), matmul(in[2], in[2])};
                           });
    expect_same_on_devices("larger, odd sizes " + type, {input({67, 129}, dtype, 12), input({129, 33}, dtype, 13)},
                           [](const std::vector<Tensor>& in) { return std::vector<Tensor>{matmul(in[0], in[1])}; });
  }
}
