#include "apps/latent/classifier_training.h"

#include "apps/common/mnist_models.h"
#include "optim/optim.h"

namespace gs::apps {
namespace {

double test_accuracy(MnistClassifier& model, const data::Dataset& test, Device device) {
  NoGradGuard no_grad;
  model.eval();
  int64_t correct = 0;
  constexpr int64_t kBatch = 500;
  for (int64_t start = 0; start < test.size(); start += kBatch) {
    const int64_t count = std::min(kBatch, test.size() - start);
    const std::vector<int64_t> predicted =
        argmax(model.forward(test.images.narrow(0, start, count).to(device)), 1).to_vector<int64_t>();
    const std::vector<int64_t> labels = test.labels.narrow(0, start, count).to_vector<int64_t>();
    for (int64_t i = 0; i < count; ++i) correct += predicted[i] == labels[i];
  }
  model.train();
  return test.size() > 0 ? static_cast<double>(correct) / static_cast<double>(test.size()) : 0.0;
}

}  // namespace

double train_and_test_classifier(const data::Dataset& train, const data::Dataset& test,
                                 const ClassifierTraining& settings, const latent::ProgressCallback& progress) {
  check(train.size() > 0 && test.size() > 0, "train_and_test_classifier: empty training or test set");
  Generator random_stream(settings.seed);  // initial weights, dropout, data order
  MnistClassifier model(random_stream);
  model.to(settings.device);
  optim::AdamOptions options;
  options.lr = settings.learning_rate;
  optim::Adam optimizer(model.parameters(), options);
  const int64_t batch = std::min(settings.batch, train.size());
  Tensor order;
  int64_t position = train.size();  // start with a fresh permutation
  for (int64_t step = 0; step < settings.steps; ++step) {
    if (position + batch > train.size()) {
      order = randperm(train.size(), random_stream);
      position = 0;
    }
    const Tensor indices = order.narrow(0, position, batch);
    position += batch;
    optimizer.set_lr(settings.learning_rate * (1.0 - static_cast<double>(step) / static_cast<double>(settings.steps)));
    optimizer.zero_grad();
    const Tensor logits = model.forward(data::gather_rows(train.images, indices).to(settings.device));
    Tensor loss = F::cross_entropy(logits, data::gather_rows(train.labels, indices).to(settings.device));
    loss.backward();
    optimizer.step();
    if (progress) progress(step + 1);
  }
  return test_accuracy(model, test, settings.device);
}

}  // namespace gs::apps
