// Broadcasting arithmetic. The backward of a broadcast input sums the output
// gradient over the broadcast dims (sum_to), since each input element fed
// every output element it was copied to.
#include "autograd/node.h"
#include "autograd/ops.h"
#include "autograd/ops/op_helpers.h"

namespace gs {
namespace {

Tensor binary_forward(BinaryOp op, const char* name, const Tensor& a, const Tensor& b) {
  check_same_kind(name, a, b);
  check_floating(name, a);
  Shape shape = broadcast_shapes(a.shape(), b.shape(), name);
  Tensor out = empty(shape, a.options());
  backend_of(a).binary(op, a.detach().expand(shape), b.detach().expand(shape), out);
  return out;
}

Tensor scalar_op(UnaryOp op, const char* name, const Tensor& x, double value) {
  check_floating(name, x);
  Tensor out = empty(x.shape(), x.options());
  backend_of(x).unary(op, x, out, {value, 0});
  record(out, name, {x}, [op, value](const Tensor& g) {
    return std::vector<Tensor>{op == UnaryOp::AddScalar ? g : g * value};
  });
  return out;
}

}  // namespace

// y = a + b;  da = dy,  db = dy
Tensor add(const Tensor& a, const Tensor& b) {
  Tensor out = binary_forward(BinaryOp::Add, "add", a, b);
  record(out, "add", {a, b}, [sa = a.shape(), sb = b.shape()](const Tensor& g) {
    return std::vector<Tensor>{sum_to(g, sa), sum_to(g, sb)};
  });
  return out;
}

// y = a - b;  da = dy,  db = -dy
Tensor sub(const Tensor& a, const Tensor& b) {
  Tensor out = binary_forward(BinaryOp::Sub, "sub", a, b);
  record(out, "sub", {a, b}, [sa = a.shape(), sb = b.shape()](const Tensor& g) {
    return std::vector<Tensor>{sum_to(g, sa), sum_to(-g, sb)};
  });
  return out;
}

// y = a * b;  da = dy * b,  db = dy * a
Tensor mul(const Tensor& a, const Tensor& b) {
  Tensor out = binary_forward(BinaryOp::Mul, "mul", a, b);
  record(out, "mul", {a, b}, [a = a.detach(), b = b.detach(), ga = a.requires_grad(), gb = b.requires_grad()](
                                 const Tensor& g) {
    return std::vector<Tensor>{ga ? sum_to(g * b, a.shape()) : Tensor(), gb ? sum_to(g * a, b.shape()) : Tensor()};
  });
  return out;
}

// y = a / b;  da = dy / b,  db = -dy * y / b
Tensor div(const Tensor& a, const Tensor& b) {
  Tensor out = binary_forward(BinaryOp::Div, "div", a, b);
  record(out, "div", {a, b}, [a_shape = a.shape(), b = b.detach(), y = out.detach()](const Tensor& g) {
    Tensor g_over_b = g / b;
    return std::vector<Tensor>{sum_to(g_over_b, a_shape), sum_to(-(g_over_b * y), b.shape())};
  });
  return out;
}

// y = max(a, b);  the gradient goes to the larger input (to a on ties)
Tensor maximum(const Tensor& a, const Tensor& b) {
  Tensor out = binary_forward(BinaryOp::Maximum, "maximum", a, b);
  record(out, "maximum", {a, b}, [a = a.detach(), b = b.detach()](const Tensor& g) {
    Tensor a_wins = ge(a, b);
    return std::vector<Tensor>{sum_to(g * a_wins, a.shape()), sum_to(g * (1.0 - a_wins), b.shape())};
  });
  return out;
}

// y = min(a, b);  the gradient goes to the smaller input (to a on ties)
Tensor minimum(const Tensor& a, const Tensor& b) {
  Tensor out = binary_forward(BinaryOp::Minimum, "minimum", a, b);
  record(out, "minimum", {a, b}, [a = a.detach(), b = b.detach()](const Tensor& g) {
    Tensor a_wins = le(a, b);
    return std::vector<Tensor>{sum_to(g * a_wins, a.shape()), sum_to(g * (1.0 - a_wins), b.shape())};
  });
  return out;
}

// y = x + c;  dx = dy        y = x * c;  dx = c dy
Tensor add(const Tensor& a, double b) { return scalar_op(UnaryOp::AddScalar, "add", a, b); }
Tensor mul(const Tensor& a, double b) { return scalar_op(UnaryOp::MulScalar, "mul", a, b); }

Tensor eq(const Tensor& a, const Tensor& b) { return binary_forward(BinaryOp::Equal, "eq", a, b); }
Tensor ne(const Tensor& a, const Tensor& b) { return binary_forward(BinaryOp::NotEqual, "ne", a, b); }
Tensor lt(const Tensor& a, const Tensor& b) { return binary_forward(BinaryOp::Less, "lt", a, b); }
Tensor le(const Tensor& a, const Tensor& b) { return binary_forward(BinaryOp::LessEqual, "le", a, b); }
Tensor gt(const Tensor& a, const Tensor& b) { return binary_forward(BinaryOp::Greater, "gt", a, b); }
Tensor ge(const Tensor& a, const Tensor& b) { return binary_forward(BinaryOp::GreaterEqual, "ge", a, b); }

// y = c ? a : b;  da = c ? dy : 0,  db = c ? 0 : dy
Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b) {
  check_same_kind("where", a, b);
  check(condition.device() == a.device(), "where: the condition is on ", condition.device().str(),
        " but the values are on ", a.device().str());
  Shape shape = broadcast_shapes(broadcast_shapes(condition.shape(), a.shape(), "where"), b.shape(), "where");
  Tensor mask = condition.detach().to(a.dtype());
  Tensor out = empty(shape, a.options());
  backend_of(a).where(mask.expand(shape), a.detach().expand(shape), b.detach().expand(shape), out);
  record(out, "where", {a, b}, [mask, sa = a.shape(), sb = b.shape()](const Tensor& g) {
    Tensor zero = zeros({}, g.options());
    return std::vector<Tensor>{sum_to(where(mask, g, zero), sa), sum_to(where(mask, zero, g), sb)};
  });
  return out;
}

Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
Tensor operator-(const Tensor& a) { return neg(a); }
Tensor operator+(const Tensor& a, double b) { return add(a, b); }
Tensor operator-(const Tensor& a, double b) { return add(a, -b); }
Tensor operator*(const Tensor& a, double b) { return mul(a, b); }
Tensor operator/(const Tensor& a, double b) { return mul(a, 1.0 / b); }
Tensor operator+(double a, const Tensor& b) { return add(b, a); }
Tensor operator-(double a, const Tensor& b) { return add(neg(b), a); }
Tensor operator*(double a, const Tensor& b) { return mul(b, a); }
Tensor operator/(double a, const Tensor& b) { return mul(reciprocal(b), a); }

}  // namespace gs
