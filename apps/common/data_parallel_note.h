// The words a training app adds to its opening line under mpirun:
// ", 2 ranks x 32 of each batch" (nothing without mpirun).
#pragma once
#include <string>

#include "nn/data_parallel.h"

namespace gs::apps {

inline std::string ranks_note(const nn::DataParallel& parallel, int64_t global_batch) {
  if (parallel.ranks() == 1) return "";
  return ", " + std::to_string(parallel.ranks()) + " ranks x " + std::to_string(global_batch / parallel.ranks()) +
         " of each batch";
}

}  // namespace gs::apps
