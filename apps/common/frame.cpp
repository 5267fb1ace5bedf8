#include "apps/common/frame.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "tensor/error.h"

namespace gs::apps {
namespace {

// 3x5 glyphs, one row per entry, the 3 low bits left to right (4 = left pixel).
struct Glyph {
  char character;
  uint8_t rows[5];
};
constexpr Glyph kFont[] = {
    {'0', {7, 5, 5, 5, 7}}, {'1', {2, 6, 2, 2, 7}}, {'2', {7, 1, 7, 4, 7}}, {'3', {7, 1, 7, 1, 7}},
    {'4', {5, 5, 7, 1, 1}}, {'5', {7, 4, 7, 1, 7}}, {'6', {7, 4, 7, 5, 7}}, {'7', {7, 1, 1, 1, 1}},
    {'8', {7, 5, 7, 5, 7}}, {'9', {7, 5, 7, 1, 7}}, {'-', {0, 0, 7, 0, 0}}, {'.', {0, 0, 0, 0, 2}},
    {'+', {0, 2, 7, 2, 0}}, {'=', {0, 7, 0, 7, 0}}, {'x', {0, 5, 2, 5, 0}},
};

const Glyph* find_glyph(char character) {
  for (const Glyph& glyph : kFont)
    if (glyph.character == character) return &glyph;
  return nullptr;
}

}  // namespace

Frame::Frame(int width, int height, Color background) : width_(width), height_(height) {
  check(width > 0 && height > 0, "Frame: size must be positive, got ", width, "x", height);
  rgb_.resize(static_cast<size_t>(width) * height * 3);
  fill_rect(0, 0, width, height, background);
}

Color Frame::at(int x, int y) const {
  const size_t at = (static_cast<size_t>(y) * width_ + x) * 3;
  return {rgb_[at], rgb_[at + 1], rgb_[at + 2]};
}

void Frame::fill_rect(int x, int y, int width, int height, Color color) {
  const int x0 = std::max(x, 0), x1 = std::min(x + width, width_);
  const int y0 = std::max(y, 0), y1 = std::min(y + height, height_);
  for (int row = y0; row < y1; ++row)
    for (int col = x0; col < x1; ++col) {
      uint8_t* pixel = &rgb_[(static_cast<size_t>(row) * width_ + col) * 3];
      pixel[0] = color.r, pixel[1] = color.g, pixel[2] = color.b;
    }
}

void Frame::outline_rect(int x, int y, int width, int height, Color color, int thickness, bool dashed) {
  // Walk the border pixel by pixel so a dash pattern runs continuously around it.
  for (int t = 0; t < thickness; ++t) {
    const int left = x + t, top = y + t, right = x + width - 1 - t, bottom = y + height - 1 - t;
    if (left > right || top > bottom) return;
    for (int col = left; col <= right; ++col) {
      if (dashed && (col - left) % 6 >= 3) continue;
      fill_rect(col, top, 1, 1, color);
      fill_rect(col, bottom, 1, 1, color);
    }
    for (int row = top; row <= bottom; ++row) {
      if (dashed && (row - top) % 6 >= 3) continue;
      fill_rect(left, row, 1, 1, color);
      fill_rect(right, row, 1, 1, color);
    }
  }
}

void Frame::text(int x, int y, const std::string& text, Color color, int scale) {
  for (size_t i = 0; i < text.size(); ++i) {
    const Glyph* glyph = find_glyph(text[i]);
    if (!glyph) continue;
    const int left = x + static_cast<int>(i) * 4 * scale;
    for (int row = 0; row < 5; ++row)
      for (int col = 0; col < 3; ++col)
        if (glyph->rows[row] & (4 >> col)) fill_rect(left + col * scale, y + row * scale, scale, scale, color);
  }
}

void Frame::centered_text(int x, int y, int width, int height, const std::string& text, Color color, int max_scale) {
  int scale = max_scale;
  while (scale > 1 && (text_width(text, scale) > width - 2 || text_height(scale) > height - 2)) --scale;
  this->text(x + (width - text_width(text, scale)) / 2, y + (height - text_height(scale)) / 2, text, color, scale);
}

void Frame::paste(const Frame& other, int x, int y) {
  for (int row = 0; row < other.height_; ++row)
    for (int col = 0; col < other.width_; ++col) fill_rect(x + col, y + row, 1, 1, other.at(col, row));
}

Tensor Frame::to_pixels() const { return tensor(rgb_, {height_, width_, 3}); }

Tensor Frame::to_image() const {
  std::vector<float> planes(rgb_.size());
  const size_t pixels = static_cast<size_t>(width_) * height_;
  for (size_t p = 0; p < pixels; ++p)
    for (size_t c = 0; c < 3; ++c) planes[c * pixels + p] = rgb_[p * 3 + c] / 255.0f;
  return tensor(planes, {3, height_, width_});
}

Frame tile_frames(const std::vector<Frame>& frames, int columns, int gap, Color background) {
  check(!frames.empty() && columns > 0, "tile_frames: needs at least one frame and one column");
  const int cell_width = frames[0].width(), cell_height = frames[0].height();
  const int count = static_cast<int>(frames.size());
  const int rows = (count + columns - 1) / columns, used_columns = std::min(columns, count);
  Frame sheet(used_columns * (cell_width + gap) + gap, rows * (cell_height + gap) + gap, background);
  for (int i = 0; i < count; ++i)
    sheet.paste(frames[i], gap + (i % columns) * (cell_width + gap), gap + (i / columns) * (cell_height + gap));
  return sheet;
}

std::string number_text(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", std::abs(value) < 1e-12 ? 0.0 : value);
  return buffer;
}

std::string right_aligned(const std::string& text, size_t width) {
  return std::string(width > text.size() ? width - text.size() : 0, ' ') + text;
}

size_t widest_number(const std::vector<double>& values) {
  size_t widest = 1;
  for (double value : values) widest = std::max(widest, number_text(value).size());
  return widest;
}

}  // namespace gs::apps
