// Animated GIFs through giflib (libgif-dev), for the convolution demos: a
// sequence of frames, each shown for its own delay, looping forever.
// GIF stores at most 256 colours per image, so RGB pixels are mapped to the
// nearest colour of a palette (by default a 6x6x6 colour cube plus 40 grays).
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "data/pixel_range.h"
#include "tensor/tensor.h"

namespace gs::data {

struct GifFrame {
  Tensor image;                 // [C, H, W], C = 1 (gray) or 3 (RGB), values in the writer's range
  int delay_centiseconds = 10;  // how long the frame stays on screen (GIF counts in 1/100 s)
};

using GifPalette = std::vector<std::array<uint8_t, 3>>;  // 2 to 256 RGB colours

// The 216 colours whose R, G, B are each one of 0, 51, ..., 255, then 40 evenly spaced grays.
GifPalette default_gif_palette();

// Writes the frames (all the same size) as a GIF that loops forever.
void save_gif(const std::string& path, const std::vector<GifFrame>& frames,
              PixelRange range = PixelRange::kZeroToOne, const GifPalette& palette = default_gif_palette());

}  // namespace gs::data
