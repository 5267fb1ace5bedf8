// Chapter 6: generative adversarial networks. The generator's two possible
// losses and their gradients, the two-step iteration with a frozen
// discriminator, and a one-dimensional GAN small enough to watch converge.
// The chapter's README walks through this program and shows its output.
#include <cmath>
#include <cstdio>

#include "nn/functional.h"
#include "optim/adam.h"

using namespace gs;

// The counterfeiter: G(z) = a z + b turns standard normal noise into samples.
struct Counterfeiter {
  Tensor a = tensor(std::vector<double>{1.0}).requires_grad_();
  Tensor b = tensor(std::vector<double>{0.0}).requires_grad_();
  Tensor forward(const Tensor& z) const { return z * a + b; }
};

// The police: a logit quadratic in x, w1 x + w2 x^2 + c, which is enough to
// tell two normal distributions apart by their means and their spreads.
struct Police {
  Tensor w1 = tensor(std::vector<double>{0.0}).requires_grad_();
  Tensor w2 = tensor(std::vector<double>{0.0}).requires_grad_();
  Tensor c = tensor(std::vector<double>{0.0}).requires_grad_();
  Tensor logit(const Tensor& x) const { return x * w1 + square(x) * w2 + c; }
  void set_frozen(bool frozen) {
    for (Tensor* p : {&w1, &w2, &c}) p->requires_grad_(!frozen);
  }
};

double mean_of(const Tensor& t) { return mean(t).item(); }
double std_of(const Tensor& t) { return std::sqrt(var(t, {0}).item()); }

int main() {
  // 1. D rejects a fake with logit l, so D(G(z)) = sigmoid(l). How hard does
  //    each generator loss push l upwards? (Its gradient with respect to l.)
  std::printf("logit l  D(G(z))  d/dl log(1 - D)  d/dl -log D\n");
  for (double l : {-6.0, -3.0, 0.0, 3.0}) {
    Tensor logit = tensor(std::vector<double>{l}).requires_grad_();
    log(1.0 - sigmoid(logit)).backward();  // the saturating loss, minimised by G
    const double saturating = logit.grad().item();
    logit.zero_grad();
    F::binary_cross_entropy_with_logits(logit, ones_like(logit)).backward();  // -log D: non-saturating
    std::printf("%7.1f  %7.4f  %15.4f  %11.4f\n", l, sigmoid(logit).item(), saturating, logit.grad().item());
  }

  // 2. A one-dimensional GAN. Real data: normal with mean 4 and spread 1.25.
  Generator gen(6);
  Counterfeiter g;
  Police d;
  optim::AdamOptions options;
  options.lr = 0.02;
  options.beta1 = 0.5;
  optim::Adam g_optimizer({g.a, g.b}, options), d_optimizer({d.w1, d.w2, d.c}, options);
  const int64_t batch = 256;
  std::printf("\nstep  fake mean  fake std  D(real)  D(fake)\n");
  for (int step = 0; step <= 3000; ++step) {
    Tensor real = normal({batch}, 4.0, 1.25, gen, kFloat64);
    Tensor z = randn({batch}, gen, kFloat64);

    // Step 1: train D on a real batch (target 1) and a fake batch (target 0).
    //         detach(): this step must not reach into G.
    Tensor fake = g.forward(z).detach();
    Tensor real_logit = d.logit(real), fake_logit = d.logit(fake);
    Tensor d_loss = F::binary_cross_entropy_with_logits(real_logit, ones_like(real_logit)) +
                    F::binary_cross_entropy_with_logits(fake_logit, zeros_like(fake_logit));
    d_optimizer.zero_grad();
    d_loss.backward();
    d_optimizer.step();

    // Step 2: train G through the frozen D, with the non-saturating loss.
    d.set_frozen(true);
    const double d_gradient_before = d.w1.grad().item();
    Tensor g_loss = F::binary_cross_entropy_with_logits(d.logit(g.forward(z)), ones_like(z));
    g_optimizer.zero_grad();
    g_loss.backward();
    g_optimizer.step();
    d.set_frozen(false);
    if (step == 0)
      std::printf("G's backward left D's gradient untouched: %s; G's gradient da = %.4f\n",
                  d.w1.grad().item() == d_gradient_before ? "yes" : "no", g.a.grad().item());

    if (step % 500 == 0) {
      NoGradGuard no_grad;
      Tensor samples = g.forward(randn({10000}, gen, kFloat64));
      std::printf("%4d  %9.2f  %8.2f  %7.2f  %7.2f\n", step, mean_of(samples), std_of(samples),
                  mean_of(sigmoid(d.logit(real))), mean_of(sigmoid(d.logit(samples))));
    }
  }
  return 0;
}
