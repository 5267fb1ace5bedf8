// Reductions and matrix products: values against hand computations, gradients
// against central differences.
#include <cmath>

#include "tensor/cpu/cpu_backend.h"
#include "tensor/parallel.h"
#include "tests/helpers.h"

using namespace gs;
using testing::expect_close;
using testing::expect_gradients_match;
using testing::random_leaf;
using Inputs = std::vector<Tensor>;

TEST_CASE("reductions over any dims, with and without keepdim") {
  Tensor x = arange(24, kFloat64).reshape({2, 3, 4});
  CHECK(sum(x).item() == 276);
  CHECK(mean(x).item() == 11.5);
  expect_close(sum(x, {0, 2}), tensor(std::vector<double>{60, 92, 124}));
  CHECK(sum(x, {0, 2}, true).shape() == Shape{1, 3, 1});
  expect_close(sum(x, {-1}), tensor(std::vector<double>{6, 22, 38, 54, 70, 86}, {2, 3}));
  expect_close(mean(x, {1}), tensor(std::vector<double>{4, 5, 6, 7, 16, 17, 18, 19}, {2, 4}));
  expect_close(max(x, {1}), tensor(std::vector<double>{8, 9, 10, 11, 20, 21, 22, 23}, {2, 4}));
  expect_close(min(x, {2}, true), tensor(std::vector<double>{0, 4, 8, 12, 16, 20}, {2, 3, 1}));
  CHECK(max(x).item() == 23);
  CHECK(min(x).item() == 0);
  // variance of 0..3 is 1.25 (biased) and 5/3 (unbiased)
  expect_close(var(x, {2}, false), full({2, 3}, 1.25, kFloat64), 1e-12);
  expect_close(var(x, {2}, true), full({2, 3}, 5.0 / 3.0, kFloat64), 1e-12);
}

TEST_CASE("argmax and argmin pick the first extreme along a dim") {
  Tensor x = tensor(std::vector<float>{3, 7, 7, 1, 0, 5, -2, 5}, {2, 4});
  CHECK(argmax(x, 1).to_vector<int64_t>() == std::vector<int64_t>{1, 1});
  CHECK(argmin(x, 1).to_vector<int64_t>() == std::vector<int64_t>{3, 2});
  CHECK(argmax(x, 0).to_vector<int64_t>() == std::vector<int64_t>{0, 0, 0, 1});
  CHECK(argmax(x, 1).dtype() == kInt64);
}

TEST_CASE("float32 sums keep their digits (double accumulation)") {
  Tensor x = full({1 << 22}, 0.1f);  // 4M terms
  CHECK(sum(x).item() == doctest::Approx(419430.4).epsilon(1e-6));
}

TEST_CASE("gradcheck: reductions") {
  Tensor x = random_leaf({3, 4, 2}, 21);
  SUBCASE("sum all") { expect_gradients_match([](const Inputs& in) { return sum(in[0]); }, {x}); }
  SUBCASE("sum dims") { expect_gradients_match([](const Inputs& in) { return sum(in[0], {0, 2}); }, {x}); }
  SUBCASE("sum keepdim") { expect_gradients_match([](const Inputs& in) { return sum(in[0], {1}, true); }, {x}); }
  SUBCASE("mean") { expect_gradients_match([](const Inputs& in) { return mean(in[0], {-1}); }, {x}); }
  SUBCASE("max") { expect_gradients_match([](const Inputs& in) { return max(in[0], {1}); }, {x}); }
  SUBCASE("min") { expect_gradients_match([](const Inputs& in) { return min(in[0], {0, 1}, true); }, {x}); }
  SUBCASE("max of all") { expect_gradients_match([](const Inputs& in) { return max(in[0]); }, {x}); }
  SUBCASE("var unbiased") { expect_gradients_match([](const Inputs& in) { return var(in[0], {0}); }, {x}); }
  SUBCASE("var biased") { expect_gradients_match([](const Inputs& in) { return var(in[0], {1, 2}, false); }, {x}); }
  SUBCASE("sum of a transposed view") {
    expect_gradients_match([](const Inputs& in) { return sum(in[0].transpose(0, 2), {1}); }, {x});
  }
}

TEST_CASE("max shares the gradient equally between tied elements") {
  Tensor x = tensor(std::vector<double>{1, 5, 5, 2}).requires_grad_();
  max(x).backward();
  expect_close(x.grad(), tensor(std::vector<double>{0, 0.5, 0.5, 0}));
}

