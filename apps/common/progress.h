// Progress for long runs. On a terminal: one line redrawn in place,
//   epoch 2/5 [#########.........]  412/938  2.41 it/s  ETA 03:38  D 1.12 G 0.87
// When stdout is a file or a pipe (CI, `| tee`): a plain line every few
// seconds instead, so logs stay readable.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>

namespace gs::apps {

class Progress {
 public:
  // total_steps may be 0 when unknown (a time budget instead of epochs).
  Progress(int64_t total_steps, double plain_interval_seconds = 10.0);
  // Call after each step; `status` is appended (e.g. current losses).
  void update(int64_t step, const std::string& prefix, const std::string& status);
  void finish();  // ends the line on a terminal
  double elapsed_seconds() const;  // since construction

 private:
  int64_t total_;
  double plain_interval_;
  bool terminal_;
  std::chrono::steady_clock::time_point start_, first_time_, last_print_;
  int64_t first_step_ = -1;
  bool drawn_ = false;
};

std::string format_duration(double seconds);  // "03:38" or "1:02:05"

}  // namespace gs::apps
