// Pictures of tensors: PNG grids like torchvision.utils.save_image, and
// loading PNG/JPEG/BMP files for the demos (through stb_image, libstb-dev).
#pragma once
#include <cstdint>
#include <string>

#include "data/pixel_range.h"
#include "tensor/tensor.h"

namespace gs::data {

// Tiles images [N, C, H, W] (C = 1 or 3, values in `range`) into a grid of
// `nrow` images per row with `padding` black pixels around every tile, as
// torchvision's make_grid does. Returns bytes [rows, columns, C] uint8.
Tensor make_image_grid(const Tensor& images, int64_t nrow = 8, PixelRange range = PixelRange::kMinusOneToOne,
                       int64_t padding = 2);

// make_image_grid written as a PNG (grayscale when C = 1, RGB when C = 3).
void save_image_grid(const Tensor& images, const std::string& path, int64_t nrow = 8,
                     PixelRange range = PixelRange::kMinusOneToOne, int64_t padding = 2);

// Writes bytes [H, W, C] uint8 (C = 1, 3 or 4) as a PNG.
void save_png(const Tensor& pixels, const std::string& path);

// An image file as float32 [C, H, W] in `range`. `channels` 0 keeps the
// file's own (1 gray, 2 gray+alpha, 3 RGB, 4 RGBA); 1 or 3 converts.
Tensor load_image(const std::string& path, int channels = 0, PixelRange range = PixelRange::kZeroToOne);

}  // namespace gs::data
