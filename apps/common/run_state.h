// The run state each trainer's checkpoint holds beside its models and
// optimizers, in one layout for all of them: every random stream as
// "run.<name>" = [seed, offset], and where the run stands as "run.position" =
// [iteration, epoch, batch_in_epoch].
#pragma once
#include <cstdint>
#include <string>

#include "nn/state_dict.h"
#include "tensor/generator.h"

namespace gs::apps {

// A trainer's counters: where the run stands, restored by --resume.
struct RunPosition {
  int64_t& iteration;       // steps taken so far
  int64_t& epoch;           // the epoch in progress
  int64_t& batch_in_epoch;  // its next batch
};

void save_stream(StateDict& state, const std::string& name, const Generator& stream);
void save_position(StateDict& state, int64_t iteration, int64_t epoch, int64_t batch_in_epoch);

// The same back; a missing or malformed entry is a gs::Error naming `path`
// and the entry ("<path>: not a mnist_gan checkpoint (no 'run.position')").
void load_stream(const StateDict& state, const std::string& name, Generator& stream, const std::string& path,
                 const std::string& kind);
void load_position(const StateDict& state, RunPosition position, const std::string& path, const std::string& kind);

}  // namespace gs::apps
