// Every tutorial chapter's program prints exactly what its README shows in
// the block after the `<!-- expected-output -->` marker. The GPU chapter runs
// on the emulated CUDA device (its test build, build/tests/emulated/tutorials/).
#include <array>
#include <cstdio>
#include <filesystem>

#include "tensor/file_io.h"
#include "tests/helpers.h"

namespace fs = std::filesystem;

namespace {

std::string expected_output(const std::string& readme) {
  const std::string marker = "<!-- expected-output -->";
  size_t at = readme.find(marker);
  if (at == std::string::npos) return "";
  size_t fence = readme.find("```text\n", at);
  if (fence == std::string::npos) return "";
  size_t start = fence + 8;
  size_t end = readme.find("```", start);
  return readme.substr(start, end - start);
}

std::string run_program(const std::string& path) {
  std::string output;
  FILE* pipe = popen((path + " 2>/dev/null").c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::array<char, 4096> buffer;
  size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) output.append(buffer.data(), n);
  CHECK(pclose(pipe) == 0);
  return output;
}

}  // namespace

TEST_CASE("tutorial programs print what their chapters show") {
  const char* build = std::getenv("GS_BUILD_DIR");
  const std::string build_dir = build ? build : "build";
  int chapters = 0;
  for (const auto& entry : fs::directory_iterator("tutorials")) {
    if (!entry.is_directory() || !fs::exists(entry.path() / "main.cpp")) continue;
    const std::string chapter = entry.path().filename().string();
    CAPTURE(chapter);
    REQUIRE(fs::exists(entry.path() / "README.md"));
    const std::string expected = expected_output(gs::read_file((entry.path() / "README.md").string()));
    REQUIRE_MESSAGE(!expected.empty(), "README.md has no <!-- expected-output --> block");
    const bool needs_gpu = chapter == "10-gpu";
    const std::string program = build_dir + (needs_gpu ? "/tests/emulated/tutorials/" : "/tutorials/") + chapter;
    REQUIRE_MESSAGE(fs::exists(program), "build the tutorials first (make tutorials)");
    CHECK(run_program(program) == expected);
    ++chapters;
  }
  CHECK(chapters >= 1);
}
