#include "apps/mnist_classifier/classifier_trainer.h"

#include <cstdio>

#include "apps/common/classifier_eval.h"

namespace gs::apps {

ClassifierTrainer::ClassifierTrainer(const ClassifierSettings& settings, Device device)
    : settings_(settings), device_(device), random_stream_(settings.seed) {
  model_ = std::make_unique<MnistClassifier>(random_stream_);
  model_->to(device);
  optim::AdamOptions options;
  options.lr = settings.learning_rate;
  optimizer_ = std::make_unique<optim::Adam>(model_->parameters(), options);
  schedule_ = std::make_unique<optim::StepLR>(*optimizer_, 1, settings.learning_rate_decay);
}

StepResult ClassifierTrainer::step(const Tensor& images, const Tensor& labels) {
  optimizer_->zero_grad();
  const Tensor logits = model_->forward(images.to(device_));
  const Tensor targets = labels.to(device_);
  Tensor loss = F::cross_entropy(logits, targets);
  loss.backward();
  optimizer_->step();
  ++iteration;
  StepResult result;
  result.loss = loss.item();
  result.correct = count_correct(logits, labels);
  return result;
}

Tensor ClassifierTrainer::epoch_order(int64_t dataset_size, int64_t epoch_index) const {
  Generator order_stream(settings_.seed * 0x9E3779B97F4A7C15ull + 11);
  order_stream.set_state(order_stream.seed(), static_cast<uint64_t>(epoch_index) << 32);
  return randperm(dataset_size, order_stream);
}

void ClassifierTrainer::finish_epoch() {
  ++epoch;
  batch_in_epoch = 0;
  schedule_->step();
}

double ClassifierTrainer::test_accuracy(const data::Dataset& test_set) {
  return accuracy(classify(*model_, test_set.images, device_).probabilities, test_set.labels);
}

void ClassifierTrainer::save_checkpoint(const std::string& path, double test_accuracy) const {
  StateDict state = with_prefix(model_->state_dict(), kClassifierPrefix);
  for (const auto& entry : with_prefix(optimizer_->state_dict(), "optimizer.")) state.insert(entry);
  state["run.random_stream"] = tensor(std::vector<int64_t>{static_cast<int64_t>(random_stream_.seed()),
                                                           static_cast<int64_t>(random_stream_.offset())});
  state["run.position"] = tensor(std::vector<int64_t>{iteration, epoch, batch_in_epoch});
  char accuracy_text[32];
  std::snprintf(accuracy_text, sizeof accuracy_text, "%.4f", test_accuracy);
  save(state, path, {{"format", "gradschool mnist_classifier checkpoint"}, {"test_accuracy", accuracy_text}});
}

void ClassifierTrainer::load_checkpoint(const std::string& path) {
  StateDict state = load(path);
  auto entry = [&](const std::string& name) {
    auto found = state.find(name);
    check(found != state.end(), path, ": not a mnist_classifier checkpoint (no '", name, "')");
    return found->second;
  };
  std::vector<int64_t> stream = entry("run.random_stream").to_vector<int64_t>();
  std::vector<int64_t> position = entry("run.position").to_vector<int64_t>();
  check(stream.size() == 2 && position.size() == 3, path, ": malformed run state");
  load_classifier(*model_, path);
  optimizer_->load_state_dict(select_prefix(state, "optimizer."));
  random_stream_.set_state(static_cast<uint64_t>(stream[0]), static_cast<uint64_t>(stream[1]));
  iteration = position[0];
  epoch = position[1];
  batch_in_epoch = position[2];
  schedule_->set_epoch(epoch);
}

}  // namespace gs::apps
