// The Philox-4x32-10 generator against the known-answer vectors published
// with Random123 (Salmon et al. 2011), and the properties the framework
// relies on: reproducible from (seed, offset), independent of thread count.
#include <algorithm>
#include <cmath>

#include "tests/helpers.h"
#include "tensor/kernels/philox.h"

using namespace gs;

TEST_CASE("Philox-4x32-10 reproduces the Random123 known-answer vectors") {
  PhiloxBlock zero = philox4x32_10(0, 0, 0, 0, 0, 0);
  CHECK(zero.word[0] == 0x6627e8d5u);
  CHECK(zero.word[1] == 0xe169c58du);
  CHECK(zero.word[2] == 0xbc57ac4cu);
  CHECK(zero.word[3] == 0x9b00dbd8u);
  PhiloxBlock ones = philox4x32_10(~0u, ~0u, ~0u, ~0u, ~0u, ~0u);
  CHECK(ones.word[0] == 0x408f276du);
  CHECK(ones.word[1] == 0x41c83b0eu);
  CHECK(ones.word[2] == 0xa20bc7c6u);
  CHECK(ones.word[3] == 0x6d5451fdu);
  PhiloxBlock pi = philox4x32_10(0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u, 0xa4093822u, 0x299f31d0u);
  CHECK(pi.word[0] == 0xd16cfe09u);
  CHECK(pi.word[1] == 0x94fdccebu);
  CHECK(pi.word[2] == 0x5001e420u);
  CHECK(pi.word[3] == 0x24126ea1u);
}

TEST_CASE("the same seed gives the same numbers; the stream advances") {
  Generator g1(42), g2(42);
  std::vector<float> a = randn({1000}, g1).to_vector<float>();
  std::vector<float> b = randn({1000}, g2).to_vector<float>();
  CHECK(a == b);
  CHECK(g1.offset() == 250);  // 4 numbers per Philox block
  std::vector<float> next = randn({1000}, g1).to_vector<float>();
  CHECK(next != a);
  Generator resumed(42);
  resumed.set_state(42, 250);
  CHECK(randn({1000}, resumed).to_vector<float>() == next);
}

TEST_CASE("random numbers do not depend on the number of threads") {
  int threads = num_threads();
  Generator g1(7), g2(7);
  set_num_threads(1);
  std::vector<float> one = rand({100000}, g1).to_vector<float>();
  std::vector<float> one_normal = randn({100003}, g1).to_vector<float>();  // tiles of 512 blocks and a tail
  set_num_threads(2);
  std::vector<float> two = rand({100000}, g2).to_vector<float>();
  std::vector<float> two_normal = randn({100003}, g2).to_vector<float>();
  set_num_threads(threads);
  CHECK(one == two);
  CHECK(one_normal == two_normal);
}

TEST_CASE("a normal fill is philox_normal element by element, for any length and offset") {
  for (int64_t n : {1, 2, 3, 5, 1001}) {
    Generator gen(11);
    gen.set_state(11, 5);
    const std::vector<double> drawn = normal({n}, 0.5, 2.0, gen, kFloat64).to_vector<double>();
    for (int64_t i = 0; i < n; ++i) {
      CAPTURE(n);
      CAPTURE(i);
      CHECK(drawn[i] == normal_value(philox_normal(11, 5, i), 0.5, 2.0));
    }
  }
}

TEST_CASE("a float32 normal fill is the double formula in float: within 2e-5, for any length and offset") {
  for (int64_t n : {1, 2, 3, 5, 1001, 100003}) {
    Generator gen(17);
    gen.set_state(17, 9);
    const std::vector<float> drawn = normal({n}, 0.5, 2.0, gen, kFloat32).to_vector<float>();
    double worst = 0;
    for (int64_t i = 0; i < n; ++i)
      worst = std::max(worst, std::abs(drawn[i] - normal_value(philox_normal(17, 9, i), 0.5, 2.0)) /
                                  std::max(1.0, std::abs(normal_value(philox_normal(17, 9, i), 0.5, 2.0))));
    CAPTURE(n);
    CHECK(worst < 2e-5 * 2.0);  // stddev 2 scales the standard normal's difference
  }
  // The polynomials themselves, over their whole ranges.
  for (int i = 1; i <= 4096; ++i) {
    const float u = static_cast<float>(i) / 4096.0f, t = static_cast<float>(i) / 4096.0f - 0.000123f;
    CHECK(std::abs(log_of_unit(u) - std::log(static_cast<double>(u))) < 2e-7 * std::max(1.0, std::abs(std::log(static_cast<double>(u)))));
    float sine, cosine;
    sincos_of_turns(t, sine, cosine);
    CHECK(std::abs(sine - std::sin(6.283185307179586 * t)) < 3e-7);
    CHECK(std::abs(cosine - std::cos(6.283185307179586 * t)) < 3e-7);
  }
}

TEST_CASE("uniform and Bernoulli fills are philox_word element by element, for any length and offset") {
  for (int64_t n : {1, 2, 3, 5, 1001, 4101}) {  // 4101: two whole tiles of 512 blocks and a part
    Generator gen(13);
    gen.set_state(13, 7);
    const std::vector<double> uniforms = uniform({n}, -1.0, 3.0, gen, kFloat64).to_vector<double>();
    const std::vector<double> coins = bernoulli({n}, 0.3, gen, kFloat64).to_vector<double>();
    const uint64_t coin_offset = 7 + static_cast<uint64_t>((n + 3) / 4);
    for (int64_t i = 0; i < n; ++i) {
      CAPTURE(n);
      CAPTURE(i);
      CHECK(uniforms[i] == uniform_value(philox_word(13, 7, i), -1.0, 3.0));
      CHECK(coins[i] == (bernoulli_value(philox_word(13, coin_offset, i), 0.3) ? 1.0 : 0.0));
    }
  }
}

TEST_CASE("distributions have the right moments") {
  Generator gen(3);
  const int64_t n = 200000;
  Tensor u = rand({n}, gen, kFloat64);
  CHECK(mean(u).item() == doctest::Approx(0.5).epsilon(0.01));
  CHECK(var(u, {0}).item() == doctest::Approx(1.0 / 12).epsilon(0.02));
  CHECK(min(u).item() > 0.0);
  CHECK(max(u).item() < 1.0);
  Tensor z = normal({n}, 2.0, 3.0, gen, kFloat64);
  CHECK(mean(z).item() == doctest::Approx(2.0).epsilon(0.02));
  CHECK(std::sqrt(var(z, {0}).item()) == doctest::Approx(3.0).epsilon(0.01));
  Tensor w = uniform({n}, -1.0, 1.0, gen);
  CHECK(min(w).item() >= -1.0);
  CHECK(max(w).item() < 1.0);
  Tensor coin = bernoulli({n}, 0.3, gen);
  CHECK(mean(coin).item() == doctest::Approx(0.3).epsilon(0.02));
}

TEST_CASE("randperm is a permutation") {
  Generator gen(9);
  std::vector<int64_t> p = randperm(1000, gen).to_vector<int64_t>();
  std::vector<int64_t> sorted = p;
  std::sort(sorted.begin(), sorted.end());
  for (int64_t i = 0; i < 1000; ++i) CHECK(sorted[i] == i);
  CHECK(p != sorted);
}
