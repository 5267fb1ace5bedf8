#include "apps/common/run_files.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <vector>

#include "tensor/distributed.h"
#include "tensor/file_io.h"

namespace gs::apps {

std::vector<std::string> csv_fields(const std::string& line) {
  std::vector<std::string> fields;
  std::stringstream stream(line);
  for (std::string field; std::getline(stream, field, ',');) fields.push_back(field);
  return fields;
}

size_t csv_column(const std::vector<std::string>& fields, const std::string& name) {
  return static_cast<size_t>(std::find(fields.begin(), fields.end(), name) - fields.begin());
}

std::string kept_log_rows(const std::string& text, const std::string& header, int64_t checkpoint_iteration,
                          int64_t& dropped) {
  const size_t header_end = text.find('\n');
  check(header_end != std::string::npos && text.compare(0, header_end, header) == 0,
        "kept_log_rows: the log does not begin with its header");
  const std::vector<std::string> columns = csv_fields(header);
  const size_t iteration_column = csv_column(columns, "iteration");
  check(iteration_column < columns.size(), "RunLog: the header '", header, "' has no iteration column");

  std::string kept = header + "\n";
  dropped = 0;
  for (size_t start = header_end + 1; start < text.size();) {
    const size_t end = text.find('\n', start);
    if (end == std::string::npos) {  // an unfinished last line
      ++dropped;
      break;
    }
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    const std::vector<std::string> fields = csv_fields(line);
    char* parse_end = nullptr;
    const char* iteration = iteration_column < fields.size() ? fields[iteration_column].c_str() : "";
    const long long value = std::strtoll(iteration, &parse_end, 10);
    if (*iteration != '\0' && *parse_end == '\0' && value <= checkpoint_iteration) {
      kept += line + "\n";
    } else {
      ++dropped;
    }
  }
  return kept;
}

RunLog::RunLog(const std::string& path, bool resume, int64_t checkpoint_iteration, const std::string& header)
    : path_(path) {
  if (process_group().rank() != 0) return;  // data parallelism: rank 0 keeps the logs
  // What the folder holds: no log, a log this program began (a run killed
  // before its header reached the disk leaves it empty or cut short), or
  // another program's log, which a run never overwrites.
  bool ours = false;
  if (std::filesystem::exists(path)) {
    const std::string text = read_file(path);
    const std::string first_line = text.substr(0, text.find('\n'));
    const bool unfinished_header = text.find('\n') == std::string::npos && header.compare(0, text.size(), text) == 0;
    check(first_line == header || unfinished_header, path, ": this --out folder holds another program's run (its log "
          "begins '", first_line.substr(0, 80), "'); choose another --out so nothing of that run is overwritten");
    ours = !unfinished_header;
  }
  const bool append = resume && ours;
  if (append) {
    int64_t dropped = 0;
    const std::string kept = kept_log_rows(read_file(path), header, checkpoint_iteration, dropped);
    if (dropped > 0) {
      write_file_atomic(path, kept);
      std::printf("%s: dropped %lld row(s) written after the checkpoint (iteration %lld) or left unfinished\n",
                  path.c_str(), static_cast<long long>(dropped), static_cast<long long>(checkpoint_iteration));
    }
  }
  file_.open(path, append ? std::ios::app : std::ios::trunc);
  check(file_.good(), path, ": cannot be written");
  if (!append) file_ << header << std::endl;  // on disk at once
}

void RunLog::append(const std::string& row) {
  if (!file_.is_open()) return;  // not rank 0
  // The crash tests' fault point: the first half of a row on disk, then SIGKILL.
  static const bool faults = std::getenv("GRADSCHOOL_FAULT") != nullptr;
  if (faults) {
    file_ << row.substr(0, row.size() / 2);
    file_.flush();
    fault_point("log-row");
    file_ << row.substr(row.size() / 2) << "\n";
    return;
  }
  file_ << row << "\n";
}

void RunLog::flush() {
  if (!file_.is_open()) return;
  file_.flush();
  check(file_.good(), path_, ": cannot be written (is the disk full?)");
}

}  // namespace gs::apps
