// Running a demo program from the build directory in a test (GS_BUILD_DIR, as
// `make test` sets it), with its stdout and exit status.
#pragma once
#include <array>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace gs::testing {

struct ProgramRun {
  std::string output;  // stdout (and stderr, unless run apart)
  int status = -1;     // exit status; -1 when killed by a signal
  std::string errors;  // stderr, when run_app_apart kept it apart
};

// apps/<name>, or for "emulated/<name>" the same app linked against the
// emulated CUDA device (tests/emulated/apps/<name>, built by `make tests`).
inline std::string app_path(const std::string& app) {
  const std::string emulated = "emulated/";
  if (app.rfind(emulated, 0) == 0) return "tests/emulated/apps/" + app.substr(emulated.size());
  return "apps/" + app;
}

// `command` is appended to the program's path as shell words; `stdin_text` is piped in.
inline ProgramRun run_command(const std::string& command);

inline std::string program_path(const std::string& app) {
  const char* build = std::getenv("GS_BUILD_DIR");
  return std::string(build ? build : "build") + "/" + app_path(app);
}

inline ProgramRun run_app(const std::string& app, const std::string& arguments, const std::string& stdin_text = "") {
  return run_command("printf '%s' '" + stdin_text + "' | " + program_path(app) + " " + arguments + " 2>&1");
}

// The same with stdout and stderr apart (stderr in `errors`), stdin empty.
inline ProgramRun run_app_apart(const std::string& app, const std::string& arguments) {
  char path[] = "/tmp/gradschool-stderr-XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) return {};
  close(fd);
  ProgramRun run = run_command(program_path(app) + " " + arguments + " < /dev/null 2>" + path);
  if (FILE* file = fopen(path, "r")) {
    std::array<char, 4096> buffer;
    size_t n;
    while ((n = fread(buffer.data(), 1, buffer.size(), file)) > 0) run.errors.append(buffer.data(), n);
    fclose(file);
  }
  unlink(path);
  return run;
}

inline ProgramRun run_command(const std::string& command) {
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
