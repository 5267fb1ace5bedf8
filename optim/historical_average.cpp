#include "optim/historical_average.h"

#include "autograd/autograd.h"

namespace gs::optim {

HistoricalAverage::HistoricalAverage(std::vector<Tensor> params, double weight)
    : params_(params), past_(PolyakAverage::running_mean(std::move(params))), weight_(weight) {
  check(weight > 0, "HistoricalAverage: the penalty's weight must be positive, got ", weight);
  check(!params_.empty(), "HistoricalAverage: no parameters");
  past_.update();  // the initial values are the first of the past
}

// weight * sum_k ||p_k - m_k||^2;  d/dp_k = 2 weight (p_k - m_k)
Tensor HistoricalAverage::penalty() const {
  const std::vector<Tensor>& means = past_.running_means();
  Tensor total = sum(square(params_[0] - means[0]));
  for (size_t k = 1; k < params_.size(); ++k) total = total + sum(square(params_[k] - means[k]));
  return total * weight_;
}

}  // namespace gs::optim
