#include "tensor/file_io.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tensor/error.h"

namespace gs {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  check(in.good(), path, ": cannot open for reading (", std::strerror(errno), ")");
  std::ostringstream bytes;
  bytes << in.rdbuf();
  check(!in.bad(), path, ": read error");
  return bytes.str();
}

void fault_point(const char* point) {
  static const std::string wanted = [] {
    const char* fault = std::getenv("GRADSCHOOL_FAULT");
    return std::string(fault ? fault : "");
  }();
  if (wanted.empty()) return;
  static long long reached = 0;
  const size_t colon = wanted.rfind(':');
  if (colon == std::string::npos || wanted.compare(0, colon, point) != 0) return;
  if (++reached == std::atoll(wanted.c_str() + colon + 1)) ::kill(::getpid(), SIGKILL);
}

namespace {

// "<path>.tmp-<pid>" files of writers that died before their rename.
void remove_stale_temporaries(const std::string& path, const std::string& mine) {
  const std::filesystem::path target(path);
  const std::filesystem::path folder = target.has_parent_path() ? target.parent_path() : ".";
  const std::string prefix = target.filename().string() + ".tmp-";
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(folder, error)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) == 0 && entry.path() != mine) std::filesystem::remove(entry.path(), error);
  }
}

}  // namespace

void write_file_atomic(const std::string& path, const std::string& bytes) {
  const std::string temporary = path + ".tmp-" + std::to_string(getpid());
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  check(fd >= 0, path, ": cannot create ", temporary, " (", std::strerror(errno), ")");
  auto write_all = [&](size_t begin, size_t end) {
    for (size_t written = begin; written < end;) {
      const ssize_t n = ::write(fd, bytes.data() + written, end - written);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        const int error = n < 0 ? errno : ENOSPC;
        ::close(fd);
        ::unlink(temporary.c_str());
        fail(path, ": write failed (", std::strerror(error), "); the previous file, if any, is untouched");
      }
      written += static_cast<size_t>(n);
    }
  };
  write_all(0, bytes.size() / 2);
  fault_point("atomic-write");
  write_all(bytes.size() / 2, bytes.size());
  bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced || std::rename(temporary.c_str(), path.c_str()) != 0) {
    int error = errno;
    ::unlink(temporary.c_str());
    fail(path, ": could not finish writing (", std::strerror(error), "); the previous file, if any, is untouched");
  }
  remove_stale_temporaries(path, temporary);
}

}  // namespace gs
