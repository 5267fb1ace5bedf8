// What every program's main() does around its work: a gs::Error (bad input
// that got past the argument checks, an unreadable file) becomes one line on
// stderr naming the program and a non-zero exit, never a crash; so does a
// command line CLI11 refuses. And the number checks the flags use.
#pragma once
#include <CLI/CLI.hpp>

#include <cmath>
#include <csignal>
#include <cstdio>
#include <exception>
#include <iostream>
#include <new>
#include <sstream>
#include <string>

#include "tensor/distributed.h"
#include "tensor/error.h"

namespace gs::apps {

template <typename Body>
int run_reporting_errors(const char* program, Body body) {
  // Past a file size limit (ulimit -f) a write then fails with "File too
  // large" and is reported like any other write error, instead of SIGXFSZ
  // killing the program between its checks.
  std::signal(SIGXFSZ, SIG_IGN);
  std::string where = program;
  int ranks = 1;
  try {
    // Under mpirun (data parallelism) rank 0 alone prints; an error on any
    // rank is reported with its rank and ends every rank at once, so none
    // waits for the others in a collective forever.
    ProcessGroup& group = process_group();
    ranks = group.size();
    if (ranks > 1) {
      where += " (rank " + std::to_string(group.rank()) + " of " + std::to_string(ranks) + ")";
      if (group.rank() != 0 && !std::freopen("/dev/null", "w", stdout)) fail("cannot silence rank ", group.rank());
    }
    body();
    return 0;
  } catch (const Error& error) {
    std::cerr << where << ": " << error.what() << "\n";
  } catch (const std::bad_alloc&) {
    std::cerr << where << ": out of memory (the sizes asked for are too large for this machine)\n";
  } catch (const std::exception& error) {
    std::cerr << where << ": unexpected error: " << error.what() << "\n";
  }
  if (ranks > 1) process_group().abort(1);
  return 1;
}

// A command-line error as one line: "mnist_gan: --epochs: Value -1 not in
// range [1 - ...] (see --help)". Call before CLI11_PARSE.
inline void parse_errors_in_one_line(CLI::App& app, const std::string& program) {
  app.name(program);
  app.failure_message([](const CLI::App* parsed, const CLI::Error& error) {
    std::string message = error.what();
    for (char& c : message)
      if (c == '\n') c = ' ';
    return parsed->get_name() + ": " + message + " (see --help)\n";
  });
}

// Numbers for flags, with messages a person reads in one go. CLI11's own
// checks pass NaN (every comparison with NaN is false); these refuse NaN,
// infinity, and anything from 2^63 on (it would not fit a 64-bit count).
inline CLI::Validator number_check(const std::string& name, double low, double high, bool open_low) {
  return CLI::Validator(
      [=](std::string& text) -> std::string {
        double value = 0;
        size_t used = 0;
        try {
          value = std::stod(text, &used);
        } catch (const std::exception&) {
          return "not a number: " + text;
        }
        if (used != text.size()) return "not a number: " + text;
        if (!std::isfinite(value)) return "not a finite number: " + text;
        if (std::abs(value) >= 9.2233720368547758e18) return text + " is too large";
        const bool below = open_low ? !(value > low) : value < low;
        if (below || value > high) return "must be " + name + ", got " + text;
        return "";
      },
      name, name);
}
// The largest --batch any program takes (a batch of 65,536 28x28 images is
// 200 MiB per activation; more is a typing mistake, not a run).
constexpr double kMaxBatch = 65536;

inline CLI::Validator positive_number() { return number_check("positive", 0, 1e300, true); }
inline CLI::Validator non_negative_number() { return number_check("0 or more", 0, 1e300, false); }
inline CLI::Validator number_in(double low, double high) {
  std::ostringstream range;
  range << "between " << low << " and " << high;
  return number_check(range.str(), low, high, false);
}

}  // namespace gs::apps
