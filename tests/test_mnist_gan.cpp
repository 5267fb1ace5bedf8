// The mnist_gan app end to end on a tiny stand-in dataset: it writes its
// outputs, and a run stopped and resumed equals an uninterrupted one bit for bit.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "nn/checkpoint.h"
#include "tensor/file_io.h"
#include "tests/data_fixtures.h"
#include "tests/demo_runner.h"
#include "tests/helpers.h"

using namespace gs;
using testing::run_app;
using testing::TempDir;

namespace {

bool starts_with(const std::string& name, const char* prefix) { return name.rfind(prefix, 0) == 0; }

// Generator and discriminator weights (and batch-norm buffers) of a checkpoint,
// and the moving average of the generator.
StateDict model_tensors(const std::string& checkpoint) {
  StateDict all = load(checkpoint), models;
  for (auto& [name, t] : all)
    if (starts_with(name, "generator.") || starts_with(name, "discriminator.") ||
        starts_with(name, "averaged_generator.") || starts_with(name, "generator_average.") ||
        starts_with(name, "generator_history.") || starts_with(name, "discriminator_history."))
      models[name] = t;
  return models;
}

void expect_identical(const StateDict& a, const StateDict& b) {
  REQUIRE(a.size() == b.size());
  REQUIRE(a.size() > 20);
  for (const auto& [name, t] : a) {
    CAPTURE(name);
    REQUIRE(b.count(name) == 1);
    CHECK(t.to_vector<double>() == b.at(name).to_vector<double>());
  }
}

// The log's rows without the seconds column (a resumed run's clock restarts).
std::vector<std::string> logged_losses(const std::string& log_path) {
  std::vector<std::string> rows;
  std::stringstream log(read_file(log_path));
  for (std::string line; std::getline(log, line);) rows.push_back(line.substr(0, line.rfind(',')));
  return rows;
}

}  // namespace

TEST_CASE("mnist_gan trains on a tiny dataset and writes samples, log and checkpoint") {
  TempDir data, out;
  testing::write_mnist_fixture(data, 64, 10);
  const std::string common = "--data " + data.path() + " --batch 16 --threads 2 --seed 3 ";
  testing::ProgramRun run = run_app("mnist_gan", common + "--epochs 2 --out " + out.path());
  INFO(run.output);
  REQUIRE(run.status == 0);
  CHECK(run.output.find("done after 8 iterations (2.0 epochs)") != std::string::npos);
  // losses.png too: make test's set-up installs gnuplot (scripts/install-deps.sh)
  for (const char* file : {"samples.png", "samples_epoch_001.png", "samples_epoch_002.png", "log.csv",
                           "checkpoint.safetensors", "losses.png"})
    CHECK(std::filesystem::exists(out.file(file)));
  const std::string log = read_file(out.file("log.csv"));
  CHECK(log.rfind("iteration,epoch,d_loss,g_loss,d_real,d_fake,seconds\n1,1,", 0) == 0);
  CHECK(std::count(log.begin(), log.end(), '\n') == 9);  // header + 8 iterations
}

TEST_CASE("mnist_gan resumed from a checkpoint equals an uninterrupted run bit for bit") {
  TempDir data, straight, resumed;
  testing::write_mnist_fixture(data, 64, 10);
  const std::string common = "--data " + data.path() + " --batch 16 --threads 2 --seed 5 --epochs 2 ";
  REQUIRE(run_app("mnist_gan", common + "--out " + straight.path()).status == 0);

  SUBCASE("stopped at an epoch boundary") {
    REQUIRE(run_app("mnist_gan", "--data " + data.path() + " --batch 16 --threads 2 --seed 5 --epochs 1 --out " +
                                     resumed.path()).status == 0);
  }
  SUBCASE("stopped mid-epoch by the time budget (after its first iteration)") {
    testing::ProgramRun first = run_app("mnist_gan", common + "--minutes 0.00001 --out " + resumed.path());
    INFO(first.output);
    REQUIRE(first.status == 0);
    CHECK(first.output.find("stopped at --minutes after 1 iterations") != std::string::npos);
  }
  SUBCASE("stopped mid-epoch by --max-steps") {
    testing::ProgramRun first = run_app("mnist_gan", common + "--max-steps 3 --out " + resumed.path());
    INFO(first.output);
    REQUIRE(first.status == 0);
    CHECK(first.output.find("stopped at --max-steps after 3 iterations (0.8 epochs)") != std::string::npos);
    CHECK(logged_losses(resumed.file("log.csv")).size() == 4);  // header + 3 iterations
  }
  testing::ProgramRun second = run_app("mnist_gan", common + "--resume --out " + resumed.path());
  INFO(second.output);
  REQUIRE(second.status == 0);
  CHECK(second.output.find("resumed from") != std::string::npos);
  expect_identical(model_tensors(straight.file("checkpoint.safetensors")),
                   model_tensors(resumed.file("checkpoint.safetensors")));
}

