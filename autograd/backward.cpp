// Reverse mode: order the graph's nodes so that each comes after every node
// that consumes its output (a topological order from the root), then walk it,
// handing each node the sum of the gradients flowing into its output.
#include <unordered_map>
#include <unordered_set>

#include "autograd/node.h"
#include "autograd/ops.h"

namespace gs {
namespace {

// Depth-first post-order without recursion (graphs can be thousands deep).
// The order owns the nodes, so freeing a node's inputs mid-pass cannot
// destroy a node that is still to be visited.
std::vector<std::shared_ptr<Node>> topological_order(const std::shared_ptr<Node>& root) {
  std::vector<std::shared_ptr<Node>> order;
  std::unordered_set<Node*> seen{root.get()};
  std::vector<std::pair<std::shared_ptr<Node>, size_t>> stack{{root, 0}};
  while (!stack.empty()) {
    auto& [node, next_input] = stack.back();
    if (next_input < node->inputs.size()) {
      const Tensor& input = node->inputs[next_input++];
      std::shared_ptr<Node> child = input.defined() ? input.impl_ptr()->grad_fn : nullptr;
      if (child && seen.insert(child.get()).second) stack.push_back({child, 0});
    } else {
      order.push_back(node);
      stack.pop_back();
    }
  }
  return {order.rbegin(), order.rend()};  // root first
}

// Gradients meeting at one node are summed (the multivariate chain rule).
void accumulate(Tensor& slot, const Tensor& gradient) {
  slot = slot.defined() ? slot + gradient : gradient;
}

// A leaf owns its .grad(): the first gradient is copied (it may be a view of
// another tensor's gradient), later ones are added into it in place.
void accumulate_into_leaf(const Tensor& leaf, const Tensor& gradient) {
  Tensor grad = leaf.grad();
  if (grad.defined()) {
    grad.add_(gradient);
  } else {
    const_cast<Tensor&>(leaf).set_grad(gradient.clone());
  }
}

}  // namespace

void run_backward(const Tensor& root, const Tensor& gradient) {
  check(root.requires_grad(), "backward: the tensor does not require grad (no input of the computation ",
        "had requires_grad set, or it ran under NoGradGuard)");
  check(gradient.shape() == root.shape(), "backward: gradient shape ", shape_str(gradient.shape()),
        " differs from the tensor's ", shape_str(root.shape()));
  NoGradGuard no_grad;  // backward rules are plain computations

  if (root.is_leaf()) {
    accumulate_into_leaf(root, gradient);
    return;
  }
  std::unordered_map<Node*, Tensor> pending{{root.impl_ptr()->grad_fn.get(), gradient}};
  for (const std::shared_ptr<Node>& node : topological_order(root.impl_ptr()->grad_fn)) {
    check(node->backward != nullptr, "backward: the graph through '", node->op,
          "' was already freed by an earlier backward (recompute the forward pass)");
    Tensor grad_output = pending[node.get()];
    pending.erase(node.get());
    if (!grad_output.defined()) continue;
    std::vector<Tensor> grads = node->backward(grad_output);
    for (size_t i = 0; i < node->inputs.size(); ++i) {
      Tensor& input = node->inputs[i];
      if (!input.defined() || !input.requires_grad() || !grads[i].defined()) continue;
      check(grads[i].shape() == input.shape(), "backward of '", node->op, "': gradient shape ",
            shape_str(grads[i].shape()), " differs from input shape ", shape_str(input.shape()));
      if (Node* producer = input.impl_ptr()->grad_fn.get()) {
        accumulate(pending[producer], grads[i]);
      } else {
        accumulate_into_leaf(input, grads[i]);
      }
    }
    // Free the graph as we go: the saved tensors are no longer needed.
    if (node->keep_after_backward) continue;
    node->inputs.clear();
    node->backward = nullptr;
  }
}

void Tensor::backward() const {
  check(numel() == 1, "backward(): called on a tensor of shape ", shape_str(shape()),
        "; pass a gradient of the same shape, or reduce it to one element first");
  backward(ones(shape(), options()));
}

void Tensor::backward(const Tensor& gradient) const { run_backward(*this, gradient.detach()); }

}  // namespace gs
