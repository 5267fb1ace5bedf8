#include "apps/common/training_loop.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "apps/common/cli.h"
#include "apps/common/device_flag.h"
#include "apps/common/interrupt.h"
#include "tensor/distributed.h"
#include "tensor/error.h"

namespace gs::apps {

void add_training_flags(CLI::App& app, TrainingFlags& flags, const std::string& epochs_help) {
  app.add_option("--epochs", flags.epochs, epochs_help)->check(positive_number());
  app.add_option("--minutes", flags.minutes, "stop cleanly after this much training time (0 = no limit)")
      ->check(non_negative_number());
  app.add_option("--max-steps", flags.max_steps,
                 "stop after this many iterations in all (0 = no limit): the same amount of training on any "
                 "machine, where --minutes depends on its speed")
      ->check(non_negative_number());
  app.add_flag("--resume", flags.resume, "continue from the checkpoint in --out (bit-exact with the same flags)");
  app.add_option("--threads", flags.threads, "CPU threads (0 = all cores)")->check(non_negative_number());
  app.add_option("--device", flags.device, kDeviceHelp);
  app.add_option("--seed", flags.seed, "seed for weights, noise and data order: the same seed repeats a run exactly");
  app.add_option("--out", flags.out, "output folder");
}

std::string stop_words(StopReason reason) {
  switch (reason) {
    case StopReason::kFinished: return "done";
    case StopReason::kMaxSteps: return "stopped at --max-steps";
    case StopReason::kMinutes: return "stopped at --minutes";
    case StopReason::kInterrupted: return "stopped by Ctrl-C";
  }
  return "stopped";
}

namespace {

// The first budget that has run out, or kFinished while none has. Under
// data parallelism the ranks agree (the largest reason on any rank wins: a
// Ctrl-C that reached one rank stops all), so all stop after the same step.
StopReason budget_spent(const TrainingFlags& flags, const Progress& progress, int64_t iteration) {
  StopReason reason = StopReason::kFinished;
  if (flags.max_steps > 0 && iteration >= flags.max_steps) reason = StopReason::kMaxSteps;
  if (flags.minutes > 0 && progress.elapsed_seconds() >= flags.minutes * 60) reason = StopReason::kMinutes;
  if (interrupt_requested()) reason = StopReason::kInterrupted;
  ProcessGroup& group = process_group();
  if (group.size() == 1) return reason;
  return static_cast<StopReason>(group.all_reduce_max(static_cast<int64_t>(reason)));
}

// The losses, unless one of them is NaN or infinite: then the error that stops the run.
void check_finite(const StepReport& report, int64_t iteration, const TrainingLoop& loop, Progress& progress) {
  for (const auto& [name, value] : report.losses) {
    if (std::isfinite(value)) continue;
    progress.finish();
    std::ostringstream losses;
    for (size_t i = 0; i < report.losses.size(); ++i)
      losses << (i ? ", " : "") << report.losses[i].first << " " << report.losses[i].second;
    const std::string kept = std::filesystem::exists(loop.checkpoint_path)
                                 ? "The last good checkpoint is " + loop.checkpoint_path
                                 : "No checkpoint had been written yet";
    fail("the losses became NaN/Inf at iteration ", iteration, " (", losses.str(), "); stopping. ", kept,
         loop.nan_advice.empty() ? "" : " (" + loop.nan_advice + ")");
  }
}

}  // namespace

int64_t planned_steps(const TrainingLoop& loop, const TrainingFlags& flags) {
  if (flags.minutes > 0) return 0;
  const int64_t all = loop.epochs * loop.batches_per_epoch;
  return flags.max_steps > 0 ? std::min(all, flags.max_steps) : all;
}

LoopResult run_training_loop(const TrainingLoop& loop, const TrainingFlags& flags, RunPosition run,
                             Progress& progress) {
  check(loop.batches_per_epoch > 0, "the training set is smaller than one batch");
  install_interrupt_handler();
  const bool main_rank = process_group().rank() == 0;  // under data parallelism: rank 0 samples, evaluates, saves
  StopReason stop = StopReason::kFinished;
  while (run.epoch < loop.epochs && stop == StopReason::kFinished) {
    if (loop.start_epoch) loop.start_epoch();
    const std::string epoch_label = "epoch " + std::to_string(run.epoch + 1) + "/" + std::to_string(loop.epochs);
    while (run.batch_in_epoch < loop.batches_per_epoch && stop == StopReason::kFinished) {
      const StepReport report = loop.step(run.batch_in_epoch);
      check_finite(report, run.iteration, loop, progress);
      ++run.batch_in_epoch;  // the position is now after this step, for the hooks and a checkpoint
      progress.update(run.iteration, epoch_label, report.status);
      for (const auto& [every, action] : loop.every)
        if (every > 0 && run.iteration % every == 0 && main_rank) action();
      stop = budget_spent(flags, progress, run.iteration);
    }
    const bool complete = run.batch_in_epoch == loop.batches_per_epoch;  // also when a budget ran out on the last batch
    if (loop.end_epoch && main_rank) loop.end_epoch(complete);
    if (complete) {
      ++run.epoch;
      run.batch_in_epoch = 0;
    }
    if (main_rank) loop.save_checkpoint();
  }
  progress.finish();
  const ProcessGroup& group = process_group();
  if (group.is_distributed()) {  // what the ranks spent exchanging gradients and batch statistics
    const ProcessGroup::Statistics& exchanged = group.statistics();
    std::printf("data parallel: %d ranks; %lld all-reduces moved %.1f MB in %.2f s (%.1f%% of the training time)\n",
                group.size(), static_cast<long long>(exchanged.all_reduces), exchanged.bytes / 1e6, exchanged.seconds,
                100.0 * exchanged.seconds / std::max(progress.elapsed_seconds(), 1e-9));
  }
  return {stop, progress.elapsed_seconds()};
}

}  // namespace gs::apps
