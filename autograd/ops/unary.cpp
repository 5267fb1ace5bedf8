// Element-wise functions y = f(x). Forward and derivative are both backend
// kernels (tensor/cpu/elementwise.cpp lists every f and f' side by side);
// here each op is wired into the graph: dx = dy * f'(x).
#include "autograd/node.h"
#include "autograd/ops.h"
#include "autograd/ops/op_helpers.h"

namespace gs {
namespace {

Tensor unary_op(UnaryOp op, const char* name, const Tensor& x, UnaryParams params = {}) {
  check_floating(name, x);
  Tensor out = empty(x.shape(), x.options());
  backend_of(x).unary(op, x, out, params);
  record(out, name, {x}, [op, params, x = x.detach(), y = out.detach()](const Tensor& g) {
    Tensor dx = empty(x.shape(), x.options());
    backend_of(x).unary_backward(op, x, y, g, dx, params);
    return std::vector<Tensor>{dx};
  });
  return out;
}

}  // namespace

Tensor neg(const Tensor& x) { return unary_op(UnaryOp::Neg, "neg", x); }                 // dx = -dy
Tensor exp(const Tensor& x) { return unary_op(UnaryOp::Exp, "exp", x); }                 // dx = dy y
Tensor log(const Tensor& x) { return unary_op(UnaryOp::Log, "log", x); }                 // dx = dy / x
Tensor sqrt(const Tensor& x) { return unary_op(UnaryOp::Sqrt, "sqrt", x); }              // dx = dy / 2y
Tensor abs(const Tensor& x) { return unary_op(UnaryOp::Abs, "abs", x); }                 // dx = dy sign(x)
Tensor square(const Tensor& x) { return unary_op(UnaryOp::Square, "square", x); }        // dx = 2x dy
Tensor reciprocal(const Tensor& x) { return unary_op(UnaryOp::Reciprocal, "reciprocal", x); }  // dx = -y^2 dy
Tensor tanh(const Tensor& x) { return unary_op(UnaryOp::Tanh, "tanh", x); }              // dx = (1 - y^2) dy
Tensor sigmoid(const Tensor& x) { return unary_op(UnaryOp::Sigmoid, "sigmoid", x); }     // dx = y (1 - y) dy
Tensor relu(const Tensor& x) { return unary_op(UnaryOp::Relu, "relu", x); }              // dx = [x > 0] dy
Tensor softplus(const Tensor& x) { return unary_op(UnaryOp::Softplus, "softplus", x); }  // dx = sigmoid(x) dy
Tensor sign(const Tensor& x) { return unary_op(UnaryOp::Sign, "sign", x); }              // dx = 0
// dx = dy for x > 0, slope * dy otherwise
Tensor leaky_relu(const Tensor& x, double negative_slope) {
  return unary_op(UnaryOp::LeakyRelu, "leaky_relu", x, {negative_slope, 0});
}
// dx = p x^(p-1) dy
Tensor pow(const Tensor& x, double exponent) { return unary_op(UnaryOp::PowScalar, "pow", x, {exponent, 0}); }
// dx = dy inside [low, high], 0 outside
Tensor clamp(const Tensor& x, double low, double high) {
  check(low <= high, "clamp: low (", low, ") must not exceed high (", high, ")");
  return unary_op(UnaryOp::Clamp, "clamp", x, {low, high});
}

Tensor Tensor::exp() const { return gs::exp(*this); }
Tensor Tensor::log() const { return gs::log(*this); }
Tensor Tensor::sqrt() const { return gs::sqrt(*this); }
Tensor Tensor::abs() const { return gs::abs(*this); }
Tensor Tensor::tanh() const { return gs::tanh(*this); }
Tensor Tensor::sigmoid() const { return gs::sigmoid(*this); }
Tensor Tensor::relu() const { return gs::relu(*this); }
Tensor Tensor::pow(double exponent) const { return gs::pow(*this, exponent); }

}  // namespace gs
