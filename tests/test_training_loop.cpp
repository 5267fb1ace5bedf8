// The one training loop of mnist_gan, mnist_classifier and ssl
// (apps/common/training_loop.h), on a stand-in trainer that records what the
// loop asks of it: the order of epochs and batches, every stop and where a
// resumed run goes on, the checkpoints, the periodic actions and the NaN
// stop. Also: every training app offers the loop's flags.
#include <cmath>
#include <csignal>

#include "apps/common/interrupt.h"
#include "apps/common/training_loop.h"
#include "tests/demo_runner.h"
#include "tests/helpers.h"

using namespace gs;
using namespace gs::apps;

namespace {

// A trainer that only counts: each step appends "e<epoch>b<batch>" to `trace`.
struct CountingTrainer {
  int64_t iteration = 0, epoch = 0, batch_in_epoch = 0;
  std::vector<std::string> trace;
  int checkpoints = 0, epoch_ends = 0, incomplete_ends = 0, samples = 0;
  double loss = 1.0;
  RunPosition position() { return {iteration, epoch, batch_in_epoch}; }
};

LoopResult run(CountingTrainer& t, TrainingFlags flags, int64_t epochs = 3, int64_t batches = 4) {
  TrainingLoop loop(epochs, batches, "the/checkpoint.safetensors", "try a lower --lr");
  loop.start_epoch = [&] { t.trace.push_back("start e" + std::to_string(t.epoch)); };
  loop.step = [&](int64_t batch) {
    t.trace.push_back("e" + std::to_string(t.epoch) + "b" + std::to_string(batch));
    ++t.iteration;
    return StepReport{{{"loss", t.iteration == 7 ? t.loss : 1.0}}, "loss 1.0"};
  };
  loop.every = {{5, [&] { ++t.samples; }}};
  loop.end_epoch = [&](bool complete) { ++(complete ? t.epoch_ends : t.incomplete_ends); };
  loop.save_checkpoint = [&] { ++t.checkpoints; };
  Progress progress(planned_steps(loop, flags), 1e9);
  return run_training_loop(loop, flags, t.position(), progress);
}

std::vector<std::string> steps_only(const std::vector<std::string>& trace) {
  std::vector<std::string> steps;
  for (const std::string& entry : trace)
    if (entry.rfind("start", 0) != 0) steps.push_back(entry);
  return steps;
}

}  // namespace

TEST_CASE("the training loop runs every batch of every epoch in order, with a checkpoint after each epoch") {
  CountingTrainer t;
  const LoopResult result = run(t, TrainingFlags{});
  CHECK(result.reason == StopReason::kFinished);
  CHECK(t.iteration == 12);
  CHECK(t.epoch == 3);
  CHECK(t.batch_in_epoch == 0);
  CHECK(steps_only(t.trace) == std::vector<std::string>{"e0b0", "e0b1", "e0b2", "e0b3", "e1b0", "e1b1", "e1b2",
                                                         "e1b3", "e2b0", "e2b1", "e2b2", "e2b3"});
  CHECK(t.trace.front() == "start e0");
  CHECK(t.checkpoints == 3);
  CHECK(t.epoch_ends == 3);
  CHECK(t.incomplete_ends == 0);
  CHECK(t.samples == 2);  // after iterations 5 and 10
}

TEST_CASE("--max-steps stops mid-epoch with a checkpoint, and the resumed run goes on with the next batch") {
  TrainingFlags flags;
  flags.max_steps = 6;
  CountingTrainer t;
  CHECK(run(t, flags).reason == StopReason::kMaxSteps);
  CHECK(t.iteration == 6);
  CHECK(t.epoch == 1);
  CHECK(t.batch_in_epoch == 2);  // batches 0 and 1 of epoch 1 are done
  CHECK(t.checkpoints == 2);     // after epoch 0, and at the stop
  CHECK(t.incomplete_ends == 1);

  flags.max_steps = 0;  // resume: the counters as the checkpoint left them
  t.trace.clear();
  CHECK(run(t, flags).reason == StopReason::kFinished);
  CHECK(steps_only(t.trace) == std::vector<std::string>{"e1b2", "e1b3", "e2b0", "e2b1", "e2b2", "e2b3"});
  CHECK(t.iteration == 12);
}

TEST_CASE("a stop on an epoch's last batch completes that epoch") {
  TrainingFlags flags;
  flags.max_steps = 4;
  CountingTrainer t;
  run(t, flags);
  CHECK(t.epoch == 1);
  CHECK(t.batch_in_epoch == 0);
  CHECK(t.epoch_ends == 1);
}

TEST_CASE("--minutes and Ctrl-C stop the loop after the step in progress") {
  TrainingFlags flags;
  flags.minutes = 1e-9;
  CountingTrainer timed;
  CHECK(run(timed, flags).reason == StopReason::kMinutes);
  CHECK(timed.iteration == 1);
  CHECK(timed.checkpoints == 1);
  CHECK(stop_words(StopReason::kMinutes) == "stopped at --minutes");

  // Ctrl-C (SIGINT) during the 6th step: the loop finishes it, saves, stops.
  CountingTrainer interrupted;
  TrainingLoop loop(3, 4, "", "");
  loop.step = [&](int64_t) {
    if (++interrupted.iteration == 6) std::raise(SIGINT);
    return StepReport{{{"loss", 1.0}}, ""};
  };
  loop.save_checkpoint = [&] { ++interrupted.checkpoints; };
  Progress progress(0, 1e9);
  const LoopResult result = run_training_loop(loop, TrainingFlags{}, interrupted.position(), progress);
  clear_interrupt_request();
  CHECK(result.reason == StopReason::kInterrupted);
  CHECK(interrupted.iteration == 6);
  CHECK(interrupted.batch_in_epoch == 2);
  CHECK(interrupted.checkpoints == 2);
  CHECK(stop_words(StopReason::kInterrupted) == "stopped by Ctrl-C");
}

TEST_CASE("a NaN or infinite loss stops the loop with an error naming the last good checkpoint, unsaved") {
  for (double bad : {std::nan(""), double(INFINITY)}) {
    CountingTrainer t;
    t.loss = bad;
    const std::string message = testing::error_message([&] { run(t, TrainingFlags{}); });
    CHECK(message.find("the losses became NaN/Inf at iteration 7 (loss ") == 0);
    CHECK(message.find("No checkpoint had been written yet (try a lower --lr)") != std::string::npos);
    CHECK(t.checkpoints == 1);  // the one after epoch 0; none after the bad step
  }
}

TEST_CASE("every training app takes the training loop's flags, with the same meaning") {
  for (const char* app : {"mnist_gan", "mnist_classifier", "ssl"}) {
    CAPTURE(app);
    const testing::ProgramRun help = testing::run_app(app, "--help");
    REQUIRE(help.status == 0);
    for (const char* flag : {"--epochs", "--minutes", "--max-steps", "--resume", "--threads", "--device", "--seed",
                             "--out", "-every"})
      CHECK(help.output.find(flag) != std::string::npos);
    CHECK(help.output.find("stop after this many iterations in all") != std::string::npos);
  }
}
