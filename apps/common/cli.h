// What every demo's main() does around its work: a gs::Error (bad input that
// got past the argument checks, an unreadable file) becomes one line on
// stderr naming the program and a non-zero exit, never a crash.
#pragma once
#include <exception>
#include <iostream>

#include "tensor/error.h"

namespace gs::apps {

template <typename Body>
int run_reporting_errors(const char* program, Body body) {
  try {
    body();
    return 0;
  } catch (const Error& error) {
    std::cerr << program << ": " << error.what() << "\n";
  } catch (const std::exception& error) {
    std::cerr << program << ": unexpected error: " << error.what() << "\n";
  }
  return 1;
}

}  // namespace gs::apps
