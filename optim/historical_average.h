// Historical averaging (Salimans et al. 2016, "Improved Techniques for
// Training GANs", section 3.3): each network's loss gets the penalty
//   weight * sum_k || theta_k - mean_{i < t} theta_k[i] ||^2,
// pulling the parameters towards the mean of their own past values, which
// damps the orbiting around an equilibrium that plain gradient steps of two
// players can fall into. The mean starts with the initial parameters and
// takes in each step's result (update(), after the optimizer's step).
#pragma once
#include <vector>

#include "optim/polyak_average.h"

namespace gs::optim {

class HistoricalAverage {
 public:
  HistoricalAverage(std::vector<Tensor> params, double weight);

  // The penalty on the parameters' current values: differentiable, add it to the loss.
  Tensor penalty() const;
  // Folds the parameters' current values into the mean of the past.
  void update() { past_.update(); }

  double weight() const { return weight_; }
  StateDict state_dict() const { return past_.state_dict(); }
  void load_state_dict(const StateDict& dict) { past_.load_state_dict(dict); }

 private:
  std::vector<Tensor> params_;
  PolyakAverage past_;  // the running mean of the past values
  double weight_;
};

}  // namespace gs::optim
