// What an ssl run reports besides its logs: the confusion matrix (as text and
// as a picture) and the final table, next to the published figures.
#pragma once
#include <string>
#include <vector>

namespace gs::apps {

// counts[true class * K + predicted class] over a test set, K = 10.
struct ConfusionMatrix {
  std::vector<int64_t> counts = std::vector<int64_t>(100, 0);

  int64_t total() const;
  double accuracy() const;                     // the diagonal's share
  std::vector<double> per_class_accuracy() const;  // row by row (0 for an empty row)
};

// The matrix with a per-class accuracy column, one row per true class.
std::string confusion_text(const ConfusionMatrix& confusion);
// The same as a PNG: cells shaded by their share of the row, with the counts.
void save_confusion_png(const ConfusionMatrix& confusion, const std::string& path);

// A published figure to print beside a run's own result.
struct ReferenceResult {
  std::string source;   // e.g. "paper (Salimans et al. 2016)"
  std::string dataset;  // as --dataset names it
  int64_t labels;
  double error_percent;
  std::string spread;   // e.g. "+- 0.065" ("" when none is published)
};
// The figures for a dataset: the paper's Tables 1-3 (feature matching) and the blog post's SVHN run.
std::vector<ReferenceResult> reference_results(const std::string& dataset);

// One row of the final table.
struct ResultRow {
  std::string what;
  int64_t labels;
  double accuracy;  // in [0, 1]
  std::string note;
};
// "what  labels  test accuracy  test error", aligned.
std::string results_table(const std::vector<ResultRow>& rows);

}  // namespace gs::apps
