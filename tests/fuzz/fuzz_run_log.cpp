// The log.csv reader of --resume (apps/common/run_files.h): any rows after
// the header, cut back to a checkpoint's iteration taken from the input.
#include "apps/common/run_files.h"
#include "tests/fuzz/fuzz_harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const int64_t checkpoint_iteration = data[0];
  return gs::fuzz::read_or_refuse(data + 1, size - 1, [&](const std::string& rows) {
    const std::string header = "iteration,epoch,d_loss,g_loss,seconds";
    int64_t dropped = 0;
    const std::string kept = gs::apps::kept_log_rows(header + "\n" + rows, header, checkpoint_iteration, dropped);
    if (kept.compare(0, header.size() + 1, header + "\n") != 0) std::abort();  // the header always stays
  });
}
