#include "apps/common/loss_plot.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "apps/common/run_files.h"

namespace gs::apps {

std::string plot_columns(const std::string& csv_path, const std::vector<std::string>& columns,
                         const std::string& png_path, const std::string& title) {
  if (std::system("command -v gnuplot >/dev/null 2>&1") != 0)
    return "loss curve skipped: gnuplot is not installed (apt-get install gnuplot-nox)";
  std::ifstream csv(csv_path);
  std::string header;
  if (!std::getline(csv, header)) return "loss curve skipped: " + csv_path + " is empty";
  const std::vector<std::string> names = csv_fields(header);

  std::ostringstream script;
  script << "set terminal pngcairo size 900,500 noenhanced\nset output '" << png_path << "'\n"
         << "set datafile separator ','\nset key autotitle columnhead\nset title '" << title << "'\n"
         << "set xlabel '" << names[0] << "'\nset grid\nplot ";
  for (size_t c = 0; c < columns.size(); ++c) {
    const size_t index = csv_column(names, columns[c]);
    if (index == names.size()) return "loss curve skipped: no column '" + columns[c] + "' in " + csv_path;
    script << (c ? ", " : "") << "'" << csv_path << "' using 1:" << index + 1 << " with lines";
  }
  script << "\n";
  const std::string script_path = png_path + ".gnuplot";
  std::ofstream(script_path) << script.str();
  const int status = std::system(("gnuplot '" + script_path + "' 2>/dev/null").c_str());
  std::remove(script_path.c_str());
  return status == 0 ? "" : "loss curve skipped: gnuplot failed";
}

}  // namespace gs::apps
