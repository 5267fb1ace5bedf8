// The gan_eval app end to end on tiny stand-ins: a generator and a classifier
// trained for a few iterations on a fixture dataset. The metrics themselves
// are checked against closed forms in test_metrics.cpp; here: the table, the
// histogram bars, the JSON, reproducibility and the error messages.
#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>

#include "tests/data_fixtures.h"
#include "tests/demo_runner.h"
#include "tests/helpers.h"

using namespace gs;
using nlohmann::json;
using testing::run_app;
using testing::TempDir;

namespace {

// A fixture dataset with a generator and a classifier trained on it briefly.
struct EvalFixture {
  TempDir data, gan, classifier, out;
  std::string generator_checkpoint, classifier_checkpoint;
  EvalFixture() {
    testing::write_mnist_fixture(data, 64, 10);
    const std::string common = "--data " + data.path() + " --batch 16 --threads 2 --epochs 1 ";
    REQUIRE(run_app("mnist_gan", common + "--out " + gan.path()).status == 0);
    REQUIRE(run_app("mnist_classifier", common + "--out " + classifier.path()).status == 0);
    generator_checkpoint = gan.file("checkpoint.safetensors");
    classifier_checkpoint = classifier.file("classifier.safetensors");
  }
  std::string arguments(const std::string& extra = "") const {
    return "--generator " + generator_checkpoint + " --classifier " + classifier_checkpoint + " --data " +
           data.path() + " --samples 32 --batch 16 --threads 2 --out " + out.path() + " " + extra;
  }
};

// Built once, by the first test that needs it (training the two takes a few seconds).
const EvalFixture& eval_fixture() {
  static const EvalFixture fixture;
  return fixture;
}

// The JSON document in a run's output (stderr's progress notes come first).
json json_result(const std::string& output) {
  const size_t start = output.find("{\"generator\"");
  REQUIRE(start != std::string::npos);
  return json::parse(output.substr(start));
}

int64_t total(const json& histogram) {
  int64_t sum = 0;
  for (const json& count : histogram) sum += count.get<int64_t>();
  return sum;
}

}  // namespace

TEST_CASE("gan_eval reports score, FID and class histogram for samples and real images") {
  const EvalFixture& fixture = eval_fixture();
  testing::ProgramRun run = run_app("gan_eval", fixture.arguments("--json"));
  INFO(run.output);
  REQUIRE(run.status == 0);
  const json result = json_result(run.output);
  CHECK(result["trained_for"] == "iteration 4 (epochs done: 1, batches into the next: 0)");
  const json& rows = result["rows"];
  REQUIRE(rows.size() == 4);
  CHECK(rows[0]["images"] == "real test images (reference)");
  CHECK(rows[0]["fid"].is_null());
  CHECK(rows[1]["images"] == "real training images (32)");
  CHECK(rows[2]["images"] == "generated, BN running statistics");
  CHECK(rows[3]["images"] == "generated, BN batch statistics");
  const std::vector<int64_t> set_sizes{10, 32, 32, 32};
  for (size_t r = 0; r < rows.size(); ++r) {
    CAPTURE(r);
    CHECK(rows[r]["histogram"].size() == 10);
    CHECK(total(rows[r]["histogram"]) == set_sizes[r]);
    const double score = rows[r]["score"];
    CHECK(score >= 1.0 - 1e-9);
    CHECK(score <= 10.0 + 1e-9);
    // The score's two entropies (each in its own JSON field), and the share of images classified surely.
    const double class_entropy = rows[r]["class_entropy"], sample_entropy = rows[r]["sample_entropy"];
    CHECK(std::exp(class_entropy - sample_entropy) == doctest::Approx(score).epsilon(1e-6));
    CHECK(sample_entropy >= -1e-9);
    CHECK(class_entropy <= std::log(10.0) + 1e-9);
    const double sure = rows[r]["sure"];
    CHECK(sure >= 0.0);
    CHECK(sure <= 1.0);
    if (r > 0) CHECK(rows[r]["fid"].get<double>() >= -1e-6);
  }
  // Same z, different normalisation: different images.
  CHECK(rows[2]["fid"].get<double>() != rows[3]["fid"].get<double>());
  CHECK(std::filesystem::exists(fixture.out.file("samples_by_class.png")));
  CHECK(std::filesystem::exists(fixture.out.file("samples_by_class_bn_batch.png")));
}

