// The files every training app keeps in its --out folder: resuming from the
// checkpoint, and CSV logs that a resumed run appends to.
#pragma once
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
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

// A CSV log: a new file starting with `header` (a line without its newline),
// or, when resuming onto an existing log, that file cut back to the rows with
// iteration <= `checkpoint_iteration` and opened for appending, so that a run
// killed between checkpoints resumes without duplicate or half-written rows.
// The header must have an "iteration" column. A log that begins with another
// header is another program's: opening it is a gs::Error, resuming or not.
std::ofstream open_run_log(const std::string& path, bool resume, int64_t checkpoint_iteration,
                           const std::string& header);

}  // namespace gs::apps
