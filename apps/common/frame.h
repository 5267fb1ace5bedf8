// An RGB frame buffer for the lecture demos' figures, with the few drawing
// primitives they need (filled and outlined cells, a 3x5 pixel font for
// numbers). Drawing is kept apart from file output: to_pixels() and
// to_image() hand the frame to data::save_png and data::save_gif.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace gs::apps {

// Colours are picked from the GIF writer's 6x6x6 colour cube (components
// multiples of 51), so the GIFs show them exactly.
struct Color {
  uint8_t r = 0, g = 0, b = 0;
};

class Frame {
 public:
  Frame(int width, int height, Color background);

  int width() const { return width_; }
  int height() const { return height_; }
  Color at(int x, int y) const;

  // Everything is clipped to the frame.
  void fill_rect(int x, int y, int width, int height, Color color);
  // An outline `thickness` pixels wide inside the rectangle; dashed draws 3 on, 3 off.
  void outline_rect(int x, int y, int width, int height, Color color, int thickness = 1, bool dashed = false);
  // Digits, '-', '.', '+', '=', 'x' and space in a 3x5 font scaled by `scale`;
  // other characters draw as blanks.
  void text(int x, int y, const std::string& text, Color color, int scale);
  static int text_width(const std::string& text, int scale) {
    return text.empty() ? 0 : static_cast<int>(text.size()) * 4 * scale - scale;
  }
  static int text_height(int scale) { return 5 * scale; }
  // Writes `text` centred in the box, at the largest scale <= max_scale that fits.
  void centered_text(int x, int y, int width, int height, const std::string& text, Color color, int max_scale);

  // Pastes `other` with its top-left corner at (x, y).
  void paste(const Frame& other, int x, int y);

  Tensor to_pixels() const;  // uint8 [H, W, 3], for data::save_png
  Tensor to_image() const;   // float32 [3, H, W] in [0, 1], for data::save_gif

 private:
  int width_, height_;
  std::vector<uint8_t> rgb_;
};

// The frames tiled `columns` per row with `gap` background pixels between them
// (a contact sheet of an animation).
Frame tile_frames(const std::vector<Frame>& frames, int columns, int gap, Color background);

// 1 -> "1", 2.5 -> "2.5", -0.25 -> "-0.25": the shortest text of a number of a small figure.
std::string number_text(double value);
// `text` right-aligned in `width` characters (wider text is kept whole).
std::string right_aligned(const std::string& text, size_t width);
// The length of the longest number_text among `values`.
size_t widest_number(const std::vector<double>& values);

}  // namespace gs::apps