TEST_CASE("mnist_gan with Salimans et al.'s techniques trains, resumes bit for bit and is read by gan_eval") {
  TempDir data, straight, resumed, classifier, eval_out;
  testing::write_mnist_fixture(data, 64, 10);
  const std::string techniques =
      "--vbn 8 --minibatch-kernels 6 --minibatch-dims 3 --history-g 0.1 --history-d 0.2 --loss hinge --spectral-norm ";
  const std::string common = "--data " + data.path() + " --batch 16 --threads 2 --seed 5 --epochs 2 " + techniques;
  testing::ProgramRun run = run_app("mnist_gan", common + "--out " + straight.path());
  INFO(run.output);
  REQUIRE(run.status == 0);
  CHECK(run.output.find("training virtual batch norm in G (reference batch 8), minibatch discrimination in D "
                        "(6 kernels x 3), spectral norm in D on mnist") != std::string::npos);
  const StateDict trained = model_tensors(straight.file("checkpoint.safetensors"));
  CHECK(trained.at("generator.0.reference").shape() == Shape{8, 100});
  CHECK(trained.at("discriminator.9.weight").shape() == Shape{4096, 18});
  CHECK(trained.count("discriminator.10.u") == 1);
  CHECK(trained.count("generator_history.average.0") == 1);
  CHECK(trained.at("discriminator_history.steps").to_vector<int64_t>()[0] == 9);  // the initial values + 8 steps

  REQUIRE(run_app("mnist_gan", common + "--max-steps 3 --out " + resumed.path()).status == 0);
  REQUIRE(run_app("mnist_gan", common + "--resume --out " + resumed.path()).status == 0);
  expect_identical(trained, model_tensors(resumed.file("checkpoint.safetensors")));

  // Resuming with other architecture flags, or historical averaging switched on midway, is explained.
  testing::ProgramRun other = run_app("mnist_gan", "--data " + data.path() + " --batch 16 --epochs 3 --resume --out " +
                                                       resumed.path());
  CHECK(other.status == 1);
  CHECK(other.output.find("this checkpoint's models are virtual batch norm in G (reference batch 8), minibatch "
                          "discrimination in D (6 kernels x 3), spectral norm in D, not minibatch discrimination in D (100 kernels x 5); "
                          "resume with the "
                          "architecture flags it was trained with") != std::string::npos);
  TempDir plain;
  REQUIRE(run_app("mnist_gan", "--data " + data.path() + " --batch 16 --epochs 1 --out " + plain.path()).status == 0);
  testing::ProgramRun history_later = run_app(
      "mnist_gan", "--data " + data.path() + " --batch 16 --epochs 2 --resume --history-d 0.1 --out " + plain.path());
  CHECK(history_later.status == 1);
  CHECK(history_later.output.find("has no historical average for --history-d (it was trained without it)") !=
        std::string::npos);

  // gan_eval rebuilds the generator from the checkpoint's metadata.
  REQUIRE(run_app("mnist_classifier", "--data " + data.path() + " --batch 16 --threads 2 --epochs 1 --out " +
                                          classifier.path()).status == 0);
  testing::ProgramRun eval = run_app("gan_eval", "--generator " + straight.file("checkpoint.safetensors") +
                                                     " --classifier " + classifier.file("classifier.safetensors") +
                                                     " --data " + data.path() + " --samples 32 --batch 16 --out " +
                                                     eval_out.path());
  INFO(eval.output);
  CHECK(eval.status == 0);
  CHECK(eval.output.find("generated") != std::string::npos);
}

