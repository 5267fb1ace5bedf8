// Learning-rate schedules. A scheduler remembers each group's lr at its
// construction (the base lr) and, on step() at the end of each epoch, sets
// lr = base lr * factor(epoch).
#pragma once
#include <vector>

#include "optim/optimizer.h"

namespace gs::optim {

class Scheduler {
 public:
  virtual ~Scheduler() = default;
  // Advances one epoch and sets the optimizer's learning rates.
  void step();
  int64_t epoch() const { return epoch_; }
  // Jumps to an epoch (when resuming a run) and sets the learning rates for it.
  void set_epoch(int64_t epoch);
  // The multiplier of the base lr at an epoch (0 = before any step()).
  virtual double factor(int64_t epoch) const = 0;

 protected:
  explicit Scheduler(Optimizer& optimizer);

 private:
  Optimizer& optimizer_;
  std::vector<double> base_lrs_;
  int64_t epoch_ = 0;
};

// Constant, then linear to 0 (Salimans et al. 2016's schedule:
// lr * min(1, (total - epoch) / (total - decay_start))): the base lr until
// decay_start, then falling linearly to 0 at total_epochs.
class LinearDecay : public Scheduler {
 public:
  LinearDecay(Optimizer& optimizer, int64_t total_epochs, int64_t decay_start);
  double factor(int64_t epoch) const override;

 private:
  int64_t total_epochs_, decay_start_;
};

// Multiplies the lr by gamma every step_size epochs: gamma^floor(epoch / step_size).
class StepLR : public Scheduler {
 public:
  StepLR(Optimizer& optimizer, int64_t step_size, double gamma = 0.1);
  double factor(int64_t epoch) const override;

 private:
  int64_t step_size_;
  double gamma_;
};

}  // namespace gs::optim
