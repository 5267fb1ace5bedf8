// Every program's answer to bad input: unknown flags, missing values,
// numbers out of range, NaN and infinity, huge and negative sizes, missing or
// empty data folders, corrupt files, another model's checkpoint, another
// program's --out folder. Each must answer with exactly one line on stderr
// and a non-zero exit status: never a crash, an abort, a backtrace or an
// uncaught exception's text, and never by overwriting another run.
#include <filesystem>

#include "tests/data_fixtures.h"
#include "tests/demo_runner.h"
#include "tests/helpers.h"

using gs::testing::TempDir;

namespace {

// Small trained runs of the three training programs, made once.
struct Runs {
  TempDir data, empty, gan, classifier, ssl, scratch;
  Runs() {
    gs::testing::write_mnist_fixture(data, 40, 20);
    const std::string common = " --data " + data.path() + " --threads 2 --max-steps 2 ";
    REQUIRE(gs::testing::run_app("mnist_gan", common + "--batch 8 --out " + gan.path()).status == 0);
    REQUIRE(gs::testing::run_app("mnist_classifier", common + "--batch 8 --out " + classifier.path()).status == 0);
    REQUIRE(gs::testing::run_app("ssl", common + "--labels 10 --batch 10 --out " + ssl.path()).status == 0);
    data.write("corrupt.safetensors", std::string("\x10\x00\x00\x00\x00\x00\x00\x00{\"a\":", 13));
  }
};

const Runs& runs() {
  static const Runs instance;
  return instance;
}

struct BadInput {
  const char* program;
  std::string arguments;
  std::string says;  // a part of the one line
};

std::vector<BadInput> table() {
  const Runs& r = runs();
  const std::string gan_data = " --data " + r.data.path() + " --batch 8";  // the tiny set holds 40 images
  const std::string& data = gan_data;
  const std::string ssl_data = " --data " + r.data.path() + " --labels 10 --batch 10";
  const std::string gan = r.gan.file("checkpoint.safetensors"), classifier = r.classifier.file("classifier.safetensors");
  const std::string corrupt = r.data.file("corrupt.safetensors");
  std::vector<BadInput> rows;
  for (const char* app : {"mnist_gan", "mnist_classifier", "ssl"}) {
    const std::string& data = std::string(app) == "ssl" ? ssl_data : gan_data;
    rows.push_back({app, "--no-such-flag", "not expected: --no-such-flag"});
    rows.push_back({app, "--epochs", "--epochs: 1 required"});
    rows.push_back({app, "--epochs -3", "--epochs: must be positive, got -3"});
    rows.push_back({app, "--epochs many", "--epochs: not a number: many"});
    rows.push_back({app, "--minutes nan", "--minutes: not a finite number: nan"});
    rows.push_back({app, "--minutes inf", "--minutes: not a finite number: inf"});
    rows.push_back({app, "--lr nan", "--lr: not a finite number: nan"});
    rows.push_back({app, "--lr -1e-3", "--lr: must be positive, got -1e-3"});
    rows.push_back({app, "--batch 123456", "--batch: must be between 1 and 65536, got 123456"});
    rows.push_back({app, "--batch 9223372036854775808", "--batch: 9223372036854775808 is too large"});
    rows.push_back({app, "--max-steps -1", "--max-steps: must be 0 or more, got -1"});
    rows.push_back({app, "--threads 1e300", "--threads: 1e300 is too large"});
    rows.push_back({app, "--device gpu" + data, "unknown device 'gpu'"});
    rows.push_back({app, "--device cuda:99" + data, "device cuda:99"});
    rows.push_back({app, "--data " + r.empty.path(), "holds the MNIST files"});
    rows.push_back({app, "--data /no/such/folder", "neither this directory nor /no/such/folder/mnist"});
    rows.push_back({app, "--resume" + data + " --out " + r.empty.path(), "--resume: no checkpoint at"});
  }
  rows.push_back({"mnist_gan", "--max-steps 1 --data " + r.data.path() + " --batch 41 --out " + r.scratch.path(),
                  "the training set (40 images) is smaller than one batch of 41"});
  rows.push_back({"mnist_gan", "--resume" + data + " --out " + r.ssl.path(), "not a mnist_gan checkpoint"});
  rows.push_back({"mnist_gan", "--max-steps 1" + data + " --out " + r.ssl.path(), "holds another program's run"});
  rows.push_back({"mnist_gan", "--max-steps 1" + data + " --out " + r.classifier.path(), "holds another program's run"});
  rows.push_back({"mnist_gan", "--average 1.5", "--average: must be between 0 and 0.9999, got 1.5"});
  rows.push_back({"mnist_gan", "--dataset svhn", "--dataset: svhn not in {mnist,fashion}"});
  rows.push_back({"mnist_classifier", "--max-steps 1" + data + " --out " + r.gan.path(), "holds another program's run"});
  rows.push_back({"ssl", "--resume" + ssl_data + " --out " + r.gan.path(), "not an ssl checkpoint"});
  rows.push_back({"ssl", "--max-steps 1" + ssl_data + " --out " + r.gan.path(), "holds another program's run"});
  rows.push_back({"ssl", "--labels 7 --data " + r.data.path() + " --out " + r.scratch.path(), "use a multiple of 10"});
  rows.push_back({"ssl", "--labels 100000 --data " + r.data.path() + " --out " + r.scratch.path(),
                  "labeled ones per class"});
  rows.push_back({"ssl", "--labels -10", "--labels: must be positive, got -10"});
  rows.push_back({"ssl", "--polyak-decay nan", "--polyak-decay: not a finite number"});
  rows.push_back({"ssl", "--arch resnet", "--arch: resnet not in"});
  rows.push_back({"ssl", "--dataset cifar10 --data " + r.empty.path(), "holds the CIFAR-10 files (data_batch_1.bin"});
  rows.push_back({"ssl", "--dataset svhn --data " + r.empty.path(), "holds the SVHN files (train_32x32.mat"});

  const std::string models = " --generator " + gan + " --classifier " + classifier;
  rows.push_back({"gan_eval", "", "--generator is required"});
  rows.push_back({"gan_eval", models + " --samples 1", "--samples: must be between 2 and 1e+07, got 1"});
  rows.push_back({"gan_eval", models + " --samples 123456789", "--samples: must be between 2 and 1e+07"});
  rows.push_back({"gan_eval", models + " --samples nan", "--samples: not a finite number"});
  rows.push_back({"gan_eval", " --generator /no/such.safetensors --classifier " + classifier, "no file at /no/such"});
  rows.push_back({"gan_eval", " --generator " + classifier + " --classifier " + classifier + data,
                  "not a mnist_gan checkpoint"});
  rows.push_back({"gan_eval", " --generator " + gan + " --classifier " + gan + data, "not a mnist_classifier checkpoint"});
  rows.push_back({"gan_eval", " --generator " + corrupt + " --classifier " + classifier + data, corrupt});
  rows.push_back({"gan_eval", models + " --data " + r.empty.path(), "holds the MNIST files"});
  rows.push_back({"gan_eval", models + " --weights both", "--weights: both not in"});

  rows.push_back({"latent", "", "A subcommand is required"});
  rows.push_back({"latent", "dream", "subcommand"});
  rows.push_back({"latent", "interpolate --generator " + gan + " --steps 123456", "--steps: must be between 2 and 64"});
  rows.push_back({"latent", "interpolate --generator " + gan + " --pair 3", "--pair"});
  rows.push_back({"latent", "interpolate --generator " + classifier + " --out " + r.scratch.path(),
                  "not a mnist_gan checkpoint"});
  rows.push_back({"latent", "interpolate --generator " + corrupt + " --out " + r.scratch.path(), corrupt});
  rows.push_back({"latent", "attributes --generator " + gan + " --classifier " + classifier + " --threshold nan",
                  "--threshold: not a finite number"});
  rows.push_back({"latent", "attributes --generator " + gan + " --classifier " + classifier + " --expression 7-x --out " +
                                r.scratch.path(), "7-x"});
  rows.push_back({"latent", "train-on-synthetic --synthetic " + r.empty.path() + data, "latent synthesize"});

  rows.push_back({"padding_demo", "-i 0", "--size: must be between 1 and 32, got 0"});
  rows.push_back({"padding_demo", "-i 1000000", "--size: must be between 1 and 32"});
  rows.push_back({"padding_demo", "-k nan", "--kernel: not a finite number"});
  rows.push_back({"padding_demo", "-p -3", "padding must be 'same', 'valid', 'full' or a number from 0 to 64"});
  rows.push_back({"padding_demo", "-p 99999999", "got '99999999'"});
  rows.push_back({"padding_demo", "-p sideways", "got 'sideways'"});
  rows.push_back({"padding_demo", "-t -s 2 -p 1 --output-padding 5", "--output-padding must be smaller than the stride"});
  rows.push_back({"padding_demo", "--output-padding 1", "--output-padding only goes with --transposed"});
  rows.push_back({"padding_demo", "--table --table-inputs 0", "--table-inputs: must be between 1 and 4096"});
  rows.push_back({"padding_demo", "--image " + corrupt, "cannot decode the image"});
  rows.push_back({"padding_demo", "--gif /no/such/folder/walk.gif", "/no/such/folder/walk.gif"});
  rows.push_back({"deconv_demo", "-i 9999999", "--size: must be between 1 and 12"});
  rows.push_back({"deconv_demo", "--kernel x", "--kernel: not a number: x"});
  rows.push_back({"deconv_demo", "-p 99999", "a number from 0 to 64"});
  rows.push_back({"deconv_demo", "--png /no/such/folder/c.png", "/no/such/folder/c.png"});
  return rows;
}

}  // namespace