TEST_CASE("mnist_gan killed between checkpoints resumes with a log free of repeated and half-written rows") {
  TempDir data, straight, resumed;
  testing::write_mnist_fixture(data, 64, 10);
  const std::string common = "--data " + data.path() + " --batch 16 --threads 2 --seed 5 ";
  REQUIRE(run_app("mnist_gan", common + "--epochs 2 --out " + straight.path()).status == 0);
  REQUIRE(run_app("mnist_gan", common + "--epochs 1 --out " + resumed.path()).status == 0);
  {  // what a run killed in its second epoch leaves: rows past the checkpoint (iteration 4), half a row
    std::ofstream log(resumed.file("log.csv"), std::ios::app);
    log << "5,2,1.1,0.9,0.5,0.4,1.0\n6,2,1.2,0.8,0.5,0.4,1.2\n7,2,1.3";
  }
  testing::ProgramRun second = run_app("mnist_gan", common + "--epochs 2 --resume --out " + resumed.path());
  INFO(second.output);
  REQUIRE(second.status == 0);
  CHECK(second.output.find("log.csv: dropped 3 row(s) written after the checkpoint (iteration 4)") !=
        std::string::npos);
  const std::vector<std::string> rows = logged_losses(resumed.file("log.csv"));
  CHECK(rows.size() == 9);  // header + iterations 1..8, once each
  CHECK(rows == logged_losses(straight.file("log.csv")));
}

TEST_CASE("mnist_gan --resume refuses a log.csv that another program wrote") {
  TempDir data, out;
  testing::write_mnist_fixture(data, 64, 10);
  const std::string common = "--data " + data.path() + " --batch 16 --threads 2 --seed 5 --out " + out.path() + " ";
  REQUIRE(run_app("mnist_gan", common + "--epochs 1").status == 0);
  write_file_atomic(out.file("log.csv"), "epoch,iteration,train_loss\n1,4,0.3\n");
  testing::ProgramRun second = run_app("mnist_gan", common + "--epochs 2 --resume");
  INFO(second.output);
  CHECK(second.status != 0);
  CHECK(second.output.find(out.file("log.csv") + ": this --out folder holds another program's run") !=
        std::string::npos);
  CHECK(read_file(out.file("log.csv")) == "epoch,iteration,train_loss\n1,4,0.3\n");  // left as it was
}

TEST_CASE("mnist_gan --resume keeps the checkpoint's learning rates unless --lr, --lr-g or --lr-d is given") {
  TempDir data, out;
  testing::write_mnist_fixture(data, 64, 10);
  const std::string common = "--data " + data.path() + " --batch 16 --threads 2 --seed 3 --out " + out.path() + " ";
  auto rates = [&] {
    const StateDict state = load(out.file("checkpoint.safetensors"));
    return std::vector<double>{state.at("generator_optimizer.param_groups.0.lr").item(),
                               state.at("discriminator_optimizer.param_groups.0.lr").item()};
  };
  REQUIRE(run_app("mnist_gan", common + "--epochs 1 --lr 5e-4").status == 0);
  CHECK(rates() == std::vector<double>{5e-4, 5e-4});
  REQUIRE(run_app("mnist_gan", common + "--epochs 2 --resume").status == 0);  // not back to the default 2e-4
  CHECK(rates() == std::vector<double>{5e-4, 5e-4});
  testing::ProgramRun decayed = run_app("mnist_gan", common + "--epochs 3 --resume --lr-d 1e-4");
  INFO(decayed.output);
  REQUIRE(decayed.status == 0);
  CHECK(decayed.output.find("D's learning rate from here on: 0.0001") != std::string::npos);
  CHECK(rates() == std::vector<double>{5e-4, 1e-4});
  REQUIRE(run_app("mnist_gan", common + "--epochs 4 --resume --lr 5e-5 --lr-g 2e-5").status == 0);
  CHECK(rates() == std::vector<double>{2e-5, 5e-5});
}

