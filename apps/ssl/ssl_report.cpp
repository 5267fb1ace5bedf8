#include "apps/ssl/ssl_report.h"

#include <algorithm>
#include <cstdio>

#include "apps/common/frame.h"
#include "data/image.h"
#include "tensor/error.h"

namespace gs::apps {
namespace {

constexpr int kClasses = 10;

std::string formatted(const char* format, double value) {
  char text[64];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

}  // namespace

int64_t ConfusionMatrix::total() const {
  int64_t sum = 0;
  for (int64_t count : counts) sum += count;
  return sum;
}

double ConfusionMatrix::accuracy() const {
  int64_t correct = 0;
  for (int k = 0; k < kClasses; ++k) correct += counts[k * kClasses + k];
  return total() > 0 ? static_cast<double>(correct) / static_cast<double>(total()) : 0.0;
}

std::vector<double> ConfusionMatrix::per_class_accuracy() const {
  std::vector<double> accuracy(kClasses, 0.0);
  for (int row = 0; row < kClasses; ++row) {
    int64_t in_row = 0;
    for (int col = 0; col < kClasses; ++col) in_row += counts[row * kClasses + col];
    if (in_row > 0) accuracy[row] = static_cast<double>(counts[row * kClasses + row]) / static_cast<double>(in_row);
  }
  return accuracy;
}

std::string confusion_text(const ConfusionMatrix& confusion) {
  std::string text = "true\\predicted";
  for (int col = 0; col < kClasses; ++col) text += formatted("%6.0f", col);
  text += "   accuracy\n";
  const std::vector<double> accuracy = confusion.per_class_accuracy();
  for (int row = 0; row < kClasses; ++row) {
    text += formatted("%14.0f", row);
    for (int col = 0; col < kClasses; ++col)
      text += formatted("%6.0f", static_cast<double>(confusion.counts[row * kClasses + col]));
    text += formatted("   %7.2f%%\n", 100.0 * accuracy[row]);
  }
  return text;
}

void save_confusion_png(const ConfusionMatrix& confusion, const std::string& path) {
  const int cell = 36, margin = 24;
  const Color white{255, 255, 255}, ink{0, 0, 0}, grid{204, 204, 204};
  Frame frame(margin + kClasses * cell + 1, margin + kClasses * cell + 1, white);
  for (int k = 0; k < kClasses; ++k) {  // predicted classes across the top, true classes down the side
    frame.centered_text(margin + k * cell, 0, cell, margin, std::to_string(k), ink, 3);
    frame.centered_text(0, margin + k * cell, margin, cell, std::to_string(k), ink, 3);
  }
  for (int row = 0; row < kClasses; ++row) {
    int64_t in_row = 0;
    for (int col = 0; col < kClasses; ++col) in_row += confusion.counts[row * kClasses + col];
    for (int col = 0; col < kClasses; ++col) {
      const int64_t count = confusion.counts[row * kClasses + col];
      const double share = in_row > 0 ? static_cast<double>(count) / static_cast<double>(in_row) : 0.0;
      // White for none of the row, deep blue for all of it; a faint share still shows.
      const double shade = count > 0 ? 0.08 + 0.92 * share : 0.0;
      const Color fill{static_cast<uint8_t>(255 - 225 * shade), static_cast<uint8_t>(255 - 175 * shade), 255};
      const int x = margin + col * cell, y = margin + row * cell;
      frame.fill_rect(x, y, cell, cell, fill);
      frame.outline_rect(x, y, cell + 1, cell + 1, grid);
      if (count > 0) frame.centered_text(x, y, cell, cell, std::to_string(count), shade > 0.5 ? white : ink, 2);
    }
  }
  data::save_png(frame.to_pixels(), path);
}

std::vector<ReferenceResult> reference_results(const std::string& dataset) {
  // Salimans et al. 2016, feature matching: Table 1 (MNIST: 93 +- 6.5 errors
  // out of 10,000), Table 2 (CIFAR-10), Table 3 (SVHN); the blog post reports
  // 67-68% test accuracy.
  const std::vector<ReferenceResult> all = {
      {"paper (Salimans et al. 2016)", "mnist", 100, 0.93, "+- 0.065"},
      {"paper (Salimans et al. 2016)", "svhn", 1000, 8.11, "+- 1.3"},
      {"paper (Salimans et al. 2016)", "cifar10", 4000, 18.63, "+- 2.32"},
      {"blog post (TensorFlow, svhn-blog)", "svhn", 1000, 32.5, "(67-68%)"},
  };
  std::vector<ReferenceResult> matching;
  for (const ReferenceResult& result : all)
    if (result.dataset == dataset) matching.push_back(result);
  return matching;
}

std::string results_table(const std::vector<ResultRow>& rows) {
  size_t width = 4;
  for (const ResultRow& row : rows) width = std::max(width, row.what.size());
  std::string text = "what" + std::string(width - 4, ' ') + "  labels  test accuracy  test error\n";
  for (const ResultRow& row : rows) {
    text += row.what + std::string(width - row.what.size(), ' ');
    text += formatted("  %6.0f", static_cast<double>(row.labels));
    text += formatted("  %12.2f%%", 100.0 * row.accuracy);
    text += formatted("  %9.2f%%", 100.0 * (1.0 - row.accuracy));
    if (!row.note.empty()) text += "  " + row.note;
    text += "\n";
  }
  return text;
}

}  // namespace gs::apps
