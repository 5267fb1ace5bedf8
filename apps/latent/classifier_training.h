// The small training loop of `latent train-on-synthetic`: a fresh
// MnistClassifier trained on one labeled set, then tested on another.
#pragma once
#include <cstdint>

#include "nn/class_codes.h"
#include "data/dataset.h"

namespace gs::apps {

struct ClassifierTraining {
  int64_t steps = 1875;       // Adam steps (every run the same, whatever the size of its training set)
  int64_t batch = 64;
  double learning_rate = 1e-3;  // falls linearly to 0 over the steps
  uint64_t seed = 1;
  Device device = Device::cpu();
};

// Trains on `train` (reshuffled every pass over it) and returns the fraction
// of `test` classified right. `progress` receives the steps done.
double train_and_test_classifier(const data::Dataset& train, const data::Dataset& test,
                                 const ClassifierTraining& settings, const latent::ProgressCallback& progress = nullptr);

}  // namespace gs::apps
