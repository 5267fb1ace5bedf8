// Running a demo program from the build directory in a test (GS_BUILD_DIR, as
// `make test` sets it), with its stdout and exit status.
#pragma once
#include <array>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <sys/wait.h>

namespace gs::testing {

struct ProgramRun {
  std::string output;  // stdout
  int status = -1;     // exit status
};

// apps/<name>, or for "emulated/<name>" the same app linked against the
// emulated CUDA device (tests/emulated/apps/<name>, built by `make tests`).
inline std::string app_path(const std::string& app) {
  const std::string emulated = "emulated/";
  if (app.rfind(emulated, 0) == 0) return "tests/emulated/apps/" + app.substr(emulated.size());
  return "apps/" + app;
}

// `command` is appended to the program's path as shell words; `stdin_text` is piped in.
inline ProgramRun run_app(const std::string& app, const std::string& arguments, const std::string& stdin_text = "") {
  const char* build = std::getenv("GS_BUILD_DIR");
  const std::string program = std::string(build ? build : "build") + "/" + app_path(app);
  const std::string command = "printf '%s' '" + stdin_text + "' | " + program + " " + arguments + " 2>&1";
  ProgramRun run;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return run;
  std::array<char, 4096> buffer;
  size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) run.output.append(buffer.data(), n);
  const int status = pclose(pipe);
  run.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

}  // namespace gs::testing
