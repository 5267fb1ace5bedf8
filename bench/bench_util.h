// Timing helpers for the benchmarks: medians of repeated runs (the machine is
// shared, so a single time means little), a note of which BLAS is loaded, and
// the resident memory (RSS) a piece of work adds at its peak.
#pragma once
#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <fstream>
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

// A line "Key:   123 kB" of /proc/self/status, in MiB; -1 if absent.
inline double process_status_mib(const std::string& key) {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.compare(0, key.size() + 1, key + ":") == 0) return std::stod(line.substr(key.size() + 1)) / 1024.0;
  return -1;
}

// Peak RSS of `work`: the process's high-water mark (VmHWM) while it runs, and
// how much of it `work` added to the RSS before it began. Freed heap is handed
// back first (malloc_trim) and the mark reset (Linux: "5" to /proc/self/clear_refs),
// so earlier work does not count; `added_mib` is -1 where the reset is refused.
struct PeakMemory {
  double peak_mib = -1, added_mib = -1;
};
inline PeakMemory peak_memory(const std::function<void()>& work) {
  malloc_trim(0);
  std::ofstream reset("/proc/self/clear_refs");
  reset << "5" << std::flush;
  const bool was_reset = static_cast<bool>(reset);
  const double before = process_status_mib("VmRSS");
  work();
  PeakMemory memory;
  memory.peak_mib = process_status_mib("VmHWM");
  if (was_reset && before >= 0) memory.added_mib = memory.peak_mib - before;
  return memory;
}

}  // namespace gs::bench
