// padding_demo: one convolution (or transposed convolution) for a lecture.
// Prints the output size, the formula that gives it and the relationship of
// Dumoulin & Visin's "A guide to convolution arithmetic for deep learning"
// (2016) it is; steps through it in the terminal (--step); draws it as an
// animated GIF (--gif) or a sheet of frames (--png); prints a handout table
// of output sizes (--table). Every number shown is checked against the
// framework's own F::conv2d / F::conv_transpose2d.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <iostream>

#include "apps/common/cli.h"
#include "apps/padding_demo/table.h"
#include "apps/padding_demo/views.h"
#include "data/gif.h"
#include "data/image.h"

using namespace gs;
using namespace gs::apps;
using conv_arithmetic::ConvDim;

namespace {

struct Options {
  ConvDim dim;
  std::string padding = "valid", input = "ramp", image, gif, png;
  bool step = false, table = false;
  bool table_pad_given = false;  // --table-pad on the command line
  int delay = 80;
  TableRanges ranges;
};

// The example input, n x n values row by row.
std::vector<double> make_input(const Options& options) {
  const int64_t n = options.dim.input;
  std::vector<double> values(static_cast<size_t>(n * n));
  if (!options.image.empty()) {
    // Grayscale, nearest-neighbour resampled to n x n, quantised to 0..9 so the dot products stay readable.
    const Tensor image = data::load_image(options.image, 1);
    const int64_t height = image.size(1), width = image.size(2);
    const std::vector<float> pixels = image.to_vector<float>();
    for (int64_t r = 0; r < n; ++r)
      for (int64_t c = 0; c < n; ++c)
        values[r * n + c] = std::round(9.0 * pixels[(r * height / n) * width + c * width / n]);
  } else if (options.input == "digits") {
    // The digit 7 of the figures' pixel font, stretched over the grid: 1 on the stroke, 0 elsewhere.
    Frame glyph(3, 5, Color{0, 0, 0});
    glyph.text(0, 0, "7", Color{255, 255, 255}, 1);
    for (int64_t r = 0; r < n; ++r)
      for (int64_t c = 0; c < n; ++c) values[r * n + c] = glyph.at(int(c * 3 / n), int(r * 5 / n)).r > 0 ? 1 : 0;
  } else {
    for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<double>(i + 1);
  }
  return values;
}

// Columns as wide as the widest number, so large values never run together.
void print_matrix(const std::string& title, const std::vector<double>& values, int64_t size) {
  std::cout << title << "\n";
  const size_t width = std::max<size_t>(5, widest_number(values) + 1);
  for (int64_t r = 0; r < size; ++r) {
    std::cout << " ";
    for (int64_t c = 0; c < size; ++c) std::cout << right_aligned(number_text(values[r * size + c]), width);
    std::cout << "\n";
  }
}

void describe(const ConvDim& dim) {
  using namespace conv_arithmetic;
  const int64_t out = output_size(dim);
  std::cout << (dim.transposed ? "transposed convolution" : "convolution") << ": input " << dim.input << "x"
            << dim.input << ", kernel " << dim.kernel << "x" << dim.kernel << ", stride " << dim.stride
            << ", padding " << padding_name(dim) << ", dilation " << dim.dilation;
  if (dim.output_padding) std::cout << ", output_padding " << dim.output_padding;
  std::cout << "\noutput: " << out << "x" << out << "\n"
            << "formula: " << formula(dim) << "\n"
            << "Dumoulin & Visin: " << relationship(dim) << "\n";
  if (!same_split(dim).empty()) std::cout << "padding: " << same_split(dim) << "\n";
}

// Runs the real layer on the example and checks it against the walkthrough's
// own dot products (for a transposed convolution: against F::conv2d over the
// equivalent direct convolution's grid, shown side by side).
void check_with_layers(const Walkthrough& walk, const std::vector<double>& input, const std::vector<double>& kernel) {
  const ConvDim& dim = walk.dim;
  const Tensor x = tensor(input, {1, 1, dim.input, dim.input});
  const Tensor weight = tensor(kernel, {1, 1, dim.kernel, dim.kernel});
  const F::Padding padding = conv_arithmetic::layer_padding(dim);
  std::vector<double> stepped;
  for (const Step& step : walk.steps) stepped.push_back(step.value);
  const int64_t out = walk.output_size;
  double worst = 0;
  if (!dim.transposed) {
    const std::vector<double> layer =
        F::conv2d(x, weight, Tensor(), dim.stride, padding, dim.dilation).to_vector<double>();
    print_matrix("F::conv2d(x):", layer, out);
    for (size_t i = 0; i < layer.size(); ++i) worst = std::max(worst, std::abs(layer[i] - stepped[i]));
    std::cout << "max |F::conv2d - the dot products step by step| = " << number_text(worst) << "\n";
    return;
  }
  const std::vector<double> layer =
      F::conv_transpose2d(x, weight, Tensor(), dim.stride, padding, dim.output_padding, dim.dilation)
          .to_vector<double>();
  const Tensor grid = tensor(walk.grid, {1, 1, walk.grid_size, walk.grid_size});
  const Tensor rotated = tensor(walk.kernel, {1, 1, dim.kernel, dim.kernel});
  const std::vector<double> direct =
      F::conv2d(grid, rotated, Tensor(), 1, F::Padding::valid(), dim.dilation).to_vector<double>();
  const int64_t span = conv_arithmetic::kernel_span(dim), extent = (dim.input - 1) * dim.stride + 1;
  const int64_t before = span - 1 - conv_arithmetic::padding_of(dim).before;
  std::cout << "equivalent direct convolution: stride 1 over the input with " << dim.stride - 1
            << " zero(s) inserted between cells (" << extent << "x" << extent << "), " << before
            << " zero(s) before and " << walk.grid_size - extent - before << " after (" << walk.grid_size << "x"
            << walk.grid_size << "; negative = cropped), the kernel rotated by 180 degrees\n";
  print_matrix("x:", input, dim.input);
  const size_t width = std::max<size_t>(5, std::max(widest_number(layer), widest_number(direct)) + 1);
  const size_t column = std::max<size_t>(1 + out * width, 22) + 3;
  auto row_text = [&](const std::vector<double>& values, int64_t r) {
    std::string text = " ";
    for (int64_t c = 0; c < out; ++c) text += right_aligned(number_text(values[r * out + c]), width);
    return text;
  };
  auto left_aligned = [&](const std::string& text) { return text + std::string(column - text.size(), ' '); };
  std::cout << left_aligned("F::conv_transpose2d(x)") << "F::conv2d(stretched x, rotated kernel)\n";
  for (int64_t r = 0; r < out; ++r) std::cout << left_aligned(row_text(layer, r)) << row_text(direct, r) << "\n";
  for (size_t i = 0; i < layer.size(); ++i)
    worst = std::max({worst, std::abs(layer[i] - direct[i]), std::abs(layer[i] - stepped[i])});
  std::cout << "max |F::conv_transpose2d - direct convolution| = " << number_text(worst) << "\n";
}

void step_through(const Walkthrough& walk) {
  const bool colour = isatty(STDOUT_FILENO);
  for (size_t step = 0; step < walk.steps.size(); ++step) {
    std::cout << "\n";
    print_step(std::cout, walk, step, colour);
    if (step + 1 == walk.steps.size()) break;
    std::cout << "(Enter: next step, q: quit) " << std::flush;
    std::string line;
    if (!std::getline(std::cin, line) || line == "q" || line == "Q") {
      std::cout << "\n";
      break;
    }
  }
}

// The frames of every figure are held in memory at once; past this many
// pixels in all (about 300 MB) a figure is refused before it is drawn.
constexpr double kMaxFigurePixels = 100e6;

void write_figures(const Walkthrough& walk, const Options& options) {
  const Frame first = draw_step(walk, 0);
  const double pixels = double(first.width()) * first.height() * double(walk.steps.size());
  check(pixels <= kMaxFigurePixels, "--gif/--png: ", walk.steps.size(), " frames of ", first.width(), "x",
        first.height(), " pixels are too many to draw (", pixels / 1e6, " million pixels; at most ",
        kMaxFigurePixels / 1e6, " million): choose a smaller --size, --kernel or --dilation");
  std::vector<Frame> frames = {first};
  for (size_t step = 1; step < walk.steps.size(); ++step) frames.push_back(draw_step(walk, step));
  if (!options.gif.empty()) {
    std::vector<data::GifFrame> gif;
    for (const Frame& frame : frames) gif.push_back({frame.to_image(), options.delay});
    gif.back().delay_centiseconds = options.delay * 3;  // linger on the finished output before looping
    data::save_gif(options.gif, gif);
    std::cout << "wrote " << options.gif << " (" << frames.size() << " frames, " << frames[0].width() << "x"
              << frames[0].height() << ")\n";
  }
  if (!options.png.empty()) {
    const Frame sheet = tile_frames(frames, static_cast<int>(walk.output_size), 8, Color{204, 204, 204});
    data::save_png(sheet.to_pixels(), options.png);
    std::cout << "wrote " << options.png << " (" << sheet.width() << "x" << sheet.height() << ")\n";
  }
}

void run(Options& options) {
  ConvDim& dim = options.dim;
  conv_arithmetic::parse_padding(options.padding, dim);
  if (options.table) {
    options.ranges.dilation = dim.dilation;
    if (dim.mode == conv_arithmetic::PaddingMode::Explicit && !options.table_pad_given) options.ranges.pad = dim.pad;
    print_size_table(std::cout, options.ranges);
    return;
  }
  check(dim.output_padding == 0 || (dim.transposed && (dim.mode == conv_arithmetic::PaddingMode::Explicit ||
                                                       dim.mode == conv_arithmetic::PaddingMode::Full)),
        "--output-padding only goes with --transposed and a numeric or 'full' padding");
  check(dim.output_padding < dim.stride, "--output-padding must be smaller than the stride (", dim.stride, "), got ",
        dim.output_padding);
  describe(dim);
  const std::vector<double> input = make_input(options);
  const std::vector<double> kernel = example_kernel(dim.kernel);
  const Walkthrough walk = make_walkthrough(dim, input, kernel);
  if (!dim.transposed) print_matrix("x:", input, dim.input);
  print_matrix("kernel:", kernel, dim.kernel);
  check_with_layers(walk, input, kernel);
  if (options.step) step_through(walk);
  if (!options.gif.empty() || !options.png.empty()) write_figures(walk, options);
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  CLI::App app{
      "padding_demo: the arithmetic of one convolution (or transposed convolution) on a square input, "
      "after Dumoulin & Visin, \"A guide to convolution arithmetic for deep learning\" (2016). Prints the "
      "output size, its formula and the guide's relationship, and checks the example against the framework's "
      "F::conv2d / F::conv_transpose2d."};
  app.add_option("-i,--size", options.dim.input, "input height = width")->check(number_in(1, 32))->capture_default_str();
  app.add_option("-k,--kernel", options.dim.kernel, "kernel height = width")->check(number_in(1, 16))->capture_default_str();
  app.add_option("-s,--stride", options.dim.stride, "stride")->check(number_in(1, 8))->capture_default_str();
  app.add_option("-p,--padding", options.padding,
                 "'valid' (none), 'same' (TensorFlow's: output = ceil(input / stride), the odd zero after), "
                 "'full' (K - 1 each side) or a number of zeros on each side")
      ->capture_default_str();
  app.add_option("-d,--dilation", options.dim.dilation, "dilation: gaps between kernel taps")
      ->check(number_in(1, 8))->capture_default_str();
  app.add_flag("-t,--transposed", options.dim.transposed,
               "a transposed convolution with these arguments (the adjoint of the convolution from its output to "
               "its input), shown beside its equivalent direct convolution");
  app.add_option("--output-padding", options.dim.output_padding,
                 "transposed with numeric or 'full' padding: extra rows/columns after (PyTorch's output_padding)")
      ->check(number_in(0, 7))->capture_default_str();
  app.add_option("--input", options.input, "example input: 'ramp' (1, 2, 3, ... row by row) or 'digits' (the digit 7 in 0/1)")
      ->check(CLI::IsMember({"ramp", "digits"}))->capture_default_str();
  app.add_option("--image", options.image, "example input from an image file (PNG, JPEG...), grayscale, resized to "
                                           "the input size, values 0..9")
      ->check(CLI::ExistingFile);
  app.add_flag("--step", options.step, "step through the output cells in the terminal: Enter for the next, q to quit "
                                       "(ANSI colour when stdout is a terminal)");
  app.add_option("--gif", options.gif, "write the animation, one frame per output cell, to this GIF file");
  app.add_option("--png", options.png, "write all the frames as one sheet to this PNG file");
  app.add_option("--delay", options.delay, "GIF frame delay in 1/100 s")->check(number_in(1, 1000))->capture_default_str();
  app.add_flag("--table", options.table, "print a handout table of output sizes (uses --padding's number as p if "
                                         "numeric, --dilation, and the --table-* lists) and nothing else");
  app.add_option("--table-inputs", options.ranges.inputs, "input sizes for --table, comma separated")->delimiter(',')->check(number_in(1, 4096))->capture_default_str();
  app.add_option("--table-kernels", options.ranges.kernels, "kernel sizes for --table")->delimiter(',')->check(number_in(1, 64))->capture_default_str();
  app.add_option("--table-strides", options.ranges.strides, "strides for --table")->delimiter(',')->check(number_in(1, 64))->capture_default_str();
  app.add_option("--table-pad", options.ranges.pad, "the numeric padding column of --table")->check(number_in(0, 64))->capture_default_str();
  parse_errors_in_one_line(app, "padding_demo");
  CLI11_PARSE(app, argc, argv);
  options.table_pad_given = app.count("--table-pad") > 0;
  return run_reporting_errors("padding_demo", [&] { run(options); });
}
