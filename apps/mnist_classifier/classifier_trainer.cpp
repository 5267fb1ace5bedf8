#include "apps/mnist_classifier/classifier_trainer.h"

#include <cmath>
#include <cstdio>

#include "apps/common/classifier_eval.h"

namespace gs::apps {

ClassifierTrainer::ClassifierTrainer(const ClassifierSettings& settings, Device device)
    : settings_(settings), device_(device), random_stream_(settings.seed) {
  model_ = std::make_unique<MnistClassifier>(random_stream_);
  model_->to(device);
  parallel_.broadcast_state(*model_);
  optim::AdamOptions options;
  options.lr = settings.learning_rate;
  optimizer_ = std::make_unique<optim::Adam>(model_->parameters(), options);
  schedule_ = std::make_unique<optim::StepLR>(*optimizer_, 1, settings.learning_rate_decay);
}

StepResult ClassifierTrainer::step(const Tensor& images, const Tensor& labels) {
  optimizer_->zero_grad();
  Tensor logits, loss;
  {
    nn::GlobalBatchStep global_batch(parallel_);  // dropout masks as for the global batch
    logits = model_->forward(images.to(device_));
    loss = F::cross_entropy(logits, labels.to(device_));
    loss.backward();
  }
  parallel_.average_gradients(model_->parameters());
  optimizer_->step();
  ++iteration;
  StepResult result;  // of the global batch
  const std::vector<double> means = parallel_.mean({loss.item(), static_cast<double>(count_correct(logits, labels))});
  result.loss = means[0];
  result.correct = std::llround(means[1] * parallel_.ranks());
  return result;
}

Tensor ClassifierTrainer::epoch_order(int64_t dataset_size, int64_t epoch_index) const {
  Generator order_stream(settings_.seed * 0x9E3779B97F4A7C15ull + 11);
  order_stream.set_state(order_stream.seed(), static_cast<uint64_t>(epoch_index) << 32);
  return randperm(dataset_size, order_stream);
}

void ClassifierTrainer::start_epoch(int64_t epoch_index) { schedule_->set_epoch(epoch_index); }

double ClassifierTrainer::test_accuracy(const data::Dataset& test_set) {
  return accuracy(classify(*model_, test_set.images, device_).probabilities, test_set.labels);
}

void ClassifierTrainer::save_checkpoint(const std::string& path, double test_accuracy) const {
  StateDict state;
  add_with_prefix(state, model_->state_dict(), kClassifierPrefix);
  add_with_prefix(state, optimizer_->state_dict(), "optimizer.");
  save_stream(state, "random_stream", random_stream_);
  save_position(state, iteration, epoch, batch_in_epoch);
  char accuracy_text[32];
  std::snprintf(accuracy_text, sizeof accuracy_text, "%.4f", test_accuracy);
  save(state, path, {{"format", "gradschool mnist_classifier checkpoint"}, {"test_accuracy", accuracy_text}});
}

void ClassifierTrainer::load_checkpoint(const std::string& path) {
  StateDict state = load(path);
  load_position(state, position(), path, "mnist_classifier");
  load_stream(state, "random_stream", random_stream_, path, "mnist_classifier");
  load_classifier(*model_, path);
  optimizer_->load_state_dict(select_prefix(state, "optimizer."));
}

}  // namespace gs::apps
