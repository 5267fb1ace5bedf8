#include "nn/virtual_batch_norm.h"

#include <algorithm>

namespace gs::nn {
namespace {

// [C] -> [1, C] or [1, C, 1, 1], to broadcast against x.
Tensor per_channel(const Tensor& t, int64_t dims) {
  Shape shape(dims, 1);
  shape[1] = t.size(0);
  return t.reshape(shape);
}

Tensor normalise(const Tensor& x, const Tensor& mean, const Tensor& mean_square, double eps) {
  return (x - mean) / sqrt(mean_square - square(mean) + eps);
}

}  // namespace

Tensor virtual_batch_norm(const Tensor& x, int64_t reference_size, const Tensor& gamma, const Tensor& beta,
                          double eps) {
  check((x.dim() == 2 || x.dim() == 4) && reference_size > 0 && x.size(0) >= reference_size,
        "virtual_batch_norm: expects x [N, C] or [N, C, H, W] whose first ", reference_size,
        " rows are the reference batch, got ", shape_str(x.shape()));
  const int64_t rows = x.size(0), samples = rows - reference_size;
  Shape own_dims, all_dims{0};  // a sample's own statistics: over H, W; the reference batch's: also over N
  for (int64_t d = 2; d < x.dim(); ++d) {
    own_dims.push_back(d);
    all_dims.push_back(d);
  }
  const Tensor reference = x.narrow(0, 0, reference_size);
  const Tensor reference_mean = mean(reference, all_dims, true), reference_square = mean(square(reference), all_dims, true);
  std::vector<Tensor> parts{normalise(reference, reference_mean, reference_square, eps)};
  if (samples > 0) {
    const Tensor own = x.narrow(0, reference_size, samples);
    const Tensor own_mean = own_dims.empty() ? own : mean(own, own_dims, true);
    const Tensor own_square = own_dims.empty() ? square(own) : mean(square(own), own_dims, true);
    const double own_weight = 1.0 / (reference_size + 1), reference_weight = 1.0 - own_weight;
    parts.push_back(normalise(own, reference_weight * reference_mean + own_weight * own_mean,
                              reference_weight * reference_square + own_weight * own_square, eps));
  }
  Tensor y = cat(parts, 0);
  if (gamma.defined()) y = y * per_channel(gamma, x.dim());
  if (beta.defined()) y = y + per_channel(beta, x.dim());
  return y;
}

VirtualBatchNorm::VirtualBatchNorm(int64_t num_features, int64_t reference_size_, int64_t input_dims, double eps_)
    : reference_size(reference_size_), eps(eps_), input_dims_(input_dims) {
  check(num_features > 0 && reference_size > 0 && (input_dims == 2 || input_dims == 4),
        "VirtualBatchNorm: needs num_features > 0, reference_size > 0 and input_dims 2 or 4, got ", num_features,
        ", ", reference_size, ", ", input_dims);
  weight = register_parameter("weight", ones({num_features}));
  bias = register_parameter("bias", zeros({num_features}));
}

Tensor VirtualBatchNorm::forward(const Tensor& input) {
  check(input.dim() == input_dims_ && input.size(1) == weight.size(0), "VirtualBatchNorm(", weight.size(0),
        "): expects ", input_dims_ == 2 ? "[N, C]" : "[N, C, H, W]", " with C = ", weight.size(0), ", got ",
        shape_str(input.shape()));
  return virtual_batch_norm(input, reference_size, weight, bias, eps);
}

PrependReference::PrependReference(Tensor reference_input) {
  check(reference_input.defined() && reference_input.dim() >= 1 && reference_input.size(0) > 0,
        "PrependReference: needs a reference batch of at least one row");
  reference = register_buffer("reference", reference_input);
}

Tensor PrependReference::forward(const Tensor& input) {
  // Rows of any count, each of the reference rows' shape.
  const Shape input_shape = input.shape(), reference_shape = reference.shape();
  const bool rows_fit = input.dim() == reference.dim() &&
                        std::equal(input_shape.begin() + 1, input_shape.end(), reference_shape.begin() + 1);
  check(rows_fit, "PrependReference: the input ", shape_str(input_shape), " does not fit the reference batch ",
        shape_str(reference_shape));
  return cat({reference, input}, 0);
}

Tensor DropReference::forward(const Tensor& input) {
  check(input.dim() >= 1 && input.size(0) >= reference_size, "DropReference: expects at least the ", reference_size,
        " reference rows, got ", shape_str(input.shape()));
  return input.narrow(0, reference_size, input.size(0) - reference_size);
}

}  // namespace gs::nn