TEST_CASE("mnist_gan keeps a bias-corrected moving average of G, and --average 0 turns it off") {
  TempDir data, averaged, plain;
  testing::write_mnist_fixture(data, 64, 10);
  const std::string common = "--data " + data.path() + " --batch 16 --threads 2 --seed 3 --epochs 1 ";
  REQUIRE(run_app("mnist_gan", common + "--average 0.5 --out " + averaged.path()).status == 0);
  REQUIRE(run_app("mnist_gan", common + "--average 0 --out " + plain.path()).status == 0);
  const StateDict with = load(averaged.file("checkpoint.safetensors"));
  const StateDict without = load(plain.file("checkpoint.safetensors"));
  CHECK(with.at("generator_average.steps").to_vector<int64_t>() == std::vector<int64_t>{4});
  for (const auto& [name, t] : without) CHECK_FALSE(starts_with(name, "averaged_generator."));
  // The same run apart from the average: the trained weights agree, and the
  // average of four steps at decay 0.5 is (p1 + 2 p2 + 4 p3 + 8 p4) / 15, not p4.
  const std::string weight = "generator.0.weight";
  CHECK(with.at(weight).to_vector<float>() == without.at(weight).to_vector<float>());
  const std::vector<float> average = with.at("averaged_generator.0.weight").to_vector<float>();
  const std::vector<float> last = with.at(weight).to_vector<float>();
  REQUIRE(average.size() == last.size());
  double difference = 0;
  for (size_t i = 0; i < last.size(); ++i) difference = std::max(difference, double(std::abs(average[i] - last[i])));
  CHECK(difference > 0);
  CHECK(difference < 0.05);
}

TEST_CASE("mnist_gan hands --beta1 and --beta2 to both Adam optimizers") {
  TempDir data, plain, beta1, beta2;
  testing::write_mnist_fixture(data, 64, 10);
  const std::string common = "--data " + data.path() + " --batch 16 --threads 2 --seed 3 --epochs 1 --out ";
  REQUIRE(run_app("mnist_gan", common + plain.path()).status == 0);
  REQUIRE(run_app("mnist_gan", common + beta1.path() + " --beta1 0.9").status == 0);
  REQUIRE(run_app("mnist_gan", common + beta2.path() + " --beta2 0.9").status == 0);
  const StateDict reference = load(plain.file("checkpoint.safetensors"));
  for (const TempDir* changed : {&beta1, &beta2}) {
    const StateDict state = load(changed->file("checkpoint.safetensors"));
    for (const char* weight : {"generator.0.weight", "discriminator.0.weight"}) {
      CAPTURE(weight);
      CHECK(state.at(weight).to_vector<float>() != reference.at(weight).to_vector<float>());
    }
  }
}

TEST_CASE("mnist_gan --warmup ramps both learning rates up, --g-steps updates G N times per iteration") {
  TempDir data, warm, ratio;
  testing::write_mnist_fixture(data, 64, 10);  // batch 16: 4 iterations per epoch
  const std::string common = "--data " + data.path() + " --batch 16 --threads 2 --seed 3 --lr-g 1e-3 --lr-d 4e-4 ";
  auto state_of = [](const TempDir& out) { return load(out.file("checkpoint.safetensors")); };
  auto rates = [](const StateDict& state) {
    return std::vector<double>{state.at("generator_optimizer.param_groups.0.lr").item(),
                               state.at("discriminator_optimizer.param_groups.0.lr").item()};
  };
  // Iteration k (1-based) of an 8-iteration warm-up trains at k/8 of each rate.
  REQUIRE(run_app("mnist_gan", common + "--warmup 8 --max-steps 2 --out " + warm.path()).status == 0);
  CHECK(rates(state_of(warm))[0] == doctest::Approx(1e-3 * 2 / 8));
  CHECK(rates(state_of(warm))[1] == doctest::Approx(4e-4 * 2 / 8));
  REQUIRE(run_app("mnist_gan", common + "--warmup 8 --max-steps 6 --resume --out " + warm.path()).status == 0);
  CHECK(rates(state_of(warm))[0] == doctest::Approx(1e-3 * 6 / 8));
  REQUIRE(run_app("mnist_gan", common + "--warmup 8 --epochs 3 --resume --out " + warm.path()).status == 0);
  CHECK(rates(state_of(warm)) == std::vector<double>{1e-3, 4e-4});  // full rates from iteration 8 on

  // --g-steps 3: Adam has stepped G three times per iteration and D once.
  REQUIRE(run_app("mnist_gan", common + "--g-steps 3 --epochs 1 --out " + ratio.path()).status == 0);
  const StateDict state = state_of(ratio);
  CHECK(state.at("generator_optimizer.state.0.step").to_vector<int64_t>()[0] == 12);
  CHECK(state.at("discriminator_optimizer.state.0.step").to_vector<int64_t>()[0] == 4);
}

