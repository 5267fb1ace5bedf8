// The sum of term(0) + ... + term(count - 1) in eight independent partial
// sums, accumulated in double. With one accumulator every add waits for the one
// before it (and the compiler may not reorder float adds); eight let the adds
// overlap and vectorise, and double keeps the digits of long float32 sums.
#pragma once
#include <cstdint>

namespace gs::cpu {

template <typename Term>
double partial_sums(int64_t count, Term term) {
  double partial[8] = {};
  int64_t k = 0;
  for (; k + 8 <= count; k += 8)
    for (int j = 0; j < 8; ++j) partial[j] += term(k + j);
  double total = 0;
  for (; k < count; ++k) total += term(k);
  for (double p : partial) total += p;
  return total;
}

}  // namespace gs::cpu
