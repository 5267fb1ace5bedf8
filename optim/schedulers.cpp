#include "optim/schedulers.h"

#include <algorithm>
#include <cmath>

namespace gs::optim {

Scheduler::Scheduler(Optimizer& optimizer) : optimizer_(optimizer) {
  for (const ParamGroup& group : optimizer.param_groups()) base_lrs_.push_back(group.lr);
}

void Scheduler::step() { set_epoch(epoch_ + 1); }

void Scheduler::set_epoch(int64_t epoch) {
  check(epoch >= 0, "scheduler: the epoch must be >= 0, got ", epoch);
  epoch_ = epoch;
  std::vector<ParamGroup>& groups = optimizer_.param_groups();
  for (size_t g = 0; g < groups.size() && g < base_lrs_.size(); ++g) groups[g].lr = base_lrs_[g] * factor(epoch);
}

LinearDecay::LinearDecay(Optimizer& optimizer, int64_t total_epochs, int64_t decay_start)
    : Scheduler(optimizer), total_epochs_(total_epochs), decay_start_(decay_start) {
  check(0 <= decay_start && decay_start < total_epochs, "LinearDecay: needs 0 <= decay_start < total_epochs, got ",
        decay_start, " and ", total_epochs);
}

double LinearDecay::factor(int64_t epoch) const {
  double remaining = double(total_epochs_ - epoch) / double(total_epochs_ - decay_start_);
  return std::clamp(remaining, 0.0, 1.0);
}

StepLR::StepLR(Optimizer& optimizer, int64_t step_size, double gamma)
    : Scheduler(optimizer), step_size_(step_size), gamma_(gamma) {
  check(step_size > 0, "StepLR: step_size must be positive, got ", step_size);
}

double StepLR::factor(int64_t epoch) const { return std::pow(gamma_, double(epoch / step_size_)); }

}  // namespace gs::optim
