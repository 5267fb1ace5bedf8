#include "data/dataset.h"

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "tensor/error.h"

namespace gs::data {

Tensor gather_rows(const Tensor& source, const Tensor& indices) {
  check(indices.dtype() == kInt64 && indices.dim() == 1, "gather_rows: indices must be a 1-D int64 tensor, got ",
        shape_str(indices.shape()));
  check(source.dim() >= 1, "gather_rows: the source needs a first dimension to index");
  check(source.device().is_cpu(), "gather_rows: the dataset must be on the CPU (move batches to the GPU instead)");
  const Tensor rows = source.contiguous();
  const Tensor wanted = indices.contiguous();
  Shape shape = rows.shape();
  const int64_t count = shape[0];
  shape[0] = wanted.size(0);
  Tensor out = empty(shape, rows.dtype());
  const size_t row_bytes = static_cast<size_t>(numel(shape) / std::max<int64_t>(shape[0], 1)) * dtype_size(rows.dtype());
  const auto* from = static_cast<const char*>(rows.storage()->data()) + rows.offset() * dtype_size(rows.dtype());
  auto* to = static_cast<char*>(out.storage()->data());
  const int64_t* index = wanted.data<int64_t>();
  for (int64_t i = 0; i < shape[0]; ++i) {
    check(index[i] >= 0 && index[i] < count, "gather_rows: index ", index[i], " is out of range for ", count,
          " rows");
    std::memcpy(to + i * row_bytes, from + index[i] * row_bytes, row_bytes);
  }
  return out;
}

Dataset Dataset::subset(const Tensor& indices) const {
  return {gather_rows(images, indices), gather_rows(labels, indices)};
}

// The state of one pass over the data: the order of the examples, the batch
// handed out last and, with prefetch on, a worker thread that keeps up to
// kQueueDepth assembled batches ready so that copying overlaps the training step.
class DataLoader::Epoch {
 public:
  Epoch(const Dataset& dataset, std::vector<int64_t> order, int64_t batch_size, int64_t num_batches, bool prefetch)
      : dataset_(dataset), order_(std::move(order)), batch_size_(batch_size), num_batches_(num_batches) {
    if (prefetch) worker_ = std::thread([this] { produce_all(); });
  }

  ~Epoch() {
    if (!worker_.joinable()) return;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    changed_.notify_all();
    worker_.join();
  }

  // Makes the next batch current; false when the epoch is over.
  bool advance() {
    if (consumed_ == num_batches_) return false;
    if (!worker_.joinable()) {
      current_ = make_batch(consumed_++);
      return true;
    }
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [this] { return !ready_.empty() || failure_; });
    if (ready_.empty()) std::rethrow_exception(failure_);
    current_ = std::move(ready_.front());
    ready_.pop_front();
    ++consumed_;
    changed_.notify_all();
    return true;
  }

  const Batch& current() const { return current_; }

 private:
  static constexpr size_t kQueueDepth = 2;

  Batch make_batch(int64_t k) const {
    const int64_t start = k * batch_size_;
    const int64_t stop = std::min<int64_t>(start + batch_size_, static_cast<int64_t>(order_.size()));
    Tensor indices = tensor(std::vector<int64_t>(order_.begin() + start, order_.begin() + stop));
    return {gather_rows(dataset_.images, indices), gather_rows(dataset_.labels, indices), indices};
  }

  void produce_all() {
    try {
      for (int64_t k = 0; k < num_batches_; ++k) {
        Batch batch = make_batch(k);
        std::unique_lock<std::mutex> lock(mutex_);
        changed_.wait(lock, [this] { return ready_.size() < kQueueDepth || stopping_; });
        if (stopping_) return;
        ready_.push_back(std::move(batch));
        changed_.notify_all();
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex_);
      failure_ = std::current_exception();
      changed_.notify_all();
    }
  }

  const Dataset dataset_;  // shares the loader's storage
  const std::vector<int64_t> order_;
  const int64_t batch_size_;
  const int64_t num_batches_;
  int64_t consumed_ = 0;
  Batch current_;

  std::thread worker_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Batch> ready_;
  bool stopping_ = false;
  std::exception_ptr failure_;
};

DataLoader::DataLoader(Dataset dataset, DataLoaderOptions options)
    : dataset_(std::move(dataset)), options_(options), generator_(options.seed) {
  check(options_.batch_size > 0, "DataLoader: batch_size must be positive, got ", options_.batch_size);
  check(dataset_.images.defined() && dataset_.labels.defined(), "DataLoader: the dataset has no images or labels");
  check(dataset_.images.size(0) == dataset_.labels.size(0), "DataLoader: ", dataset_.images.size(0),
        " images but ", dataset_.labels.size(0), " labels");
}

int64_t DataLoader::num_batches() const {
  const int64_t n = dataset_.size(), b = options_.batch_size;
  return options_.drop_last ? n / b : (n + b - 1) / b;
}

DataLoader::Iterator DataLoader::begin() {
  current_.reset();  // finishes the previous epoch's worker before drawing a new order
  std::vector<int64_t> order;
  if (options_.shuffle) {
    order = randperm(dataset_.size(), generator_).to_vector<int64_t>();
  } else {
    order.resize(dataset_.size());
    for (int64_t i = 0; i < dataset_.size(); ++i) order[i] = i;
  }
  current_ = std::make_shared<Epoch>(dataset_, std::move(order), options_.batch_size, num_batches(),
                                     options_.prefetch);
  Iterator first(current_.get());
  if (!current_->advance()) first.epoch_ = nullptr;
  return first;
}

const Batch& DataLoader::Iterator::operator*() const {
  check(epoch_ != nullptr, "DataLoader: the epoch is over; there is no batch to read");
  return epoch_->current();
}

DataLoader::Iterator& DataLoader::Iterator::operator++() {
  if (epoch_ != nullptr && !epoch_->advance()) epoch_ = nullptr;
  return *this;
}

}  // namespace gs::data
