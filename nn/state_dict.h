// A state dict: every tensor that defines a model's (or an optimizer's) state,
// by dotted name ("net.0.weight", "state.3.exp_avg"). It is what checkpoints
// (nn/checkpoint.h) write and read.
#pragma once
#include <map>
#include <string>

#include "tensor/tensor.h"

namespace gs {

using StateDict = std::map<std::string, Tensor>;

// Puts several state dicts in one checkpoint: with_prefix(model.state_dict(), "model.").
StateDict with_prefix(const StateDict& dict, const std::string& prefix);
// Adds every entry of `part` to `into` under `prefix`.
void add_with_prefix(StateDict& into, const StateDict& part, const std::string& prefix);
// The entries whose names start with `prefix`, with the prefix removed.
StateDict select_prefix(const StateDict& dict, const std::string& prefix);

}  // namespace gs
