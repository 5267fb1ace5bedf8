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
void write_file_atomic(const std::string& path, const std::string& bytes);

}  // namespace gs
