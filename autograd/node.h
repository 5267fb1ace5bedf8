// A step of the reverse-mode graph. Every differentiable op that sees an input
// requiring grad stores, in its output, a Node holding the inputs and the
// op's backward rule: given dL/d(output), return dL/d(input) for each input.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace gs {

struct Node {
  std::string op;               // for error messages and graph printing
  std::vector<Tensor> inputs;   // edges to the previous steps
  std::function<std::vector<Tensor>(const Tensor& grad_output)> backward;
  // A backward pass frees each node it runs, except one marked to be kept: a
  // value that several graphs share on purpose (nn/weight_norm.cpp's W),
  // which each of them must still be able to differentiate.
  bool keep_after_backward = false;
};

// Global switch, off inside a NoGradGuard (thread-local).
bool grad_enabled();
void set_grad_enabled(bool enabled);

// Turns gradient recording off for its lifetime, like torch.no_grad().
class NoGradGuard {
 public:
  NoGradGuard() : previous_(grad_enabled()) { set_grad_enabled(false); }
  ~NoGradGuard() { set_grad_enabled(previous_); }
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool previous_;
};

// True when recording is on and some input requires grad.
bool needs_grad(const std::vector<Tensor>& inputs);

// Attaches a node to `output` if needs_grad(inputs). The rule must return one
// gradient per input (an undefined Tensor where an input needs none).
// Capture the output in the rule only through output.detach(): capturing the
// tensor itself would make a reference cycle output -> node -> output.
void record(Tensor& output, const char* op, std::vector<Tensor> inputs,
            std::function<std::vector<Tensor>(const Tensor& grad_output)> rule);

// Runs the graph below `root` backwards, seeded with `gradient`
// (autograd/backward.cpp), accumulating into the leaves' .grad().
void run_backward(const Tensor& root, const Tensor& gradient);

}  // namespace gs
