// The files every training app keeps in its --out folder: resuming from the
// checkpoint, and CSV logs that a resumed run appends to.
#pragma once
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tensor/error.h"

namespace gs::apps {

// --resume: loads `checkpoint` into the trainer (which has load_checkpoint and
// the iteration/epoch/batch_in_epoch counters) and says where the run goes on.
template <typename Trainer>
void resume_from(Trainer& trainer, const std::string& checkpoint) {
  check(std::filesystem::exists(checkpoint), "--resume: no checkpoint at ", checkpoint);
  trainer.load_checkpoint(checkpoint);
  std::printf("resumed from %s at iteration %lld (epoch %lld, batch %lld)\n", checkpoint.c_str(),
              static_cast<long long>(trainer.iteration), static_cast<long long>(trainer.epoch + 1),
              static_cast<long long>(trainer.batch_in_epoch));
}

// The comma-separated fields of one line of a CSV log.
std::vector<std::string> csv_fields(const std::string& line);

// The index of the field called `name` among a header's `fields`, or
// fields.size() when there is none.
size_t csv_column(const std::vector<std::string>& fields, const std::string& name);

// A CSV log of a training run, one row per step (or evaluation): a new file
// starting with `header` (a line without its newline), or, when resuming onto
// an existing log, that file cut back to the rows with iteration <=
// `checkpoint_iteration` and appended to, so that a run killed between
// checkpoints resumes without duplicate or half-written rows. The header must
// have an "iteration" column. A log that begins with another header is
// another program's: opening it is a gs::Error, resuming or not. Under
// data parallelism only rank 0 has the file; on other ranks a RunLog does nothing.
// The rows of a log's `text` (which begins with `header`) that the checkpoint
// at `checkpoint_iteration` has seen, header first. A run killed without
// Ctrl-C may have logged rows past its last checkpoint (the resumed run does
// those iterations again) or half a row; both are dropped and counted.
std::string kept_log_rows(const std::string& text, const std::string& header, int64_t checkpoint_iteration,
                          int64_t& dropped);

// One CSV row of streamable values: csv_row(12, 1, 0.69) == "12,1,0.69".
template <typename... Values>
std::string csv_row(const Values&... values) {
  std::ostringstream row;
  int column = 0;
  ((row << (column++ ? "," : "") << values), ...);
  return row.str();
}

class RunLog {
 public:
  RunLog(const std::string& path, bool resume, int64_t checkpoint_iteration, const std::string& header);
  // Appends one row (without its newline); rows reach the file at flush().
  void append(const std::string& row);
  void flush();
  void close() { file_.close(); }

 private:
  std::string path_;
  std::ofstream file_;
};

}  // namespace gs::apps
