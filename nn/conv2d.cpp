// 2-D convolution (cross-correlation, as in every deep-learning library), NCHW:
//   Y[n, o, i, j] = b[o] + sum_{c, p, q} W[o, c, p, q] X[n, c, i*s - pad + p*d, j*s - pad + q*d]
// lowered to matrix products over the whole batch (nn/im2col.h):
//   Y = W im2col(X);   dX = col2im(W^T dY),   dW = dY im2col(X)^T,   db = sum_{n,i,j} dY
#include "autograd/node.h"
#include "autograd/ops.h"
#include "nn/im2col.h"
#include "tensor/profile.h"

namespace gs::F {

Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias, Pair stride, Padding padding,
              Pair dilation) {
  check_conv_arguments("conv2d", x, weight, bias, 1, weight.defined() ? weight.size(0) : 0, stride, padding,
                       dilation);
  ProfileScope scope("conv2d forward");
  const int64_t out_channels = weight.size(0), kernel_h = weight.size(2), kernel_w = weight.size(3);
  const ConvGeometry geometry = conv_geometry(x.shape(), kernel_h, kernel_w, stride, padding, dilation);
  check(geometry.out_height > 0 && geometry.out_width > 0, "conv2d: the ", kernel_h, "x", kernel_w,
        " kernel (dilation ", dilation.h, "x", dilation.w, ") does not fit in the ", x.size(2), "x", x.size(3),
        " input with this padding");

  const Tensor weight_matrix = weight.detach().contiguous().view({out_channels, -1});
  Tensor columns = im2col(x.detach(), geometry);
  Tensor out = lowered_conv_forward(columns, weight_matrix, bias.defined() ? bias.detach() : Tensor(), geometry);

  const bool need_x = x.requires_grad(), need_weight = weight.requires_grad();
  const bool need_bias = bias.defined() && bias.requires_grad();
  record(out, "conv2d", {x, weight, bias},
         [need_x, need_weight, need_bias, geometry, weight_matrix, columns = need_weight ? columns : Tensor(),
          weight_shape = weight.shape()](const Tensor& grad) {
           ProfileScope scope("conv2d backward");
           const PixelMatrix grad_pixels = pixel_matrix(grad);
           Tensor dx = need_x ? lowered_conv_input_grad(grad_pixels, weight_matrix, geometry) : Tensor();
           Tensor dweight = need_weight ? lowered_conv_weight_grad(grad_pixels, columns).view(weight_shape) : Tensor();
           Tensor dbias = need_bias ? channel_sums(grad_pixels) : Tensor();
           return std::vector<Tensor>{dx, dweight, dbias};
         });
  return out;
}

}  // namespace gs::F
