#include "data/gif.h"

#include <gif_lib.h>

#include <climits>

#include "tensor/error.h"
#include "tensor/file_io.h"

namespace gs::data {
namespace {

// giflib writes through this callback, so the file can be written atomically at the end.
int append_to_string(GifFileType* gif, const GifByteType* bytes, int size) {
  static_cast<std::string*>(gif->UserData)->append(reinterpret_cast<const char*>(bytes), static_cast<size_t>(size));
  return size;
}

// Index of the palette colour nearest to (r, g, b) in squared RGB distance.
uint8_t nearest_colour(const GifPalette& palette, int r, int g, int b) {
  int best = 0, best_distance = INT_MAX;
  for (size_t i = 0; i < palette.size(); ++i) {
    const int dr = r - palette[i][0], dg = g - palette[i][1], db = b - palette[i][2];
    const int distance = dr * dr + dg * dg + db * db;
    if (distance < best_distance) best = static_cast<int>(i), best_distance = distance;
  }
  return static_cast<uint8_t>(best);
}

void check_gif(int status, GifFileType* gif, const std::string& path, const char* step) {
  if (status == GIF_OK) return;
  const int code = gif->Error;
  int ignored = 0;
  EGifCloseFile(gif, &ignored);
  fail("save_gif: ", path, ": giflib failed to ", step, " (", GifErrorString(code), ")");
}

}  // namespace

GifPalette default_gif_palette() {
  GifPalette palette;
  for (int r = 0; r < 6; ++r)
    for (int g = 0; g < 6; ++g)
      for (int b = 0; b < 6; ++b) palette.push_back({uint8_t(51 * r), uint8_t(51 * g), uint8_t(51 * b)});
  for (int i = 0; i < 40; ++i) {
    const auto gray = static_cast<uint8_t>((255 * i + 19) / 39);
    palette.push_back({gray, gray, gray});
  }
  return palette;
}

void save_gif(const std::string& path, const std::vector<GifFrame>& frames, PixelRange range,
              const GifPalette& palette) {
  check(!frames.empty(), "save_gif: ", path, ": no frames");
  check(palette.size() >= 2 && palette.size() <= 256, "save_gif: the palette must hold 2 to 256 colours, not ",
        palette.size());
  const Tensor& first = frames[0].image;
  check(first.dim() == 3 && (first.size(0) == 1 || first.size(0) == 3), "save_gif: ", path,
        ": frames must be [C, H, W] with C = 1 or 3, got ", shape_str(first.shape()));
  const int height = static_cast<int>(first.size(1)), width = static_cast<int>(first.size(2));
  check(height > 0 && width > 0 && height <= 65535 && width <= 65535, "save_gif: ", path,
        ": a GIF is 1 to 65535 pixels on a side, not ", height, " x ", width);

  // GIF colour tables have a power-of-two size: pad the palette with black.
  int table_size = 2, bits = 1;
  while (table_size < static_cast<int>(palette.size())) table_size *= 2, ++bits;
  std::vector<GifColorType> colours(table_size, GifColorType{0, 0, 0});
  for (size_t i = 0; i < palette.size(); ++i) colours[i] = {palette[i][0], palette[i][1], palette[i][2]};
  ColorMapObject* colour_map = GifMakeMapObject(table_size, colours.data());

  std::string bytes;
  int error = 0;
  GifFileType* gif = EGifOpen(&bytes, append_to_string, &error);
  if (gif == nullptr) {
    GifFreeMapObject(colour_map);
    fail("save_gif: ", path, ": giflib could not start (", GifErrorString(error), ")");
  }
  EGifSetGifVersion(gif, true);  // GIF89a: needed for delays and looping
  const int screen_status = EGifPutScreenDesc(gif, width, height, bits, 0, colour_map);
  GifFreeMapObject(colour_map);  // giflib keeps its own copy
  check_gif(screen_status, gif, path, "write the screen descriptor");

  // The NETSCAPE2.0 application extension with loop count 0 = repeat forever.
  static const char kNetscape[] = "NETSCAPE2.0";
  static const unsigned char kLoopForever[] = {1, 0, 0};
  check_gif(EGifPutExtensionLeader(gif, APPLICATION_EXT_FUNC_CODE), gif, path, "start the loop extension");
  check_gif(EGifPutExtensionBlock(gif, 11, kNetscape), gif, path, "write the loop extension");
  check_gif(EGifPutExtensionBlock(gif, 3, kLoopForever), gif, path, "write the loop extension");
  check_gif(EGifPutExtensionTrailer(gif), gif, path, "end the loop extension");

  std::vector<GifPixelType> line(width);
  for (size_t f = 0; f < frames.size(); ++f) {
    const Tensor& image = frames[f].image;
    if (image.shape() != first.shape()) {
      int ignored = 0;
      EGifCloseFile(gif, &ignored);
      fail("save_gif: ", path, ": frame ", f, " is ", shape_str(image.shape()), " but frame 0 is ",
           shape_str(first.shape()), "; all frames must have the same size");
    }
    GraphicsControlBlock control{};
    control.DisposalMode = DISPOSE_DO_NOT;
    control.DelayTime = frames[f].delay_centiseconds;
    control.TransparentColor = NO_TRANSPARENT_COLOR;
    GifByteType extension[4];
    const size_t extension_size = EGifGCBToExtension(&control, extension);
    check_gif(EGifPutExtension(gif, GRAPHICS_EXT_FUNC_CODE, static_cast<int>(extension_size), extension), gif, path,
              "write a frame delay");
    check_gif(EGifPutImageDesc(gif, 0, 0, width, height, false, nullptr), gif, path, "start a frame");

    const std::vector<double> values = image.to_vector<double>();
    const int64_t plane = int64_t{height} * width;
    const bool gray = image.size(0) == 1;
    for (int y = 0; y < height; ++y) {
      for (int x = 0; x < width; ++x) {
        const int64_t at = int64_t{y} * width + x;
        const int r = pixel_to_byte(values[at], range);
        const int g = gray ? r : pixel_to_byte(values[plane + at], range);
        const int b = gray ? r : pixel_to_byte(values[2 * plane + at], range);
        line[x] = nearest_colour(palette, r, g, b);
      }
      check_gif(EGifPutLine(gif, line.data(), width), gif, path, "write pixels");
    }
  }
  check(EGifCloseFile(gif, &error) == GIF_OK, "save_gif: ", path, ": giflib failed to finish (",
        GifErrorString(error), ")");
  write_file_atomic(path, bytes);
}

}  // namespace gs::data
