// Whole-file reads and crash-safe writes, shared by every format gradschool
// writes (.npy, safetensors checkpoints, PNG, GIF, IDX).
#pragma once
#include <string>

namespace gs {

// The file's bytes; gs::Error naming the file if it cannot be read.
std::string read_file(const std::string& path);

// Writes to "<path>.tmp-<pid>" in the same directory, fsyncs, then renames
// over `path`: a crash or Ctrl-C leaves either the old file or the new one,
// never half of one.
// Stale temporaries of `path` that a killed writer left behind are removed.
void write_file_atomic(const std::string& path, const std::string& bytes);

// Fault injection for the crash tests (tests/test_soak.cpp): with
// GRADSCHOOL_FAULT=<point>:<n> in the environment, the n-th time the program
// reaches the fault point named <point> it kills itself with SIGKILL, as a
// power cut or `kill -9` would. Points: "atomic-write" (half-way through
// writing a file's bytes) and "log-row" (half-way through a log row).
// Without the variable this returns at once.
void fault_point(const char* point);

}  // namespace gs
