#include "nn/checkpoint.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <vector>

#include "tensor/file_io.h"

namespace gs {
namespace {

using nlohmann::json;

// The format is little-endian and so is every machine we build for; a
// big-endian port would byte-swap here.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "safetensors I/O assumes a little-endian host");

const char* safetensors_dtype(DType dtype) {
  switch (dtype) {
    case DType::Float32: return "F32";
    case DType::Float64: return "F64";
    case DType::Int64: return "I64";
    case DType::UInt8: return "U8";
  }
  return "?";
}

bool parse_dtype(const std::string& name, DType& dtype) {
  for (DType candidate : {DType::Float32, DType::Float64, DType::Int64, DType::UInt8})
    if (name == safetensors_dtype(candidate)) {
      dtype = candidate;
      return true;
    }
  return false;
}

struct Entry {
  std::string name;
  DType dtype;
  Shape shape;
  uint64_t begin, end;
};

// Reads one header entry, checking each field; `fail_at` throws with the file name.
template <typename Fail>
Entry parse_entry(const std::string& name, const json& value, uint64_t data_size, Fail fail_at) {
  if (!value.is_object()) fail_at("entry '", name, "' is not a JSON object");
  Entry entry{name, DType::Float32, {}, 0, 0};
  auto dtype = value.find("dtype");
  if (dtype == value.end() || !dtype->is_string()) fail_at("entry '", name, "' has no \"dtype\" string");
  if (!parse_dtype(dtype->get<std::string>(), entry.dtype))
    fail_at("entry '", name, "' has dtype \"", dtype->get<std::string>(), "\"; gradschool reads F32, F64, I64, U8");

  auto shape = value.find("shape");
  if (shape == value.end() || !shape->is_array()) fail_at("entry '", name, "' has no \"shape\" array");
  // Counted with overflow checks: a corrupt shape like [2^40, 2^40] must not
  // wrap around to a small, plausible size.
  uint64_t elements = 1;
  for (const json& size : *shape) {
    if (!size.is_number_unsigned()) fail_at("entry '", name, "' has a shape entry that is not a size: ", size.dump());
    uint64_t n = size.get<uint64_t>();
    if (__builtin_mul_overflow(elements, n, &elements)) fail_at("entry '", name, "' has a shape too large to exist");
    entry.shape.push_back(static_cast<int64_t>(n));
  }

  auto offsets = value.find("data_offsets");
  if (offsets == value.end() || !offsets->is_array() || offsets->size() != 2 || !(*offsets)[0].is_number_unsigned() ||
      !(*offsets)[1].is_number_unsigned())
    fail_at("entry '", name, "' has no \"data_offsets\" pair [begin, end]");
  entry.begin = (*offsets)[0].get<uint64_t>();
  entry.end = (*offsets)[1].get<uint64_t>();
  if (entry.begin > entry.end || entry.end > data_size)
    fail_at("entry '", name, "' has data_offsets [", entry.begin, ", ", entry.end, "] outside the ", data_size,
            " bytes of tensor data");
  uint64_t expected = 0;
  if (__builtin_mul_overflow(elements, uint64_t(dtype_size(entry.dtype)), &expected))
    fail_at("entry '", name, "' has a shape too large to exist");
  if (entry.end - entry.begin != expected)
    fail_at("entry '", name, "' of shape ", shape_str(entry.shape), " and dtype ", dtype->get<std::string>(),
            " needs ", expected, " bytes but its data_offsets span ", entry.end - entry.begin);
  return entry;
}

}  // namespace

std::string to_safetensors(const StateDict& dict, const Metadata& metadata) {
  json header = json::object();
  std::vector<Tensor> contiguous_tensors;
  uint64_t offset = 0;
  for (const auto& [name, tensor] : dict) {
    check(name != "__metadata__", "save: '__metadata__' is reserved in safetensors and cannot name a tensor");
    check(tensor.defined(), "save: tensor '", name, "' is undefined");
    Tensor host = tensor.detach().cpu().contiguous();
    uint64_t bytes = host.numel() * dtype_size(host.dtype());
    header[name] = {{"dtype", safetensors_dtype(host.dtype())},
                    {"shape", host.shape()},
                    {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
    contiguous_tensors.push_back(host);
  }
  if (!metadata.empty()) header["__metadata__"] = metadata;

  std::string header_text = header.dump();
  // Pad the header with spaces so the data starts 8-byte aligned (as the
  // reference implementation does); JSON ignores trailing whitespace.
  header_text.append((8 - header_text.size() % 8) % 8, ' ');

  std::string out(8, '\0');
  uint64_t header_length = header_text.size();
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((header_length >> (8 * i)) & 0xff);
  out += header_text;
  for (const Tensor& host : contiguous_tensors) {
    const char* data = static_cast<const char*>(host.storage()->data()) + host.offset() * dtype_size(host.dtype());
    out.append(data, host.numel() * dtype_size(host.dtype()));
  }
  return out;
}

StateDict from_safetensors(const std::string& bytes, const std::string& source, Metadata* metadata) {
  auto fail_at = [&](const auto&... parts) { fail("load '", source, "': ", parts...); };

  if (bytes.size() < 8)
    fail_at("the file is ", bytes.size(), " bytes long, too short for the 8-byte header length of a safetensors file");
  uint64_t header_length = 0;
  for (int i = 0; i < 8; ++i) header_length |= uint64_t(static_cast<unsigned char>(bytes[i])) << (8 * i);
  if (header_length > bytes.size() - 8)
    fail_at("the header length ", header_length, " runs past the end of the file (", bytes.size(),
            " bytes); the file is truncated or not a safetensors file");

  json header = json::parse(bytes.begin() + 8, bytes.begin() + 8 + header_length, nullptr, /*allow_exceptions=*/false);
  if (header.is_discarded()) fail_at("the JSON header is not well-formed");
  if (!header.is_object()) fail_at("the JSON header is not an object of tensor entries");

  const uint64_t data_start = 8 + header_length;
  const uint64_t data_size = bytes.size() - data_start;
  std::vector<Entry> entries;
  for (const auto& [name, value] : header.items()) {
    if (name == "__metadata__") {
      if (!value.is_object()) fail_at("__metadata__ is not an object");
      for (const auto& [key, text] : value.items()) {
        if (!text.is_string()) fail_at("__metadata__ entry '", key, "' is not a string");
        if (metadata) (*metadata)[key] = text.get<std::string>();
      }
      continue;
    }
    entries.push_back(parse_entry(name, value, data_size, fail_at));
  }

  // Sorted by position, the entries must tile the data exactly.
  std::vector<const Entry*> by_offset;
  for (const Entry& entry : entries) by_offset.push_back(&entry);
  std::sort(by_offset.begin(), by_offset.end(),
            [](const Entry* a, const Entry* b) { return a->begin != b->begin ? a->begin < b->begin : a->end < b->end; });
  uint64_t covered = 0;
  for (const Entry* entry : by_offset) {
    if (entry->begin < covered) fail_at("entry '", entry->name, "' overlaps the data of another entry");
    if (entry->begin > covered)
      fail_at("bytes ", covered, "..", entry->begin, " of the tensor data belong to no entry");
    covered = entry->end;
  }
  if (covered != data_size)
    fail_at("the tensor data has ", data_size, " bytes but the entries cover ", covered,
            "; the file is truncated or has trailing bytes");

  StateDict dict;
  for (const Entry& entry : entries) {
    Tensor tensor = empty(entry.shape, {entry.dtype});
    if (entry.end > entry.begin)
      std::memcpy(tensor.storage()->data(), bytes.data() + data_start + entry.begin, entry.end - entry.begin);
    dict[entry.name] = tensor;
  }
  return dict;
}

void save(const StateDict& dict, const std::string& path, const Metadata& metadata) {
  write_file_atomic(path, to_safetensors(dict, metadata));
}

void save(const nn::Module& module, const std::string& path, const Metadata& metadata) {
  save(module.state_dict(), path, metadata);
}

StateDict load(const std::string& path, Metadata* metadata) {
  return from_safetensors(read_file(path), path, metadata);
}

void load(nn::Module& module, const std::string& path, Metadata* metadata) {
  StateDict dict = load(path, metadata);
  try {
    module.load_state_dict(dict);
  } catch (const Error& e) {
    fail("load '", path, "': ", e.what());
  }
}

}  // namespace gs
