// Timing helpers for the benchmarks: medians of repeated runs (the machine is
// shared, so a single time means little), and a note of which BLAS is loaded.
#pragma once
#include <algorithm>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include <cblas.h>

namespace gs::bench {

// Median wall time in milliseconds of `reps` runs after `warmup` runs.
inline double median_ms(const std::function<void()>& run, int reps = 10, int warmup = 2) {
  for (int i = 0; i < warmup; ++i) run();
  std::vector<double> times;
  for (int i = 0; i < reps; ++i) {
    auto start = std::chrono::steady_clock::now();
    run();
    times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

inline std::string blas_config() { return openblas_get_config(); }

}  // namespace gs::bench
