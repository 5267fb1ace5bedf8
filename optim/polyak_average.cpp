#include "optim/polyak_average.h"

#include <cmath>
#include <string>

#include "autograd/autograd.h"

namespace gs::optim {

PolyakAverage::PolyakAverage(std::vector<Tensor> params, double decay) : params_(std::move(params)), decay_(decay) {
  check(decay > 0.0 && decay < 1.0, "PolyakAverage: decay must be in (0, 1), got ", decay);
  for (const Tensor& param : params_) averages_.push_back(zeros_like(param));
}

PolyakAverage PolyakAverage::running_mean(std::vector<Tensor> params) {
  PolyakAverage mean(std::move(params), 0.5);
  mean.decay_ = 0;
  return mean;
}

const std::vector<Tensor>& PolyakAverage::running_means() const {
  check(decay_ == 0, "PolyakAverage::running_means: an exponential average (decay ", decay_,
        ") is biased towards 0 as kept; copy_to() corrects it");
  return averages_;
}

// a <- a + w (p - a) = (1 - w) a + w p, with w = 1 - decay, or 1 / t for the running mean
void PolyakAverage::update() {
  NoGradGuard no_grad;
  const double weight = decay_ == 0 ? 1.0 / static_cast<double>(steps_ + 1) : 1.0 - decay_;
  for (size_t i = 0; i < params_.size(); ++i) {
    averages_[i].mul_(1.0 - weight);
    averages_[i].add_(params_[i].detach(), weight);
  }
  ++steps_;
}

void PolyakAverage::copy_to(const std::vector<Tensor>& targets) const {
  check(targets.size() == averages_.size(), "PolyakAverage::copy_to: ", targets.size(), " targets for ",
        averages_.size(), " averaged parameters");
  check(steps_ > 0, "PolyakAverage::copy_to: no update() yet, nothing has been averaged");
  NoGradGuard no_grad;
  const double correction = decay_ == 0 ? 1.0 : 1.0 / (1.0 - std::pow(decay_, static_cast<double>(steps_)));
  for (size_t i = 0; i < targets.size(); ++i) {
    check(targets[i].shape() == averages_[i].shape(), "PolyakAverage::copy_to: target ", i, " has shape ",
          shape_str(targets[i].shape()), " but the average ", shape_str(averages_[i].shape()));
    Tensor target = targets[i];
    target.copy_(averages_[i] * correction);
  }
}

StateDict PolyakAverage::state_dict() const {
  StateDict dict;
  for (size_t i = 0; i < averages_.size(); ++i) dict["average." + std::to_string(i)] = averages_[i].clone();
  dict["steps"] = tensor(std::vector<int64_t>{steps_});
  return dict;
}

void PolyakAverage::load_state_dict(const StateDict& dict) {
  check(dict.size() == averages_.size() + 1, "PolyakAverage: the state has ", dict.size(), " entries, expected ",
        averages_.size() + 1);
  for (size_t i = 0; i < averages_.size(); ++i) {
    const std::string name = "average." + std::to_string(i);
    auto found = dict.find(name);
    check(found != dict.end(), "PolyakAverage: the state has no '", name, "'");
    check(found->second.shape() == averages_[i].shape(), "PolyakAverage: '", name, "' has shape ",
          shape_str(found->second.shape()), " but the parameter ", shape_str(averages_[i].shape()));
    averages_[i].copy_(found->second.to(averages_[i].device()));
  }
  auto steps = dict.find("steps");
  check(steps != dict.end(), "PolyakAverage: the state has no 'steps'");
  steps_ = steps->second.to_vector<int64_t>().at(0);
}

}  // namespace gs::optim
