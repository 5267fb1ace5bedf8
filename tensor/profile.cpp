#include "tensor/profile.h"

#include <omp.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>

namespace gs {
namespace {

bool& enabled_flag() {
  static bool enabled = [] {
    const char* value = std::getenv("GS_PROFILE");
    return value != nullptr && *value != '\0' && std::strcmp(value, "0") != 0;
  }();
  return enabled;
}

std::map<std::string, ProfileEntry>& totals() {
  static std::map<std::string, ProfileEntry> entries;
  return entries;
}

ProfileScope*& innermost_scope() {
  static ProfileScope* scope = nullptr;
  return scope;
}

}  // namespace

bool profiling_enabled() { return enabled_flag(); }
void set_profiling(bool enabled) { enabled_flag() = enabled; }

ProfileScope::ProfileScope(const char* name)
    : active_(profiling_enabled() && omp_get_thread_num() == 0 && !omp_in_parallel()) {
  if (!active_) return;
  parent_ = innermost_scope();
  path_ = parent_ != nullptr ? parent_->path_ + " > " + name : std::string(name);
  innermost_scope() = this;
  start_ = std::chrono::steady_clock::now();
}

ProfileScope::~ProfileScope() {
  if (!active_) return;
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_).count();
  ProfileEntry& entry = totals()[path_];
  entry.name = path_;
  entry.ms += ms - children_ms_;
  entry.calls += 1;
  if (parent_ != nullptr) parent_->children_ms_ += ms;
  innermost_scope() = parent_;
}

std::vector<ProfileEntry> profile_entries() {
  std::vector<ProfileEntry> entries;
  for (const auto& [name, entry] : totals()) entries.push_back(entry);
  std::sort(entries.begin(), entries.end(), [](const ProfileEntry& a, const ProfileEntry& b) { return a.ms > b.ms; });
  return entries;
}

void profile_reset() { totals().clear(); }

std::string profile_table(double total_ms) {
  std::string table;
  char line[256];
  std::snprintf(line, sizeof line, "%-48s %10s %8s %8s\n", "kernel (self time)", "ms", "share", "calls");
  table += line;
  double inside = 0;
  for (const ProfileEntry& entry : profile_entries()) {
    std::snprintf(line, sizeof line, "%-48s %10.2f %7.1f%% %8lld\n", entry.name.c_str(), entry.ms,
                  100.0 * entry.ms / total_ms, entry.calls);
    table += line;
    inside += entry.ms;
  }
  std::snprintf(line, sizeof line, "%-48s %10.2f %7.1f%%\n", "(outside every kernel)", total_ms - inside,
                100.0 * (total_ms - inside) / total_ms);
  table += line;
  return table;
}

}  // namespace gs
