// One training run of the MNIST classifier: the model, its optimizer and
// learning-rate schedule, the random stream (initialisation, then dropout),
// and where the run stands. The checkpoint holds all of it, so --resume
// continues exactly where an uninterrupted run would be.
#pragma once
#include <memory>
#include <string>

#include "apps/common/run_state.h"
#include "apps/common/mnist_models.h"
#include "data/dataset.h"
#include "nn/data_parallel.h"
#include "nn/nn.h"
#include "optim/optim.h"

namespace gs::apps {

struct ClassifierSettings {
  int64_t batch_size = 64;
  double learning_rate = 1e-3;
  double learning_rate_decay = 0.5;  // the lr is multiplied by this after every epoch
  uint64_t seed = 1;
};

struct StepResult {
  double loss = 0;      // mean cross-entropy of the batch
  int64_t correct = 0;  // examples of the batch classified right
};

class ClassifierTrainer {
 public:
  ClassifierTrainer(const ClassifierSettings& settings, Device device);

  // One Adam step on the cross-entropy of a batch (images [B, 1, 28, 28], labels [B]):
  // under mpirun this rank's rows of the global batch; the result is the global batch's.
  StepResult step(const Tensor& images, const Tensor& labels);

  // The epoch's shuffled order of the training set (reproducible from seed and epoch).
  Tensor epoch_order(int64_t dataset_size, int64_t epoch_index) const;

  // Sets the learning rate of the epoch about to run (lowered after every epoch).
  void start_epoch(int64_t epoch_index);

  double test_accuracy(const data::Dataset& test_set);

  // `test_accuracy` goes into the file's metadata, for people reading it later.
  void save_checkpoint(const std::string& path, double test_accuracy) const;
  void load_checkpoint(const std::string& path);

  MnistClassifier& model() { return *model_; }
  int64_t iteration = 0;       // steps taken so far
  int64_t epoch = 0;           // the epoch in progress
  int64_t batch_in_epoch = 0;  // its next batch
  RunPosition position() { return {iteration, epoch, batch_in_epoch}; }

 private:
  ClassifierSettings settings_;
  Device device_;
  nn::DataParallel parallel_;  // mpirun's ranks (nn/data_parallel.h); one without mpirun
  Generator random_stream_;  // initial weights, then dropout masks
  std::unique_ptr<MnistClassifier> model_;
  std::unique_ptr<optim::Adam> optimizer_;
  std::unique_ptr<optim::StepLR> schedule_;
};

}  // namespace gs::apps