TEST_CASE("matmul values, including transposed views passed to BLAS") {
  Tensor a = tensor(std::vector<float>{1, 2, 3, 4, 5, 6}, {2, 3});
  Tensor b = tensor(std::vector<float>{1, 0, 0, 1, 1, 1}, {3, 2});
  expect_close(matmul(a, b), tensor(std::vector<float>{4, 5, 10, 11}, {2, 2}));
  expect_close(matmul(a.t(), a), tensor(std::vector<float>{17, 22, 27, 22, 29, 36, 27, 36, 45}, {3, 3}));
  expect_close(matmul(a, a.t()), tensor(std::vector<float>{14, 32, 32, 77}, {2, 2}));
  // a column slice is neither row- nor column-major: it is copied first
  Tensor wide = arange(12).reshape({3, 4});
  expect_close(matmul(wide.slice(1, 0, 4, 2), tensor(std::vector<float>{1, 1}, {2, 1})),
               tensor(std::vector<float>{2, 10, 18}, {3, 1}));
}

// The product of float64 matrices [m, k] x [k, n], or of batches of them
// [B, m, k] x [B, k, n], by the definition: sum over l of a[i, l] b[l, j].
Tensor triple_loop(const Tensor& a, const Tensor& b) {
  const int64_t batch = a.dim() == 3 ? a.size(0) : 1, m = a.size(-2), k = a.size(-1), n = b.size(-1);
  const std::vector<double> av = a.contiguous().to_vector<double>(), bv = b.contiguous().to_vector<double>();
  std::vector<double> c(batch * m * n, 0.0);
  for (int64_t p = 0; p < batch; ++p)
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j)
        for (int64_t l = 0; l < k; ++l) c[(p * m + i) * n + j] += av[(p * m + i) * k + l] * bv[(p * k + l) * n + j];
  return a.dim() == 3 ? tensor(c, {batch, m, n}) : tensor(c, {m, n});
}

TEST_CASE("matmul and bmm against a naive triple loop") {
  Generator gen(5);
  Tensor a = randn({4, 5, 6}, gen, kFloat64), b = randn({4, 6, 3}, gen, kFloat64);
  Tensor c = bmm(a, b);
  expect_close(c, triple_loop(a, b), 1e-12);
}

TEST_CASE("a product shared between threads by rows or by columns equals the triple loop") {
  // m x k times k x n, each operand stored plain or transposed: 320 x 64 splits
  // by rows, 48 x 400 by columns (cpu::gemm_split), both at 2 threads.
  struct Case {
    int64_t m, n, k;
    cpu::GemmSplit split;
  };
  const int threads = num_threads();
  set_num_threads(2);
  Generator gen(9);
  for (const Case& c : {Case{320, 64, 60, cpu::GemmSplit::Rows}, Case{48, 400, 70, cpu::GemmSplit::Columns}}) {
    GemmArgs args;
    args.m = c.m, args.n = c.n, args.k = c.k;
    CHECK(cpu::gemm_split(args, 2) == c.split);
    CHECK(cpu::gemm_split(args, 1) == cpu::GemmSplit::None);
    for (bool transpose_a : {false, true}) {
      for (bool transpose_b : {false, true}) {
        CAPTURE(c.m);
        CAPTURE(transpose_a);
        CAPTURE(transpose_b);
        Tensor a = transpose_a ? randn({c.k, c.m}, gen, kFloat64).t() : randn({c.m, c.k}, gen, kFloat64);
        Tensor b = transpose_b ? randn({c.n, c.k}, gen, kFloat64).t() : randn({c.k, c.n}, gen, kFloat64);
        const Tensor expected = triple_loop(a, b);
        expect_close(matmul(a, b), expected, 1e-12);
        expect_close(matmul(a.to(kFloat32), b.to(kFloat32)), expected.to(kFloat32), 1e-4);
      }
    }
  }
  set_num_threads(threads);
}

TEST_CASE("gradcheck: matmul and bmm") {
  Tensor a = random_leaf({3, 4}, 31), b = random_leaf({4, 5}, 32);
  Tensor p = random_leaf({2, 3, 4}, 33), q = random_leaf({2, 4, 2}, 34);
  SUBCASE("matmul") { expect_gradients_match([](const Inputs& in) { return matmul(in[0], in[1]); }, {a, b}); }
  SUBCASE("matmul of transposed views") {
    expect_gradients_match([](const Inputs& in) { return matmul(in[1].t(), in[0].t()); }, {a, b});
  }
  SUBCASE("bmm") { expect_gradients_match([](const Inputs& in) { return bmm(in[0], in[1]); }, {p, q}); }
  SUBCASE("batched times shared matrix") {
    expect_gradients_match([](const Inputs& in) { return matmul(in[0], in[1]); }, {p, b});
  }
}

TEST_CASE("matmul names the shapes it cannot multiply") {
  CHECK(testing::error_message([] { matmul(zeros({2, 3}), zeros({4, 5})); }) ==
        "matmul: shapes [2,3] and [4,5] cannot be multiplied (3 columns vs 4 rows)");
  CHECK(testing::error_message([] { matmul(zeros({2}), zeros({2, 2})); }) ==
        "matmul: expects 2-D or 3-D tensors, got [2] and [2,2]");
}
