// The training loop of every training app (mnist_gan, mnist_classifier,
// ssl), written once: epochs of batches, the progress bar, the stops, the NaN
// check and the checkpoints. The app supplies what one step, the end of an
// epoch and a checkpoint mean; the loop decides when each happens.
//
// A run stops after its epochs, after --max-steps iterations in all, after
// --minutes of training, or at Ctrl-C (SIGINT or SIGTERM), whichever comes
// first. At a stop the step in progress completes, the checkpoint is written,
// and --resume continues with the next batch exactly as an uninterrupted run
// would. A loss that is NaN or infinite stops the run with an error naming
// the last good checkpoint, which it leaves as it was.
//
// Under mpirun (data parallelism, nn/data_parallel.h) every rank runs the
// loop; the stops are agreed across ranks, and `every`, `end_epoch` and
// `save_checkpoint` run on rank 0 only (the others go on to the next step,
// whose collectives wait for it).
#pragma once
#include <CLI/CLI.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "apps/common/progress.h"
#include "apps/common/run_state.h"

namespace gs::apps {

// The flags every training app takes, with one meaning everywhere.
struct TrainingFlags {
  int64_t epochs = 0;     // 0 where the app has its own default (ssl: the architecture's)
  double minutes = 0;     // 0: no time budget
  int64_t max_steps = 0;  // 0: no step limit
  bool resume = false;
  int threads = 0;        // 0: all cores
  std::string device = "cpu";
  uint64_t seed = 1;
  std::string out;
};
// Adds --epochs (with `epochs_help`), --minutes, --max-steps, --resume, --threads, --device, --seed and --out.
void add_training_flags(CLI::App& app, TrainingFlags& flags, const std::string& epochs_help);

// What one step reports: its losses by name (checked for NaN and infinity)
// and the text the progress bar shows after them.
struct StepReport {
  std::vector<std::pair<std::string, double>> losses;
  std::string status;
};

struct TrainingLoop {
  TrainingLoop(int64_t epochs, int64_t batches_per_epoch, std::string checkpoint_path, std::string nan_advice)
      : epochs(epochs), batches_per_epoch(batches_per_epoch), checkpoint_path(std::move(checkpoint_path)),
        nan_advice(std::move(nan_advice)) {}
  int64_t epochs, batches_per_epoch;
  // Before the batches of an epoch (its first, or the one a resumed run goes on with).
  std::function<void()> start_epoch;
  // One step on batch `batch` of the epoch; it advances the iteration counter.
  std::function<StepReport(int64_t batch)> step;
  // (N, action): after every iteration that is a multiple of N (N = 0: never),
  // with the position already past that step.
  std::vector<std::pair<int64_t, std::function<void()>>> every;
  // After an epoch's batches (complete = true) or at a stop within it (false).
  std::function<void(bool complete)> end_epoch;
  // Writes the checkpoint: after every epoch and at every stop.
  std::function<void()> save_checkpoint;
  std::string checkpoint_path;  // for the NaN message
  std::string nan_advice;       // e.g. "try a lower --lr"
};

enum class StopReason { kFinished, kMaxSteps, kMinutes, kInterrupted };

struct LoopResult {
  StopReason reason = StopReason::kFinished;
  double seconds = 0;  // training time of this process
};

// The steps the progress bar counts to: the epochs' steps, or --max-steps
// when fewer, or 0 (unknown) under a time budget.
int64_t planned_steps(const TrainingLoop& loop, const TrainingFlags& flags);

// Runs `loop` from `position` with the budgets of `flags`; `progress` (the
// app's, whose clock its logs read) shows it and measures --minutes.
LoopResult run_training_loop(const TrainingLoop& loop, const TrainingFlags& flags, RunPosition position,
                             Progress& progress);

// "done", "stopped after --max-steps", "stopped after --minutes", "stopped by Ctrl-C".
std::string stop_words(StopReason reason);

}  // namespace gs::apps
