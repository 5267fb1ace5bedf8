// Polyak averaging (Polyak & Juditsky 1992), in the exponential form the
// semi-supervised GAN evaluates with (Salimans et al. 2016): after every
// optimizer step,
//   average <- average + (1 - decay) (parameter - average),
// starting from zero. Like Adam's moments, a zero start is biased towards 0
// early on (after t steps the weights sum to 1 - decay^t, not 1), so
// copy_to() divides by 1 - decay^t. Without that correction (as in the
// original code) the averaged model lags the trained one for the first
// ~1/(1 - decay) steps: 10,000 iterations (17 MNIST epochs) at decay 0.9999.
//
// running_mean() is Polyak & Juditsky's own, uniform average: after t updates
// the mean of the t values seen, a <- a + (p - a) / t (historical averaging).
#pragma once
#include <vector>

#include "nn/state_dict.h"
#include "tensor/tensor.h"

namespace gs::optim {

class PolyakAverage {
 public:
  PolyakAverage(std::vector<Tensor> params, double decay);
  static PolyakAverage running_mean(std::vector<Tensor> params);

  // Folds the parameters' current values into the average (no autograd).
  void update();
  // Writes the bias-corrected averages into `targets` (same shapes, e.g. the
  // parameters of a second copy of the model used for evaluation).
  void copy_to(const std::vector<Tensor>& targets) const;

  // The averages as kept (no copy): bias-corrected only for running_mean().
  const std::vector<Tensor>& running_means() const;

  int64_t steps() const { return steps_; }
  double decay() const { return decay_; }

  // "average.<i>" and "steps", for checkpoints.
  StateDict state_dict() const;
  void load_state_dict(const StateDict& dict);

 private:
  std::vector<Tensor> params_, averages_;
  double decay_;  // 0: the running mean
  int64_t steps_ = 0;
};

}  // namespace gs::optim
