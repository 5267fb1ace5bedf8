// The two ranges image tensors live in. Readers scale bytes 0..255 into one of
// them; the PNG and GIF writers map it back to 0..255.
//   kMinusOneToOne: x = byte / 127.5 - 1, the range of tanh, so a GAN generator
//                   ending in tanh can produce exactly what the data holds.
//   kZeroToOne:     x = byte / 255, the range of sigmoid and of torchvision's ToTensor.
#pragma once
#include <cstdint>

namespace gs::data {

enum class PixelRange { kMinusOneToOne, kZeroToOne };

inline float byte_to_pixel(uint8_t byte, PixelRange range) {
  return range == PixelRange::kMinusOneToOne ? static_cast<float>(byte) / 127.5f - 1.0f
                                             : static_cast<float>(byte) / 255.0f;
}

// Nearest byte, clamped: values outside the range saturate instead of wrapping.
inline uint8_t pixel_to_byte(double value, PixelRange range) {
  const double unit = range == PixelRange::kMinusOneToOne ? (value + 1.0) * 0.5 : value;
  const double scaled = unit * 255.0 + 0.5;
  if (!(scaled > 0.0)) return 0;  // also catches NaN
  if (scaled >= 255.0) return 255;
  return static_cast<uint8_t>(scaled);
}

}  // namespace gs::data