TEST_CASE("gan_eval gives the same numbers for the same seed, other samples for another seed") {
  const EvalFixture& fixture = eval_fixture();
  const json first = json_result(run_app("gan_eval", fixture.arguments("--json")).output);
  CHECK(json_result(run_app("gan_eval", fixture.arguments("--json")).output) == first);
  const json other = json_result(run_app("gan_eval", fixture.arguments("--json --seed 2")).output);
  CHECK(other["rows"][0] == first["rows"][0]);  // the real test images do not depend on the seed
  CHECK(other["rows"][2]["fid"] != first["rows"][2]["fid"]);
}

TEST_CASE("gan_eval's text report shows the table and one bar per class, one # per percent up to 40") {
  const EvalFixture& fixture = eval_fixture();
  const json rows = json_result(run_app("gan_eval", fixture.arguments("--json")).output)["rows"];
  testing::ProgramRun text = run_app("gan_eval", fixture.arguments());
  INFO(text.output);
  REQUIRE(text.status == 0);
  CHECK(text.output.find("real test images (reference)") != std::string::npos);
  const size_t block =
      text.output.find("predicted classes, generated, BN running statistics (# = 1% of the images):");
  REQUIRE(block != std::string::npos);
  const json& histogram = rows[2]["histogram"];
  size_t line = text.output.find('\n', block) + 1;
  for (int k = 0; k < 10; ++k) {
    CAPTURE(k);
    const std::string bar_line = text.output.substr(line, text.output.find('\n', line) - line);
    const int64_t count = histogram[k];
    const int64_t percent = (100 * count + 16) / 32;  // rounded; bars stop at 40 with a '>'
    const std::string bar = percent > 40 ? std::string(40, '#') + ">" : std::string(percent, '#');
    CHECK(bar_line.rfind("  " + std::to_string(k) + " " + bar + " ", 0) == 0);
    CHECK(bar_line.find(" " + std::to_string(count) + " ") != std::string::npos);
    line = text.output.find('\n', line) + 1;
  }
  CHECK(text.output.compare(line, 26, "  classes never predicted:") == 0);
}

TEST_CASE("gan_eval explains what is wrong with its inputs") {
  const EvalFixture& fixture = eval_fixture();
  const std::string data = " --data " + fixture.data.path() + " --samples 16 --batch 16";
  testing::ProgramRun missing = run_app("gan_eval", "--generator " + fixture.out.file("none.safetensors") +
                                                        " --classifier " + fixture.classifier_checkpoint + data);
  CHECK(missing.status == 1);
  CHECK(missing.output.find("gan_eval: --generator: no file at " + fixture.out.file("none.safetensors")) == 0);

  const std::string corrupt = fixture.out.write("corrupt.safetensors", std::string(8, '\xff') + "{}");
  testing::ProgramRun unreadable =
      run_app("gan_eval", "--generator " + corrupt + " --classifier " + fixture.classifier_checkpoint + data);
  CHECK(unreadable.status == 1);
  CHECK(unreadable.output.find("gan_eval: load '" + corrupt + "': the header length") == 0);

  testing::ProgramRun swapped = run_app("gan_eval", "--generator " + fixture.classifier_checkpoint +
                                                        " --classifier " + fixture.generator_checkpoint + data);
  CHECK(swapped.status == 1);
  CHECK(swapped.output.find("gan_eval: " + fixture.classifier_checkpoint +
                            ": not a mnist_gan checkpoint (no 'generator.*' entries)") == 0);
  testing::ProgramRun not_classifier = run_app("gan_eval", "--generator " + fixture.generator_checkpoint +
                                                               " --classifier " + fixture.generator_checkpoint + data);
  CHECK(not_classifier.status == 1);
  CHECK(not_classifier.output.find("gan_eval: " + fixture.generator_checkpoint +
                                   ": not a mnist_classifier checkpoint") == 0);
  testing::ProgramRun no_classifier = run_app("gan_eval", "--generator " + fixture.generator_checkpoint +
                                                              " --classifier " + fixture.out.file("c") + data);
  CHECK(no_classifier.status == 1);
  CHECK(no_classifier.output.find("gan_eval: --classifier: no file at " + fixture.out.file("c")) == 0);

  testing::ProgramRun help = run_app("gan_eval", "--help");
  CHECK(help.status == 0);
  for (const char* flag : {"--generator", "--classifier", "--samples", "--seed", "--batch", "--json", "--data"})
    CHECK(help.output.find(flag) != std::string::npos);
}
