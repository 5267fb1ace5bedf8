// Opt-in wall-time profile of the kernels: where the time of a training step
// goes. Off unless the environment sets GS_PROFILE (to anything but 0); then
// every ProfileScope adds its *self* time (its wall time minus that of the
// scopes opened inside it) to a total per path of names ("conv2d backward >
// gemm"), so nested scopes never count twice and the totals add up to the
// time spent inside any scope.
//   { ProfileScope scope("im2col"); ... }      // in a kernel
//   std::printf("%s", profile_table(iteration_ms).c_str());
// Scopes opened on OpenMP worker threads are ignored: the kernels open theirs
// on the calling thread, around their parallel loops.
#pragma once
#include <chrono>
#include <string>
#include <vector>

namespace gs {

bool profiling_enabled();
void set_profiling(bool enabled);  // overrides GS_PROFILE (tests, benchmarks)

class ProfileScope {
 public:
  explicit ProfileScope(const char* name);
  ~ProfileScope();
  ProfileScope(const ProfileScope&) = delete;
  ProfileScope& operator=(const ProfileScope&) = delete;

 private:
  bool active_ = false;
  std::string path_;  // the names of the open scopes, outermost first
  std::chrono::steady_clock::time_point start_;
  double children_ms_ = 0;
  ProfileScope* parent_ = nullptr;
};

struct ProfileEntry {
  std::string name;
  double ms = 0;      // self time, summed over calls
  long long calls = 0;
};

std::vector<ProfileEntry> profile_entries();  // largest total first
void profile_reset();
// The entries as a table with each one's share of `total_ms` (e.g. the wall
// time of the profiled iterations) and a line for the time outside every scope.
std::string profile_table(double total_ms);

}  // namespace gs
