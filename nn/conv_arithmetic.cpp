// Output sizes and their formulas, following the numbered relationships of
// Dumoulin & Visin, "A guide to convolution arithmetic for deep learning"
// (arXiv:1603.07285): 1-6 convolution, 8-14 transposed convolution, 15 dilation.
#include "nn/conv_arithmetic.h"

#include <cctype>
#include <map>
#include <sstream>

#include "autograd/ops.h"

namespace gs::conv_arithmetic {
namespace {

// A formula written with {i} {k} {s} {p} {a} {P} placeholders, shown twice:
// with the symbols, then with the numbers ("2{p}" becomes "2p", then "2*1").
struct Formula {
  std::string text;
  std::string relationship;
};

std::string substitute(const std::string& text, const std::map<char, std::string>& values) {
  std::string out;
  for (size_t at = 0; at < text.size(); ++at) {
    if (text[at] != '{') {
      out += text[at];
      continue;
    }
    const std::string& value = values.at(text[at + 1]);
    const bool numeric = std::isdigit(static_cast<unsigned char>(value[0]));
    if (numeric && !out.empty() && std::isdigit(static_cast<unsigned char>(out.back()))) out += '*';
    out += value;
    at += 2;
    if (numeric && at + 1 < text.size() && text[at + 1] == '(') out += '*';
  }
  return out;
}

bool is_half_padding(const ConvDim& dim, int64_t pad) {
  const int64_t span = kernel_span(dim);
  return span % 2 == 1 && pad == span / 2;
}

Formula convolution_formula(const ConvDim& dim) {
  const int64_t pad = padding_of(dim).before;
  switch (dim.mode) {
    case PaddingMode::Valid:
      if (dim.stride == 1) return {"{i} - {k} + 1", "Relationship 1 (no zero padding, unit strides)"};
      return {"floor(({i} - {k}) / {s}) + 1", "Relationship 5 (no zero padding, non-unit strides)"};
    case PaddingMode::Same:
      if (dim.stride == 1 && is_half_padding(dim, pad))
        return {"{i}", "Relationship 3 (half padding, unit strides): p = floor(k / 2)"};
      return {"floor(({i} + {P} - {k}) / {s}) + 1 = ceil({i} / {s})",
              "Relationship 6 (zero padding, non-unit strides) with P = p_before + p_after in place of 2p"};
    case PaddingMode::Full:
      if (dim.stride == 1) return {"{i} + ({k} - 1)", "Relationship 4 (full padding, unit strides): p = k - 1"};
      return {"floor(({i} + 2{p} - {k}) / {s}) + 1", "Relationship 6 (zero padding, non-unit strides), p = k - 1"};
    case PaddingMode::Explicit: break;
  }
  if (dim.stride == 1 && is_half_padding(dim, pad))
    return {"{i}", "Relationship 3 (half padding, unit strides): p = floor(k / 2)"};
  if (dim.stride == 1) return {"({i} - {k}) + 2{p} + 1", "Relationship 2 (zero padding, unit strides)"};
  return {"floor(({i} + 2{p} - {k}) / {s}) + 1", "Relationship 6 (zero padding, non-unit strides)"};
}

Formula transposed_formula(const ConvDim& dim) {
  const int64_t pad = padding_of(dim).before;
  switch (dim.mode) {
    case PaddingMode::Valid:
      if (dim.stride == 1) return {"{i} + ({k} - 1)", "Relationship 8 (transpose of no padding, unit strides)"};
      return {"{s}({i} - 1) + {k}", "Relationship 12 (transpose of no padding, non-unit strides)"};
    case PaddingMode::Same:
      return {"{s}({i} - 1) + {a} + {k} - {P} = {s}*{i}",
              "Relationship 14 (transpose of padding, non-unit strides) with P = p_before + p_after in place of 2p: "
              "TensorFlow's 'same' is the transpose of the 'same' convolution from s*i to i"};
    case PaddingMode::Full:
      if (dim.stride == 1 && dim.output_padding == 0)
        return {"{i} - ({k} - 1)", "Relationship 11 (transpose of full padding, unit strides)"};
      break;
    case PaddingMode::Explicit:
      if (dim.stride == 1 && is_half_padding(dim, pad))
        return {"{i}", "Relationship 10 (transpose of half padding, unit strides)"};
      if (dim.stride == 1) return {"{i} + ({k} - 1) - 2{p}", "Relationship 9 (transpose of zero padding, unit strides)"};
      break;
  }
  if (dim.output_padding == 0)
    return {"{s}({i} - 1) + {k} - 2{p}", "Relationship 13 (transpose of padding, non-unit strides, (i + 2p - k) % s = 0)"};
  return {"{s}({i} - 1) + {a} + {k} - 2{p}",
          "Relationship 14 (transpose of padding, non-unit strides), a = output_padding"};
}

}  // namespace

int64_t kernel_span(const ConvDim& dim) { return dim.dilation * (dim.kernel - 1) + 1; }

F::SamePadding padding_of(const ConvDim& dim) {
  switch (dim.mode) {
    case PaddingMode::Valid: return {0, 0};
    case PaddingMode::Full: return {kernel_span(dim) - 1, kernel_span(dim) - 1};
    case PaddingMode::Explicit: return {dim.pad, dim.pad};
    case PaddingMode::Same: break;
  }
  const int64_t convolution_input = dim.transposed ? dim.input * dim.stride : dim.input;
  return F::same_padding(convolution_input, dim.kernel, dim.stride, dim.dilation);
}

int64_t output_size(const ConvDim& dim) {
  const F::SamePadding pads = padding_of(dim);
  if (!dim.transposed) return F::conv_output_size(dim.input, dim.kernel, dim.stride, pads.before, pads.after, dim.dilation);
  if (dim.mode == PaddingMode::Same) return dim.input * dim.stride;
  const int64_t size =
      (dim.input - 1) * dim.stride + kernel_span(dim) - pads.before - pads.after + dim.output_padding;
  return std::max<int64_t>(size, 0);
}

std::string relationship(const ConvDim& dim) {
  std::string name = dim.transposed ? transposed_formula(dim).relationship : convolution_formula(dim).relationship;
  if (dim.dilation > 1) name += "; dilated kernel K = k + (k - 1)(d - 1) in place of k (Relationship 15)";
  return name;
}

std::string formula(const ConvDim& dim) {
  const std::string text = dim.transposed ? transposed_formula(dim).text : convolution_formula(dim).text;
  const F::SamePadding pads = padding_of(dim);
  const std::string prime = dim.transposed ? "'" : "";
  const int64_t a = dim.mode == PaddingMode::Same
                        ? output_size(dim) - ((dim.input - 1) * dim.stride + kernel_span(dim) - pads.before - pads.after)
                        : dim.output_padding;
  const std::map<char, std::string> symbols = {{'i', "i" + prime}, {'k', dim.dilation > 1 ? "K" : "k"},
                                               {'s', "s"}, {'p', "p"}, {'a', "a"}, {'P', "P"}};
  const std::map<char, std::string> numbers = {
      {'i', std::to_string(dim.input)},          {'k', std::to_string(kernel_span(dim))},
      {'s', std::to_string(dim.stride)},         {'p', std::to_string(pads.before)},
      {'a', std::to_string(a)},                  {'P', std::to_string(pads.before + pads.after)}};
  std::ostringstream out;
  const std::string with_numbers = substitute(text, numbers), result = std::to_string(output_size(dim));
  out << "o" << prime << " = " << substitute(text, symbols) << " = " << with_numbers;
  if (with_numbers != result) out << " = " << result;
  return out.str();
}

std::string same_split(const ConvDim& dim) {
  if (dim.mode != PaddingMode::Same) return "";
  const F::SamePadding pads = padding_of(dim);
  const int64_t convolution_input = dim.transposed ? dim.input * dim.stride : dim.input;
  const int64_t convolution_output = dim.transposed ? dim.input : output_size(dim);
  std::ostringstream out;
  out << "'same' needs P = max((o - 1) s + K - i, 0) = max((" << convolution_output << " - 1)*" << dim.stride << " + "
      << kernel_span(dim) << " - " << convolution_input << ", 0) = " << pads.before + pads.after
      << " zeros, split " << pads.before << " before + " << pads.after << " after"
      << (pads.after > pads.before ? " (the odd one goes after: bottom/right, as in TensorFlow)" : "");
  if (dim.transposed) out << "; the transposed convolution crops them from its output";
  return out.str();
}

F::Padding layer_padding(const ConvDim& dim) {
  switch (dim.mode) {
    case PaddingMode::Same: return F::Padding::same();
    case PaddingMode::Valid: return F::Padding::valid();
    case PaddingMode::Full: return F::Padding::symmetric(kernel_span(dim) - 1);
    case PaddingMode::Explicit: break;
  }
  return F::Padding::symmetric(dim.pad);
}

void parse_padding(const std::string& text, ConvDim& dim) {
  if (text == "same" || text == "valid" || text == "full") {
    dim.mode = text == "same" ? PaddingMode::Same : text == "valid" ? PaddingMode::Valid : PaddingMode::Full;
    return;
  }
  size_t used = 0;
  int64_t pad = -1;
  try {
    pad = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  check(used == text.size() && used > 0 && pad >= 0 && pad <= kMaxPadding,
        "padding must be 'same', 'valid', 'full' or a number from 0 to ", kMaxPadding, ", got '", text, "'");
  dim.mode = PaddingMode::Explicit;
  dim.pad = pad;
}

std::string padding_name(const ConvDim& dim) {
  switch (dim.mode) {
    case PaddingMode::Same: return "same";
    case PaddingMode::Valid: return "valid";
    case PaddingMode::Full: return "full";
    case PaddingMode::Explicit: break;
  }
  return std::to_string(dim.pad);
}

namespace {

// Every basis image e_j of a height x width image, as one batch [H*W, 1, H, W].
Tensor basis_images(int64_t height, int64_t width, const Tensor& like) {
  const int64_t pixels = height * width;
  Tensor basis = zeros({pixels, 1, height, width}, like.options());
  Tensor flat = basis.view({pixels, pixels});
  for (int64_t j = 0; j < pixels; ++j) flat.select(0, j).select(0, j).fill_(1.0);
  return basis;
}

// Responses [H*W, 1, outH, outW] to the basis images -> the matrix [outH*outW, H*W].
Tensor columns_to_matrix(const Tensor& responses) {
  return responses.reshape({responses.size(0), -1}).transpose(0, 1).contiguous();
}

}  // namespace

Tensor convolution_matrix(const Tensor& weight, int64_t height, int64_t width, F::Pair stride, F::Padding padding,
                          F::Pair dilation) {
  NoGradGuard no_grad;
  return columns_to_matrix(F::conv2d(basis_images(height, width, weight), weight, Tensor(), stride, padding, dilation));
}

Tensor transposed_convolution_matrix(const Tensor& weight, int64_t height, int64_t width, F::Pair stride,
                                     F::Padding padding, F::Pair output_padding, F::Pair dilation) {
  NoGradGuard no_grad;
  return columns_to_matrix(F::conv_transpose2d(basis_images(height, width, weight), weight, Tensor(), stride, padding,
                                               output_padding, dilation));
}

}  // namespace gs::conv_arithmetic
