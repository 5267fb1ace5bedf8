// DataLoader batches and the semi-supervised label split.
#include <algorithm>
#include <set>

#include "data/dataset.h"
#include "data/split.h"
#include "tests/helpers.h"

using namespace gs;
using namespace gs::data;
using gs::testing::error_message;

namespace {

// Example i has every pixel equal to i and label i % 10, so a batch shows which examples it holds.
Dataset numbered_dataset(int64_t n) {
  Dataset d{empty({n, 1, 2, 2}, kFloat32), empty({n}, kInt64)};
  for (int64_t i = 0; i < n; ++i) {
    for (int p = 0; p < 4; ++p) d.images.data<float>()[i * 4 + p] = static_cast<float>(i);
    d.labels.data<int64_t>()[i] = i % 10;
  }
  return d;
}

// The example numbers of one epoch, batch by batch, checking that each batch is consistent.
std::vector<std::vector<int64_t>> epoch_batches(DataLoader& loader) {
  std::vector<std::vector<int64_t>> batches;
  for (const Batch& batch : loader) {
    const std::vector<int64_t> indices = batch.indices.to_vector<int64_t>();
    const std::vector<float> pixels = batch.images.to_vector<float>();
    const std::vector<int64_t> labels = batch.labels.to_vector<int64_t>();
    REQUIRE(batch.images.shape() == Shape{static_cast<int64_t>(indices.size()), 1, 2, 2});
    for (size_t i = 0; i < indices.size(); ++i) {
      CHECK(pixels[i * 4 + 3] == static_cast<float>(indices[i]));
      CHECK(labels[i] == indices[i] % 10);
    }
    batches.push_back(indices);
  }
  return batches;
}

std::vector<int64_t> flatten(const std::vector<std::vector<int64_t>>& batches) {
  std::vector<int64_t> all;
  for (const auto& b : batches) all.insert(all.end(), b.begin(), b.end());
  return all;
}

}  // namespace

TEST_CASE("DataLoader without shuffle walks the data in order, the last batch smaller unless dropped") {
  DataLoader loader(numbered_dataset(10), {.batch_size = 4, .shuffle = false});
  CHECK(loader.num_batches() == 3);
  const auto batches = epoch_batches(loader);
  REQUIRE(batches.size() == 3);
  CHECK(batches[0] == std::vector<int64_t>{0, 1, 2, 3});
  CHECK(batches[2] == std::vector<int64_t>{8, 9});

  DataLoader dropping(numbered_dataset(10), {.batch_size = 4, .shuffle = false, .drop_last = true});
  CHECK(dropping.num_batches() == 2);
  CHECK(epoch_batches(dropping).size() == 2);
}

TEST_CASE("DataLoader shuffles every epoch differently, each a permutation, reproducible from the seed") {
  for (bool prefetch : {false, true}) {
    INFO("prefetch: " << prefetch);
    DataLoader loader(numbered_dataset(50), {.batch_size = 8, .shuffle = true, .seed = 7, .prefetch = prefetch});
    DataLoader again(numbered_dataset(50), {.batch_size = 8, .shuffle = true, .seed = 7, .prefetch = prefetch});
    const std::vector<int64_t> first = flatten(epoch_batches(loader));
    const std::vector<int64_t> second = flatten(epoch_batches(loader));
    std::vector<int64_t> sorted = first;
    std::sort(sorted.begin(), sorted.end());
    std::vector<int64_t> identity(50);
    for (int i = 0; i < 50; ++i) identity[i] = i;
    CHECK(sorted == identity);
    CHECK(first != identity);
    CHECK(first != second);
    CHECK(flatten(epoch_batches(again)) == first);
    CHECK(flatten(epoch_batches(again)) == second);
  }
}

TEST_CASE("DataLoader with prefetch gives the same batches as without, and can stop mid-epoch") {
  DataLoader plain(numbered_dataset(37), {.batch_size = 5, .seed = 3});
  DataLoader prefetching(numbered_dataset(37), {.batch_size = 5, .seed = 3, .prefetch = true});
  CHECK(epoch_batches(plain) == epoch_batches(prefetching));
  for (const Batch& batch : prefetching) {  // leave after one batch: the worker must stop cleanly
    CHECK(batch.labels.size(0) == 5);
    break;
  }
  CHECK(flatten(epoch_batches(prefetching)).size() == 37);
}

TEST_CASE("DataLoader rejects a bad batch size and mismatched images and labels") {
  CHECK(error_message([] { DataLoader(numbered_dataset(4), {.batch_size = 0}); }) ==
        "DataLoader: batch_size must be positive, got 0");
  Dataset mismatched = numbered_dataset(4);
  mismatched.labels = zeros({3}, kInt64);
  CHECK(error_message([&] { DataLoader loader(mismatched); }) == "DataLoader: 4 images but 3 labels");
}

TEST_CASE("Dataset::subset copies the chosen examples in order") {
  const Dataset part = numbered_dataset(20).subset(tensor(std::vector<int64_t>{19, 3, 3}));
  CHECK(part.labels.to_vector<int64_t>() == std::vector<int64_t>{9, 3, 3});
  CHECK(part.images.to_vector<float>()[0] == 19.0f);
  CHECK(error_message([] { numbered_dataset(20).subset(tensor(std::vector<int64_t>{20})); }) ==
        "gather_rows: index 20 is out of range for 20 rows");
}

TEST_CASE("semi_supervised_split is class-balanced, disjoint from the unlabeled rest, and reproducible") {
  // 1000 labels 0..9 with unequal class sizes.
  std::vector<int64_t> values;
  for (int i = 0; i < 1000; ++i) values.push_back(i < 300 ? i % 3 : i % 10);  // classes 0..2 are the most common
  const Tensor labels = tensor(values);
  const SemiSupervisedSplit split = semi_supervised_split(labels, 100, 42);

  const std::vector<int64_t> labeled = split.labeled_indices.to_vector<int64_t>();
  const std::vector<int64_t> unlabeled = split.unlabeled_indices.to_vector<int64_t>();
  REQUIRE(labeled.size() == 100);
  REQUIRE(unlabeled.size() == 900);
  std::vector<int> per_class(10, 0);
  for (int64_t i : labeled) ++per_class[values[i]];
  CHECK(per_class == std::vector<int>(10, 10));

  std::set<int64_t> all(labeled.begin(), labeled.end());
  all.insert(unlabeled.begin(), unlabeled.end());
  CHECK(all.size() == 1000);  // disjoint, and together every example

  const std::vector<float> mask = split.labeled_mask.to_vector<float>();
  for (int64_t i = 0; i < 1000; ++i) CHECK(mask[i] == (std::count(labeled.begin(), labeled.end(), i) ? 1.0f : 0.0f));

  CHECK(semi_supervised_split(labels, 100, 42).labeled_indices.to_vector<int64_t>() == labeled);
  CHECK(semi_supervised_split(labels, 100, 43).labeled_indices.to_vector<int64_t>() != labeled);
}

TEST_CASE("semi_supervised_split explains impossible requests") {
  const Tensor labels = tensor(std::vector<int64_t>{0, 1, 2, 0, 1, 2, 0, 1});
  CHECK(error_message([&] { semi_supervised_split(labels, 4, 0); }) ==
        "semi_supervised_split: 4 labeled examples cannot be shared equally among 3 classes; use a multiple of 3");
  CHECK(error_message([&] { semi_supervised_split(labels, 9, 0); }) ==
        "semi_supervised_split: class 2 has only 2 examples but 3 labeled ones per class were asked for");
}
