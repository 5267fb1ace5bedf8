#include "apps/common/progress.h"

#include <unistd.h>

#include <cstdio>

namespace gs::apps {

std::string format_duration(double seconds) {
  if (seconds < 0 || seconds > 1e7) return "--:--";
  int64_t s = static_cast<int64_t>(seconds + 0.5);
  char text[32];
  if (s >= 3600) {
    std::snprintf(text, sizeof text, "%lld:%02lld:%02lld", static_cast<long long>(s / 3600),
                  static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
  } else {
    std::snprintf(text, sizeof text, "%02lld:%02lld", static_cast<long long>(s / 60), static_cast<long long>(s % 60));
  }
  return text;
}

Progress::Progress(int64_t total_steps, double plain_interval_seconds)
    : total_(total_steps),
      plain_interval_(plain_interval_seconds),
      terminal_(isatty(STDOUT_FILENO)),
      start_(std::chrono::steady_clock::now()),
      last_print_(start_) {}

double Progress::elapsed_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void Progress::update(int64_t step, const std::string& prefix, const std::string& status) {
  auto now = std::chrono::steady_clock::now();
  if (first_step_ < 0) {  // the rate counts from the first step, not from start-up
    first_step_ = step;
    first_time_ = now;
  }
  const double elapsed = std::chrono::duration<double>(now - first_time_).count();
  const double since_print = std::chrono::duration<double>(now - last_print_).count();
  if (terminal_ ? since_print < 0.2 : since_print < plain_interval_) return;
  last_print_ = now;
  const double rate = elapsed > 0 ? static_cast<double>(step - first_step_) / elapsed : 0.0;
  const std::string eta = total_ > 0 && rate > 0 ? format_duration((total_ - step) / rate) : "--:--";
  char counts[96];
  if (total_ > 0) {
    std::snprintf(counts, sizeof counts, "%lld/%lld  %.2f it/s  ETA %s", static_cast<long long>(step),
                  static_cast<long long>(total_), rate, eta.c_str());
  } else {
    std::snprintf(counts, sizeof counts, "%lld  %.2f it/s", static_cast<long long>(step), rate);
  }
  if (terminal_) {
    std::string bar;
    if (total_ > 0) {
      const int width = 20, filled = static_cast<int>(width * step / total_);
      bar = "[" + std::string(filled, '#') + std::string(width - filled, '.') + "]  ";
    }
    std::printf("\r\033[K%s %s%s  %s", prefix.c_str(), bar.c_str(), counts, status.c_str());
    drawn_ = true;
  } else {
    std::printf("%s  %s  %s\n", prefix.c_str(), counts, status.c_str());
  }
  std::fflush(stdout);
}

void Progress::finish() {
  if (terminal_ && drawn_) std::printf("\n");
  drawn_ = false;
  std::fflush(stdout);
}

}  // namespace gs::apps
