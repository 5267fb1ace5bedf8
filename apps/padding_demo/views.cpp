#include "apps/padding_demo/views.h"

#include <algorithm>
#include <cstdio>
#include <string>

namespace gs::apps {
namespace {

bool in_window(const Step& step, int64_t row, int64_t col) {
  return std::any_of(step.taps.begin(), step.taps.end(),
                     [&](const Tap& tap) { return tap.row == row && tap.col == col; });
}

// One cell of the terminal view: the number right-aligned in `width`, in
// brackets when marked ("[   v]"), else between spaces.
std::string terminal_cell(const std::string& text, size_t width, bool marked, const char* style, bool colour) {
  std::string cell = marked ? "[" + right_aligned(text, width) + "]" : " " + right_aligned(text, width) + " ";
  if (!colour || !style) return cell;
  return std::string(style) + cell + "\x1b[0m";
}

constexpr const char* kWindowStyle = "\x1b[30;43m";   // black on yellow
constexpr const char* kPaddingStyle = "\x1b[2m";      // dim
constexpr const char* kInsertedStyle = "\x1b[2;36m";  // dim cyan
constexpr const char* kCurrentStyle = "\x1b[30;42m";  // black on green
constexpr const char* kDoneStyle = "\x1b[32m";        // green

}  // namespace

void print_step(std::ostream& out, const Walkthrough& walk, size_t step_index, bool colour) {
  const Step& step = walk.steps[step_index];
  out << "step " << step_index + 1 << " of " << walk.steps.size() << ": output cell (" << step.out_row << ", "
      << step.out_col << ")\n";
  const int64_t rows = std::max(walk.grid_size, walk.output_size);
  std::vector<double> shown = walk.grid;  // every number on the screen, for the column width
  for (const Step& s : walk.steps) shown.push_back(s.value);
  const size_t width = std::max<size_t>(4, widest_number(shown));
  const std::string grid_blank(static_cast<size_t>(walk.grid_size) * (width + 2), ' ');
  for (int64_t r = 0; r < rows; ++r) {
    std::string line = "  ";
    if (r < walk.grid_size) {
      for (int64_t c = 0; c < walk.grid_size; ++c) {
        const bool marked = in_window(step, r, c);
        const CellKind kind = walk.kind(r, c);
        const std::string text = kind == CellKind::Padding ? "." : kind == CellKind::Inserted ? "o"
                                                                  : number_text(walk.grid_value(r, c));
        const char* style = marked ? kWindowStyle : kind == CellKind::Padding ? kPaddingStyle
                                                   : kind == CellKind::Inserted ? kInsertedStyle : nullptr;
        line += terminal_cell(text, width, marked, style, colour);
      }
    } else {
      line += grid_blank;
    }
    line += r == (walk.grid_size - 1) / 2 ? "  ->  " : "      ";
    if (r < walk.output_size) {
      for (int64_t c = 0; c < walk.output_size; ++c) {
        const size_t index = static_cast<size_t>(r * walk.output_size + c);
        const bool current = index == step_index, done = index < step_index;
        const std::string text = index <= step_index ? number_text(walk.steps[index].value) : "?";
        line += terminal_cell(text, width, current, current ? kCurrentStyle : done ? kDoneStyle : nullptr, colour);
      }
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << "\n";
  }
  out << "  y(" << step.out_row << ", " << step.out_col << ") =";
  for (size_t t = 0; t < step.taps.size(); ++t) {
    const Tap& tap = step.taps[t];
    out << (t ? " + " : " ") << number_text(tap.weight) << "*" << number_text(walk.grid_value(tap.row, tap.col));
  }
  out << " = " << number_text(step.value) << "\n";
}

namespace {

constexpr int kCell = 32, kMargin = 16, kGap = 48;
constexpr Color kWhite{255, 255, 255}, kBlack{0, 0, 0}, kGray{153, 153, 153}, kLightGray{204, 204, 204};
constexpr Color kInputFill{153, 204, 255}, kInputEdge{0, 51, 102}, kFootprint{51, 102, 204}, kWeight{255, 255, 102};
constexpr Color kDoneFill{153, 255, 153}, kCurrentFill{0, 153, 51}, kCurrentEdge{0, 102, 0};

}  // namespace

Frame draw_step(const Walkthrough& walk, size_t step_index) {
  const Step& step = walk.steps[step_index];
  const int grid = static_cast<int>(walk.grid_size), output = static_cast<int>(walk.output_size);
  Frame frame(2 * kMargin + (grid + output) * kCell + kGap, 2 * kMargin + std::max(grid, output) * kCell, kWhite);

  const int grid_top = kMargin + (std::max(grid, output) - grid) * kCell / 2;
  for (int r = 0; r < grid; ++r)
    for (int c = 0; c < grid; ++c) {
      const int x = kMargin + c * kCell, y = grid_top + r * kCell;
      const CellKind kind = walk.kind(r, c);
      const bool marked = in_window(step, r, c);
      if (kind == CellKind::Input) {
        frame.fill_rect(x, y, kCell, kCell, marked ? kFootprint : kInputFill);
        frame.outline_rect(x, y, kCell, kCell, kInputEdge);
        frame.centered_text(x, y, kCell, kCell, number_text(walk.grid_value(r, c)), marked ? kWhite : kBlack, 2);
      } else {
        frame.fill_rect(x, y, kCell, kCell, marked ? kFootprint : kind == CellKind::Inserted ? kLightGray : kWhite);
        frame.outline_rect(x + 1, y + 1, kCell - 2, kCell - 2, kGray, 1, true);
      }
    }
  for (const Tap& tap : step.taps) {  // the weights, small, in each footprint cell's corner
    const std::string weight = number_text(tap.weight);
    const int x = kMargin + static_cast<int>(tap.col) * kCell, y = grid_top + static_cast<int>(tap.row) * kCell;
    frame.text(x + kCell - Frame::text_width(weight, 1) - 3, y + kCell - 8, weight, kWeight, 1);
  }

  const int output_left = kMargin + grid * kCell + kGap;
  const int output_top = kMargin + (std::max(grid, output) - output) * kCell / 2;
  for (int r = 0; r < output; ++r)
    for (int c = 0; c < output; ++c) {
      const size_t index = static_cast<size_t>(r * output + c);
      const int x = output_left + c * kCell, y = output_top + r * kCell;
      if (index > step_index) {
        frame.outline_rect(x, y, kCell, kCell, kGray);
        continue;
      }
      const bool current = index == step_index;
      frame.fill_rect(x, y, kCell, kCell, current ? kCurrentFill : kDoneFill);
      frame.outline_rect(x, y, kCell, kCell, current ? kCurrentEdge : kGray, current ? 2 : 1);
      frame.centered_text(x, y, kCell, kCell, number_text(walk.steps[index].value), current ? kWhite : kBlack, 2);
    }
  return frame;
}

}  // namespace gs::apps
