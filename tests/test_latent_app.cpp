// The latent app end to end on stand-ins: a randomly initialised DCGAN
// generator and an untrained classifier whose last layer is scaled up, so its
// labels of G(z) vary with z (a small test cannot afford trained models), and
// a tiny fake MNIST. It checks the files each command writes and its errors.
#include <cmath>
#include <filesystem>

#include "apps/common/mnist_models.h"
#include "data/idx.h"
#include "data/mnist.h"
#include "nn/checkpoint.h"
#include "tests/data_fixtures.h"
#include "tests/demo_runner.h"
#include "tests/helpers.h"

using namespace gs;
using testing::run_app;
using testing::TempDir;

namespace {

// generator.safetensors and classifier.safetensors in `dir`, in the layouts
// mnist_gan and mnist_classifier write. The classifier's last layer is
// re-aimed at how its features of G(z) vary: logits = s W (f - mean f), so the
// labels spread over the classes instead of all falling in the class that the
// features' common part favours.
void write_stand_in_models(const TempDir& dir) {
  Generator gen(11);
  auto generator = apps::make_dcgan_generator(gen);
  generator->eval();
  save(with_prefix(generator->state_dict(), "generator."), dir.file("generator.safetensors"));
  apps::MnistClassifier classifier(gen);
  classifier.eval();
  NoGradGuard no_grad;
  const Tensor features = classifier.features(generator->forward(randn({256, apps::kLatentSize}, gen)));
  const Tensor centered = features - mean(features, {0}, true);
  const double scale = 20.0 / std::sqrt(mean(centered * centered).item());
  StateDict weights = classifier.state_dict();
  const Tensor weight = weights.at("head.1.weight") * scale;
  weights.at("head.1.weight") = weight;
  weights.at("head.1.bias") = matmul(mean(features, {0}, true), weight.transpose(0, 1)).reshape({10}) * -1.0;
  save(with_prefix(weights, "classifier."), dir.file("classifier.safetensors"));
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("latent: interpolate, attributes, synthesize and train-on-synthetic write what they promise") {
  TempDir models, data, out;
  write_stand_in_models(models);
  testing::write_mnist_fixture(data, 60, 20);
  const std::string generator = " --generator " + models.file("generator.safetensors");
  const std::string classifier = " --classifier " + models.file("classifier.safetensors");

  testing::ProgramRun run =
      run_app("latent", "--threads 2 interpolate --steps 5 --pairs 3 --gif --out " + out.path() + generator);
  INFO(run.output);
  REQUIRE(run.status == 0);
  CHECK(contains(run.output, "3 paths of 5 steps; mean |z| at the ends"));
  for (const char* file : {"candidates.png", "lerp.png", "slerp.png", "interpolation.gif"})
    CHECK(std::filesystem::exists(out.file(file)));

  run = run_app("latent", "--threads 2 interpolate --steps 4 --pair 5,9 --pair 0,63 --out " + out.path() + generator);
  CHECK(run.status == 0);
  CHECK(contains(run.output, "2 paths of 4 steps"));

  run = run_app("latent", "--threads 2 attributes --draws 600 --threshold 0.5 --steps 4 --expression 2-3+4 --out " +
                              out.path() + generator + classifier);
  INFO(run.output);
  REQUIRE(run.status == 0);
  CHECK(contains(run.output, "G(2-3+4) is classified as"));
  for (const char* file : {"class_codes.safetensors", "class_means.png", "arithmetic.png", "walks.png"})
    CHECK(std::filesystem::exists(out.file(file)));

  const std::string synthetic = out.file("synthetic");
  run = run_app("latent", "--threads 2 synthesize --count 50 --threshold 0.5 --batch 50 --codes " +
                              out.file("class_codes.safetensors") + " --data " + data.path() + " --out " + synthetic +
                              generator + classifier);
  INFO(run.output);
  REQUIRE(run.status == 0);
  CHECK(contains(run.output, "wrote 50 labeled images"));
  CHECK(contains(run.output, "rejected by the classifier"));
  // The folder is an MNIST-style dataset: synthetic training files, the real test files.
  REQUIRE(data::has_mnist_files(synthetic));
  const data::Dataset train = data::load_mnist(synthetic, data::Split::kTrain);
  CHECK(train.size() == 50);
  const std::vector<int64_t> labels = train.labels.to_vector<int64_t>();
  for (int64_t c = 0; c < 10; ++c) CHECK(std::count(labels.begin(), labels.end(), c) == 5);
  CHECK(data::load_mnist(synthetic, data::Split::kTest).size() == 20);

  run = run_app("latent", "--threads 2 train-on-synthetic --epochs 1 --batch 10 --labels 20 --synthetic " +
                              synthetic + " --data " + data.path());
  INFO(run.output);
  REQUIRE(run.status == 0);
  CHECK(contains(run.output, "training three MnistClassifiers for 5 steps each (batch 10)"));
  CHECK(contains(run.output, "synthetic only           50 images  test accuracy"));
  CHECK(contains(run.output, "real, same number        50 images  test accuracy"));
  CHECK(contains(run.output, "real, 20 labels          20 images  test accuracy"));
}

TEST_CASE("latent explains missing and corrupt checkpoints and bad arguments") {
  TempDir models, out;
  write_stand_in_models(models);
  testing::ProgramRun run = run_app("latent", "interpolate --generator " + models.file("none.safetensors"));
  CHECK(run.status == 1);
  CHECK(contains(run.output, "latent: --generator: no file at " + models.file("none.safetensors") +
                                 " (train one with build/apps/mnist_gan"));

  write_file_atomic(models.file("broken.safetensors"), std::string("\x10\0\0\0\0\0\0\0{\"a\":", 14));
  run = run_app("latent", "interpolate --out " + out.path() + " --generator " + models.file("broken.safetensors"));
  CHECK(run.status == 1);
  CHECK(contains(run.output, "latent: load '" + models.file("broken.safetensors") + "': the header length 16 runs "
                             "past the end of the file"));

  // A classifier checkpoint is not a generator checkpoint, and vice versa.
  run = run_app("latent", "interpolate --out " + out.path() + " --generator " + models.file("classifier.safetensors"));
  CHECK(run.status == 1);
  CHECK(contains(run.output, "not a mnist_gan checkpoint (no 'generator.*' entries)"));
  run = run_app("latent", "attributes --out " + out.path() + " --generator " + models.file("generator.safetensors") +
                              " --classifier " + models.file("generator.safetensors"));
  CHECK(run.status == 1);
  CHECK(contains(run.output, models.file("generator.safetensors") +
                                 ": not a mnist_classifier checkpoint (no 'classifier.*' entries)"));

  run = run_app("latent", "attributes --expression 7-x --out " + out.path() + " --generator " +
                              models.file("generator.safetensors") + " --classifier " +
                              models.file("classifier.safetensors"));
  CHECK(run.status == 1);
  CHECK(contains(run.output, "class expression '7-x': expected a class 0..9 at position 3"));
  run = run_app("latent", "interpolate --pair 3,3 --out " + out.path() + " --generator " +
                              models.file("generator.safetensors"));
  CHECK(run.status == 1);
  CHECK(contains(run.output, "--pair 3,3: expected two different numbers I,J from 0 to 63"));
  run = run_app("latent", "train-on-synthetic --synthetic " + out.file("nothing"));
  CHECK(run.status == 1);
  CHECK(contains(run.output, "no train-images-idx3-ubyte.gz and train-labels-idx1-ubyte.gz there"));

  for (const char* command : {"interpolate", "attributes", "synthesize", "train-on-synthetic"}) {
    run = run_app("latent", std::string(command) + " --help");
    CAPTURE(command);
    CHECK(run.status == 0);
    CHECK(contains(run.output, "--seed"));
  }
  CHECK(contains(run_app("latent", "--help").output, "train-on-synthetic"));
}
