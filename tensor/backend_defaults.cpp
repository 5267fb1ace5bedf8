// The fused Backend entries composed from the basic ones, for a backend that
// does not write its own: batch normalisation as reductions and element-wise
// ops, the optimizer steps as a chain of element-wise ops. Slower (many passes
// and temporaries) but needing nothing new; the fused kernels are tested
// against these. Every step runs on `this` backend.
#include "tensor/backend.h"

#include <cmath>

namespace gs {
namespace {

// Element-wise steps on one backend, each into a new tensor shaped like its first operand.
struct Steps {
  Backend& on;
  Tensor unary(UnaryOp op, const Tensor& x, double a = 0) {
    Tensor out = empty(x.shape(), x.options());
    on.unary(op, x, out, {a, 0});
    return out;
  }
  Tensor binary(BinaryOp op, const Tensor& x, const Tensor& y) {  // y broadcasts to x's shape
    Tensor out = empty(x.shape(), x.options());
    on.binary(op, x, y.expand(x.shape()), out);
    return out;
  }
  void assign(const Tensor& target, const Tensor& value) { on.copy(value, target); }
  Tensor channel_sums(const Tensor& x) {  // [N, C, S] -> [1, C, 1]
    Tensor out = empty({1, x.size(1), 1}, x.options());
    on.reduce(ReduceOp::Sum, x, {true, false, true}, out);
    return out;
  }
};

// x as [N, C, S], and a per-channel [C] tensor as [1, C, 1].
Tensor as_channels(const Tensor& x) {
  int64_t spatial = 1;
  for (int64_t d = 2; d < x.dim(); ++d) spatial *= x.size(d);
  return x.detach().view({x.size(0), x.size(1), spatial});
}
Tensor per_channel(const Tensor& t) { return t.detach().view({1, t.numel(), 1}); }

}  // namespace

void Backend::batch_norm_forward(const Tensor& x, const Tensor& gamma, const Tensor& beta, double eps,
                                 const Tensor& y, const Tensor& mean, const Tensor& variance,
                                 const Tensor& inverse_std) {
  Steps s{*this};
  const Tensor x3 = as_channels(x);
  const double count = double(x3.size(0) * x3.size(2));
  s.assign(per_channel(mean), s.unary(UnaryOp::MulScalar, s.channel_sums(x3), 1 / count));
  const Tensor centered = s.binary(BinaryOp::Sub, x3, per_channel(mean));
  const Tensor squares = s.channel_sums(s.unary(UnaryOp::Square, centered));
  s.assign(per_channel(variance), s.unary(UnaryOp::MulScalar, squares, 1 / count));
  s.assign(per_channel(inverse_std),
           s.unary(UnaryOp::Reciprocal, s.unary(UnaryOp::Sqrt, s.unary(UnaryOp::AddScalar, per_channel(variance), eps))));
  Tensor out = s.binary(BinaryOp::Mul, centered, per_channel(inverse_std));
  if (gamma.defined()) out = s.binary(BinaryOp::Mul, out, per_channel(gamma));
  if (beta.defined()) out = s.binary(BinaryOp::Add, out, per_channel(beta));
  s.assign(as_channels(y), out);
}

void Backend::batch_norm_backward(const Tensor& grad, const Tensor& x, const Tensor& mean,
                                  const Tensor& inverse_std, const Tensor& gamma, const Tensor& grad_x,
                                  const Tensor& grad_gamma, const Tensor& grad_beta) {
  Steps s{*this};
  const Tensor dy = as_channels(grad), x3 = as_channels(x);
  const double count = double(x3.size(0) * x3.size(2));
  const Tensor xhat = s.binary(BinaryOp::Mul, s.binary(BinaryOp::Sub, x3, per_channel(mean)), per_channel(inverse_std));
  const Tensor sum_dy = s.channel_sums(dy);
  const Tensor sum_dy_xhat = s.channel_sums(s.binary(BinaryOp::Mul, dy, xhat));
  if (grad_beta.defined()) s.assign(per_channel(grad_beta), sum_dy);
  if (grad_gamma.defined()) s.assign(per_channel(grad_gamma), sum_dy_xhat);
  if (!grad_x.defined()) return;
  // dX = gamma inverse_std (dY - sum dY / M - xhat sum(dY xhat) / M)
  Tensor inner = s.binary(BinaryOp::Sub, dy, s.unary(UnaryOp::MulScalar, sum_dy, 1 / count));
  inner = s.binary(BinaryOp::Sub, inner, s.binary(BinaryOp::Mul, xhat, s.unary(UnaryOp::MulScalar, sum_dy_xhat, 1 / count)));
  Tensor scale = per_channel(inverse_std);
  if (gamma.defined()) scale = s.binary(BinaryOp::Mul, per_channel(gamma), scale);
  s.assign(as_channels(grad_x), s.binary(BinaryOp::Mul, inner, scale));
}

void Backend::weight_norm_forward(const Tensor& v, const Tensor& g, const Tensor& w, const Tensor& norm) {
  Steps s{*this};
  const Tensor squares = empty({v.size(0), 1}, v.options());
  reduce(ReduceOp::Sum, s.unary(UnaryOp::Square, v), {false, true}, squares);
  s.assign(norm.view({v.size(0), 1}), s.unary(UnaryOp::Sqrt, squares));
  const Tensor scale = s.binary(BinaryOp::Div, g.detach().view({v.size(0), 1}), norm.view({v.size(0), 1}));
  s.assign(w, s.binary(BinaryOp::Mul, v, scale));
}

void Backend::weight_norm_backward(const Tensor& grad_w, const Tensor& v, const Tensor& g, const Tensor& norm,
                                   const Tensor& grad_v, const Tensor& grad_g) {
  Steps s{*this};
  const Tensor unit_norm = norm.detach().view({v.size(0), 1});
  const Tensor dot = empty({v.size(0), 1}, v.options());
  reduce(ReduceOp::Sum, s.binary(BinaryOp::Mul, grad_w, v), {false, true}, dot);
  if (grad_g.defined()) s.assign(grad_g.view({v.size(0), 1}), s.binary(BinaryOp::Div, dot, unit_norm));
  if (!grad_v.defined()) return;
  // dv = (g / norm) (dW - (dot / norm^2) v)
  const Tensor scale = s.binary(BinaryOp::Div, g.detach().view({v.size(0), 1}), unit_norm);
  const Tensor coefficient = s.binary(BinaryOp::Div, dot, s.unary(UnaryOp::Square, unit_norm));
  const Tensor inner = s.binary(BinaryOp::Sub, grad_w, s.binary(BinaryOp::Mul, v, coefficient));
  s.assign(grad_v, s.binary(BinaryOp::Mul, inner, scale));
}

void Backend::sgd_update(const Tensor& param, const Tensor& grad, const Tensor& momentum_buffer,
                         const SgdUpdate& u) {
  Steps s{*this};
  Tensor step = s.binary(BinaryOp::Add, grad, s.unary(UnaryOp::MulScalar, param, u.weight_decay));
  if (u.momentum != 0) {
    s.assign(momentum_buffer, u.first_step ? step
                                           : s.binary(BinaryOp::Add, s.unary(UnaryOp::MulScalar, momentum_buffer, u.momentum),
                                                      s.unary(UnaryOp::MulScalar, step, 1 - u.dampening)));
    step = u.nesterov ? s.binary(BinaryOp::Add, step, s.unary(UnaryOp::MulScalar, momentum_buffer, u.momentum))
                      : momentum_buffer;
  }
  s.assign(param, s.binary(BinaryOp::Sub, param, s.unary(UnaryOp::MulScalar, step, u.lr)));
}

void Backend::adam_update(const Tensor& param, const Tensor& grad, const Tensor& exp_avg, const Tensor& exp_avg_sq,
                          const AdamUpdate& u) {
  Steps s{*this};
  const Tensor g = s.binary(BinaryOp::Add, grad, s.unary(UnaryOp::MulScalar, param, u.weight_decay));
  s.assign(exp_avg, s.binary(BinaryOp::Add, s.unary(UnaryOp::MulScalar, exp_avg, u.beta1),
                             s.unary(UnaryOp::MulScalar, g, 1 - u.beta1)));
  s.assign(exp_avg_sq, s.binary(BinaryOp::Add, s.unary(UnaryOp::MulScalar, exp_avg_sq, u.beta2),
                                s.unary(UnaryOp::MulScalar, s.unary(UnaryOp::Square, g), 1 - u.beta2)));
  const Tensor m_hat = s.unary(UnaryOp::MulScalar, exp_avg, 1 / (1 - std::pow(u.beta1, double(u.step))));
  const Tensor v_hat = s.unary(UnaryOp::MulScalar, exp_avg_sq, 1 / (1 - std::pow(u.beta2, double(u.step))));
  const Tensor denominator = u.eps_inside_sqrt ? s.unary(UnaryOp::Sqrt, s.unary(UnaryOp::AddScalar, v_hat, u.eps))
                                               : s.unary(UnaryOp::AddScalar, s.unary(UnaryOp::Sqrt, v_hat), u.eps);
  const Tensor update = s.unary(UnaryOp::MulScalar, s.binary(BinaryOp::Div, m_hat, denominator), u.lr);
  s.assign(param, s.binary(BinaryOp::Sub, param, update));
}

}  // namespace gs
