// Layout: "\x93NUMPY", major, minor, header length (2 bytes little-endian in
// 1.0, 4 bytes in 2.0), then a Python dict literal such as
//   {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
// padded with spaces to a multiple of 64 bytes and ended by '\n', then the raw data.
#include "tensor/npy.h"

#include <cctype>
#include <cstring>

#include "tensor/file_io.h"

namespace gs {
namespace {

const char kMagic[] = "\x93NUMPY";

const char* descr_of(DType dtype) {
  switch (dtype) {
    case DType::Float32: return "<f4";
    case DType::Float64: return "<f8";
    case DType::Int64: return "<i8";
    case DType::UInt8: return "|u1";
  }
  return "?";
}

// The text of `key`'s value in the header's dict literal: a quoted string
// without its quotes, a parenthesised tuple without its parentheses, or a
// bare word; "" when the key is absent. A plain scan: std::regex
// backtracked for minutes on some fuzzed headers.
std::string header_value(const std::string& header, const std::string& key) {
  const std::string quoted = "'" + key + "'";
  size_t at = header.find(quoted);
  if (at == std::string::npos) return "";
  at += quoted.size();
  while (at < header.size() && (header[at] == ' ' || header[at] == ':')) ++at;
  if (at >= header.size()) return "";
  const char open = header[at];
  const char close = open == '\'' ? '\'' : open == '(' ? ')' : '\0';
  if (close) {
    const size_t end = header.find(close, at + 1);
    return end == std::string::npos ? "" : header.substr(at + 1, end - at - 1);
  }
  const size_t end = header.find_first_of(",}", at);
  return header.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

}  // namespace

void save_npy(const Tensor& t, const std::string& path) {
  Tensor host = t.detach().to(Device::cpu()).contiguous();
  std::string shape;  // Python tuple syntax: (), (5,), (2, 3)
  for (int64_t d = 0; d < host.dim(); ++d) shape += (d ? ", " : "") + std::to_string(host.size(d));
  shape = "(" + shape + (host.dim() == 1 ? ",)" : ")");
  std::string header = std::string("{'descr': '") + descr_of(host.dtype()) + "', 'fortran_order': False, 'shape': " +
                       shape + ", }";
  const size_t preamble = 6 + 2 + 2;  // magic, version, 2-byte length
  header += std::string(63 - (preamble + header.size()) % 64, ' ') + "\n";
  check(header.size() < 65536, path, ": .npy header too long");
  std::string bytes(kMagic, 6);
  bytes += '\x01';
  bytes += '\x00';
  bytes += static_cast<char>(header.size() & 0xff);
  bytes += static_cast<char>(header.size() >> 8);
  bytes += header;
  bytes.append(static_cast<const char*>(host.storage()->data()) + host.offset() * dtype_size(host.dtype()),
               host.numel() * dtype_size(host.dtype()));
  write_file_atomic(path, bytes);
}

Tensor parse_npy(const std::string& bytes, const std::string& path) {
  check(bytes.size() >= 10 && bytes.compare(0, 6, kMagic, 6) == 0, path,
        ": not a .npy file (missing the \\x93NUMPY magic)");
  const int major = static_cast<unsigned char>(bytes[6]);
  check(major == 1 || major == 2 || major == 3, path, ": unsupported .npy version ", major);
  size_t header_length, header_start;
  if (major == 1) {
    header_length = static_cast<unsigned char>(bytes[8]) | static_cast<unsigned char>(bytes[9]) << 8;
    header_start = 10;
  } else {
    check(bytes.size() >= 12, path, ": truncated .npy header");
    header_length = 0;
    for (int i = 0; i < 4; ++i) header_length |= static_cast<size_t>(static_cast<unsigned char>(bytes[8 + i])) << (8 * i);
    header_start = 12;
  }
  check(header_start + header_length <= bytes.size(), path, ": header length ", header_length,
        " runs past the end of the file (", bytes.size(), " bytes)");
  const std::string header = bytes.substr(header_start, header_length);

  const std::string descr = header_value(header, "descr");
  check(descr.size() >= 3 && std::strchr("<>|=", descr[0]) != nullptr, path, ": header has no readable 'descr': ",
        header.substr(0, 120));
  check(descr[0] != '>', path, ": big-endian data is not supported");
  const std::string kind = descr.substr(1);
  DType dtype;
  if (kind == "f4") dtype = DType::Float32;
  else if (kind == "f8") dtype = DType::Float64;
  else if (kind == "i8") dtype = DType::Int64;
  else if (kind == "u1") dtype = DType::UInt8;
  else fail(path, ": dtype '", kind.substr(0, 24), "' is not supported (float32, float64, int64, uint8 are)");
  check(header_value(header, "fortran_order") == "False", path,
        ": Fortran-ordered arrays are not supported (save with np.ascontiguousarray)");
  check(header.find("'shape'") != std::string::npos && header.find('(', header.find("'shape'")) != std::string::npos,
        path, ": header has no 'shape'");
  Shape shape;
  const std::string dims = header_value(header, "shape");  // "3, 4" or "10," or ""
  for (size_t at = 0; at < dims.size();) {
    if (dims[at] == ' ' || dims[at] == ',') {
      ++at;
      continue;
    }
    size_t end = at;
    while (end < dims.size() && std::isdigit(static_cast<unsigned char>(dims[end]))) ++end;
    check(end > at, path, ": the shape (", dims.substr(0, 40), ") is not a tuple of sizes");
    check(end - at <= 18, path, ": shape dimension ", dims.substr(at, 24), " is too large");
    shape.push_back(std::stoll(dims.substr(at, end - at)));
    at = end;
  }

  // The data size from the shape (a product that overflows is refused too):
  // no shape claiming more than the file holds gets allocated.
  const size_t data_start = header_start + header_length, available = bytes.size() - data_start;
  size_t expected = dtype_size(dtype);
  bool overflows = false;
  for (int64_t size : shape) overflows |= __builtin_mul_overflow(expected, static_cast<size_t>(size), &expected);
  check(!overflows && available == expected, path, ": shape ", shape_str(shape), " of ", dtype_name(dtype), " needs ",
        overflows ? std::string("more than 2^64") : std::to_string(expected), " data bytes but the file holds ",
        available);
  Tensor t;
  try {
    t = empty(shape, dtype);  // a shape of no elements may still have strides too large for 64 bits
  } catch (const Error& error) {
    fail(path, ": ", error.what());
  }
  std::memcpy(t.storage()->data(), bytes.data() + data_start, expected);
  return t;
}

Tensor load_npy(const std::string& path) { return parse_npy(read_file(path), path); }

}  // namespace gs