TEST_CASE("mnist_gan's recipes: improved (the default) and dcgan set their flags, and flags given win") {
  TempDir data, improved, dcgan, mixed;
  testing::write_mnist_fixture(data, 64, 10);  // batch 16: 4 iterations per epoch
  const std::string common = "--data " + data.path() + " --batch 16 --threads 2 --seed 3 --epochs 1 --out ";
  struct Expected {
    const TempDir* run;
    double lr_g, lr_d;
    int64_t g_steps_per_iteration;
    const char* minibatch_kernels;  // D's minibatch discrimination, as the checkpoint records it
  };
  REQUIRE(run_app("mnist_gan", common + improved.path()).status == 0);
  REQUIRE(run_app("mnist_gan", common + dcgan.path() + " --recipe dcgan").status == 0);
  REQUIRE(run_app("mnist_gan", common + mixed.path() + " --recipe dcgan --lr-g 1e-3 --g-steps 3").status == 0);
  for (const Expected& expected : {Expected{&improved, 2e-3, 2e-4, 2, "100"}, Expected{&dcgan, 2e-4, 2e-4, 1, "0"},
                                   Expected{&mixed, 1e-3, 2e-4, 3, "0"}}) {
    CAPTURE(expected.run->path());
    Metadata metadata;
    const StateDict state = load(expected.run->file("checkpoint.safetensors"), &metadata);
    CHECK(metadata.at("discriminator.minibatch_kernels") == expected.minibatch_kernels);
    CHECK(state.at("generator_optimizer.param_groups.0.lr").item() == doctest::Approx(expected.lr_g));
    CHECK(state.at("discriminator_optimizer.param_groups.0.lr").item() == doctest::Approx(expected.lr_d));
    CHECK(state.at("generator_optimizer.state.0.step").to_vector<int64_t>()[0] == 4 * expected.g_steps_per_iteration);
    CHECK(state.count("averaged_generator.0.weight") == (expected.run == &improved ? 1u : 0u));
  }
}

TEST_CASE("mnist_gan explains what is wrong") {
  TempDir empty, out;
  testing::ProgramRun missing = run_app("mnist_gan", "--data " + empty.path() + " --out " + out.path());
  CHECK(missing.status == 1);
  CHECK(missing.output.find("mnist_gan: --data " + empty.path() + ": neither this directory nor " + empty.path() +
                                "/mnist holds the MNIST files") ==
        0);
  TempDir data;
  testing::write_mnist_fixture(data, 20, 10);
  testing::ProgramRun no_checkpoint =
      run_app("mnist_gan", "--data " + data.path() + " --resume --batch 8 --out " + out.path());
  CHECK(no_checkpoint.status == 1);
  CHECK(no_checkpoint.output.find("--resume: no checkpoint at " + out.file("checkpoint.safetensors")) !=
        std::string::npos);
  testing::ProgramRun smoothed_hinge =
      run_app("mnist_gan", "--data " + data.path() + " --batch 8 --loss hinge --smooth 0.9 --out " + out.path());
  CHECK(smoothed_hinge.status == 1);
  CHECK(smoothed_hinge.output.find("label smoothing (real_label 0.9) is for the cross-entropy loss, not the hinge "
                                   "loss") != std::string::npos);
  testing::ProgramRun help = run_app("mnist_gan", "--help");
  CHECK(help.status == 0);
  CHECK(help.output.find("--smooth") != std::string::npos);
}
