// The loss-curve picture of a training log (CSV with a header row), drawn
// by gnuplot when it is installed (Debian package gnuplot-nox).
#pragma once
#include <string>
#include <vector>

namespace gs::apps {

// Plots the named columns against the first; returns "" on success, or a
// one-line note saying why no picture was made.
std::string plot_columns(const std::string& csv_path, const std::vector<std::string>& columns,
                         const std::string& png_path, const std::string& title);

}  // namespace gs::apps
