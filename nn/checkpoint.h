// Checkpoints in the safetensors format (https://github.com/huggingface/safetensors),
// so a file opens in Python with `safetensors.torch.load_file` or a 20-line reader:
//
//   8 bytes   N, the header length, unsigned little-endian
//   N bytes   JSON: {"name": {"dtype": "F32", "shape": [64, 1, 5, 5],
//                             "data_offsets": [begin, end]}, ...,
//                    "__metadata__": {"epoch": "12"}}       (optional, string -> string)
//   the rest  the tensors' raw little-endian bytes, row-major; offsets count
//             from the start of this part and must cover it exactly, without
//             gaps or overlaps
//
// dtypes: F32, F64, I64, U8. Writes are atomic (temporary file, fsync, rename).
// Loading checks every one of those rules and throws a gs::Error naming the
// file and the first problem; a corrupt file never crashes the reader.
#pragma once
#include <map>
#include <string>

#include "nn/module.h"
#include "nn/state_dict.h"

namespace gs {

using Metadata = std::map<std::string, std::string>;

void save(const StateDict& dict, const std::string& path, const Metadata& metadata = {});
void save(const nn::Module& module, const std::string& path, const Metadata& metadata = {});

// Every tensor of the file, on the CPU. `metadata`, if given, receives the
// file's __metadata__.
StateDict load(const std::string& path, Metadata* metadata = nullptr);
// Loads into a module: the file's names, shapes and dtypes must match the
// module's state dict exactly.
void load(nn::Module& module, const std::string& path, Metadata* metadata = nullptr);

// The same two directions on bytes in memory (what save/load write and read);
// `source` names the bytes in error messages.
std::string to_safetensors(const StateDict& dict, const Metadata& metadata = {});
StateDict from_safetensors(const std::string& bytes, const std::string& source, Metadata* metadata = nullptr);

}  // namespace gs