TEST_CASE("every program answers bad input with one line on stderr and a non-zero exit") {
  const std::vector<BadInput> rows = table();
  CHECK(rows.size() >= 80);
  for (const BadInput& row : rows) {
    CAPTURE(row.program);
    CAPTURE(row.arguments);
    const bool demo = std::string(row.program).find("_demo") != std::string::npos;  // no --threads there
    const gs::testing::ProgramRun run =
        gs::testing::run_app_apart(row.program, (demo ? "" : "--threads 2 ") + row.arguments);
    INFO("stderr: " << run.errors);
    CHECK(run.status > 0);  // -1 would be a death by signal (a crash or an abort)
    CHECK(std::count(run.errors.begin(), run.errors.end(), '\n') == 1);
    CHECK(run.errors.rfind(std::string(row.program) + ": ", 0) == 0);
    CHECK(run.errors.find(row.says) != std::string::npos);
    for (const char* crash : {"terminate called", "what():", "Aborted", "Segmentation", "unexpected error"})
      CHECK(run.errors.find(crash) == std::string::npos);
  }
  // Nothing of the runs whose folders were misused was overwritten.
  CHECK(std::filesystem::exists(runs().ssl.file("checkpoint.safetensors")));
  CHECK(gs::read_file(runs().ssl.file("log.csv")).rfind("iteration,epoch,supervised", 0) == 0);
  CHECK(gs::read_file(runs().classifier.file("log.csv")).rfind("epoch,iteration,train_loss", 0) == 0);
}
