// PNG grids and animated GIFs decode again (stb_image, giflib) to the pixels written.
#include <gif_lib.h>

#include <cmath>

#include "data/gif.h"
#include "data/image.h"
#include "tests/data_fixtures.h"
#include "tests/helpers.h"

using namespace gs;
using namespace gs::data;
using gs::testing::error_message;
using gs::testing::TempDir;

namespace {

// N images [N, C, H, W] whose byte at (n, c, y, x) is a known function, stored in [-1, 1].
uint8_t byte_at(int64_t n, int64_t c, int64_t y, int64_t x) { return static_cast<uint8_t>(40 * n + 90 * c + 17 * y + 5 * x + 1); }

Tensor known_images(int64_t n, int64_t channels, int64_t h, int64_t w) {
  Tensor images = empty({n, channels, h, w}, kFloat32);
  float* p = images.data<float>();
  for (int64_t i = 0; i < n; ++i)
    for (int64_t c = 0; c < channels; ++c)
      for (int64_t y = 0; y < h; ++y)
        for (int64_t x = 0; x < w; ++x) *p++ = byte_to_pixel(byte_at(i, c, y, x), PixelRange::kMinusOneToOne);
  return images;
}

}  // namespace

TEST_CASE("save_image_grid tiles like torchvision's make_grid and the PNG decodes to the same bytes") {
  TempDir dir;
  for (int64_t channels : {1, 3}) {
    INFO("channels: " << channels);
    const Tensor images = known_images(5, channels, 4, 3);
    const std::string path = dir.file("grid.png");
    save_image_grid(images, path, /*nrow=*/2, PixelRange::kMinusOneToOne, /*padding=*/2);
    // 2 columns, 3 rows of 4x3 tiles with 2 pixels of padding around each.
    const Tensor decoded = load_image(path, 0, PixelRange::kZeroToOne);
    REQUIRE(decoded.shape() == Shape{channels, 3 * (4 + 2) + 2, 2 * (3 + 2) + 2});
    const std::vector<float> pixels = decoded.to_vector<float>();
    const int64_t height = decoded.size(1), width = decoded.size(2);
    auto byte = [&](int64_t c, int64_t y, int64_t x) { return std::lround(pixels[(c * height + y) * width + x] * 255); };
    for (int64_t n = 0; n < 5; ++n) {
      const int64_t top = 2 + (n / 2) * 6, left = 2 + (n % 2) * 5;
      for (int64_t c = 0; c < channels; ++c)
        for (int64_t y = 0; y < 4; ++y)
          for (int64_t x = 0; x < 3; ++x) REQUIRE(byte(c, top + y, left + x) == byte_at(n, c, y, x));
    }
    CHECK(byte(0, 0, 0) == 0);             // padding is black
    CHECK(byte(0, 14, 7 + 2 + 1) == 0);    // and so is the empty sixth cell
  }
}

TEST_CASE("pixel values outside the range saturate instead of wrapping") {
  CHECK(pixel_to_byte(-3.0, PixelRange::kMinusOneToOne) == 0);
  CHECK(pixel_to_byte(7.0, PixelRange::kMinusOneToOne) == 255);
  CHECK(pixel_to_byte(0.0, PixelRange::kMinusOneToOne) == 128);
  CHECK(pixel_to_byte(0.5, PixelRange::kZeroToOne) == 128);
  CHECK(pixel_to_byte(std::nan(""), PixelRange::kZeroToOne) == 0);
}

TEST_CASE("image errors name the problem") {
  TempDir dir;
  CHECK(error_message([&] { save_image_grid(zeros({2, 2, 4, 4}), dir.file("x.png")); }) ==
        "make_image_grid: images must have 1 or 3 channels, got 2 (shape [2,2,4,4])");
  const std::string not_png = dir.write("fake.png", "definitely not a picture");
  CHECK(error_message([&] { load_image(not_png); }).find(not_png + ": cannot decode the image") == 0);
}

TEST_CASE("save_gif writes a looping animation whose frames, delays and colours decode again") {
  TempDir dir;
  const GifPalette palette = default_gif_palette();
  REQUIRE(palette.size() == 256);
  // Three 6x4 RGB frames made of palette colours (multiples of 51), so the mapping is exact.
  std::vector<GifFrame> frames;
  for (int f = 0; f < 3; ++f) {
    Tensor image = empty({3, 4, 6}, kFloat32);
    float* p = image.data<float>();
    for (int c = 0; c < 3; ++c)
      for (int y = 0; y < 4; ++y)
        for (int x = 0; x < 6; ++x) *p++ = static_cast<float>(((x + y + c + f) % 6) * 51) / 255.0f;
    frames.push_back({image, 10 * (f + 1)});
  }
  const std::string path = dir.file("animation.gif");
  save_gif(path, frames);

  int error = 0;
  GifFileType* gif = DGifOpenFileName(path.c_str(), &error);
  REQUIRE(gif != nullptr);
  REQUIRE(DGifSlurp(gif) == GIF_OK);
  CHECK(gif->SWidth == 6);
  CHECK(gif->SHeight == 4);
  REQUIRE(gif->ImageCount == 3);
  bool loops_forever = false;
  for (int i = 0; i < gif->SavedImages[0].ExtensionBlockCount; ++i) {
    const ExtensionBlock& block = gif->SavedImages[0].ExtensionBlocks[i];
    if (block.Function == APPLICATION_EXT_FUNC_CODE && block.ByteCount == 11 &&
        std::string(reinterpret_cast<char*>(block.Bytes), 11) == "NETSCAPE2.0") {
      const ExtensionBlock& data = gif->SavedImages[0].ExtensionBlocks[i + 1];
      loops_forever = data.ByteCount == 3 && data.Bytes[0] == 1 && data.Bytes[1] == 0 && data.Bytes[2] == 0;
    }
  }
  CHECK(loops_forever);
  const ColorMapObject* colours = gif->SColorMap;
  REQUIRE(colours != nullptr);
  for (int f = 0; f < 3; ++f) {
    GraphicsControlBlock control;
    REQUIRE(DGifSavedExtensionToGCB(gif, f, &control) == GIF_OK);
    CHECK(control.DelayTime == 10 * (f + 1));
    const GifByteType* raster = gif->SavedImages[f].RasterBits;
    for (int y = 0; y < 4; ++y) {
      for (int x = 0; x < 6; ++x) {
        const GifColorType colour = colours->Colors[raster[y * 6 + x]];
        CHECK(colour.Red == ((x + y + 0 + f) % 6) * 51);
        CHECK(colour.Green == ((x + y + 1 + f) % 6) * 51);
        CHECK(colour.Blue == ((x + y + 2 + f) % 6) * 51);
      }
    }
  }
  DGifCloseFile(gif, &error);
}

TEST_CASE("save_gif rejects frames of different sizes") {
  TempDir dir;
  const std::string path = dir.file("bad.gif");
  CHECK(error_message([&] { save_gif(path, {{zeros({1, 4, 4})}, {zeros({1, 4, 5})}}); }) ==
        "save_gif: " + path + ": frame 1 is [1,4,5] but frame 0 is [1,4,4]; all frames must have the same size");
}
