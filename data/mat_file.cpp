#include "data/mat_file.h"

#include <cstring>

#include "data/zlib_stream.h"
#include "tensor/error.h"
#include "tensor/file_io.h"

namespace gs::data {
namespace {

constexpr size_t kHeaderSize = 128;
constexpr size_t kTextSize = 116;
constexpr uint32_t kComplexFlag = 0x0800;  // in the first word of the array flags

uint32_t read_u32(const char* at) {
  uint32_t value;
  std::memcpy(&value, at, 4);  // the file is little-endian, like every machine gradschool runs on
  return value;
}

void append_u32(std::string& out, uint32_t value) { out.append(reinterpret_cast<const char*>(&value), 4); }

bool is_numeric_class(MatClass mat_class) { return mat_class >= MatClass::kDouble && mat_class <= MatClass::kUInt64; }

const char* mat_type_name(uint32_t type) {
  static const char* const names[] = {"?",          "miINT8",   "miUINT8",  "miINT16",      "miUINT16",
                                      "miINT32",    "miUINT32", "miSINGLE", "?",            "miDOUBLE",
                                      "?",          "?",        "miINT64",  "miUINT64",     "miMATRIX",
                                      "miCOMPRESSED", "miUTF8", "miUTF16",  "miUTF32"};
  return type < sizeof(names) / sizeof(names[0]) ? names[type] : "unknown";
}

struct Element {
  uint32_t type;
  const char* data;
  size_t size;
};

// Walks the data elements packed in `size` bytes. `where` says, for error
// messages, whose bytes these are ("the file", "variable 'X'").
class ElementReader {
 public:
  ElementReader(const char* data, size_t size, size_t base_offset, std::string source, std::string where)
      : data_(data), size_(size), base_(base_offset), source_(std::move(source)), where_(std::move(where)) {}

  bool at_end() const { return position_ >= size_; }

  Element next() {
    const size_t start = position_;
    check(size_ - start >= 8, source_, ": truncated MAT-file: a data element tag at byte ", base_ + start, " of ",
          where_, " needs 8 bytes but only ", size_ - start, " remain");
    const uint32_t first = read_u32(data_ + start);
    if (first >> 16 != 0) {  // small data element: 2-byte count in the high half, type in the low half
      Element element{first & 0xffff, data_ + start + 4, first >> 16};
      check(element.size <= 4, source_, ": corrupt MAT-file: a small data element at byte ", base_ + start,
            " of ", where_, " claims ", element.size, " bytes; at most 4 fit");
      position_ = start + 8;
      return element;
    }
    Element element{first, data_ + start + 8, read_u32(data_ + start + 4)};
    check(element.size <= size_ - start - 8, source_, ": truncated MAT-file: the ", mat_type_name(element.type),
          " element at byte ", base_ + start, " of ", where_, " claims ", element.size, " bytes but only ",
          size_ - start - 8, " remain");
    position_ = start + 8 + element.size;
    if (element.type == static_cast<uint32_t>(MatType::kCompressed)) {
      // Compressed elements are written unpadded; skip zero padding if a writer added it
      // (no tag starts with a zero byte: every type number is 1..18).
      while (position_ < size_ && position_ % 8 != 0 && data_[position_] == 0) ++position_;
    } else {
      position_ = std::min(size_, (position_ + 7) / 8 * 8);
    }
    return element;
  }

  size_t offset_of(const Element& element) const { return base_ + static_cast<size_t>(element.data - data_); }

 private:
  const char* data_;
  size_t size_;
  size_t base_;
  size_t position_ = 0;
  std::string source_;
  std::string where_;
};

// The four sub-elements of an miMATRIX: flags, dimensions, name, real part.
MatVariable parse_matrix(const Element& matrix, size_t offset, const std::string& source) {
  ElementReader reader(matrix.data, matrix.size, offset, source, "an miMATRIX element");
  MatVariable variable;

  const Element flags = reader.next();
  check(flags.type == static_cast<uint32_t>(MatType::kUInt32) && flags.size == 8, source,
        ": corrupt MAT-file: an miMATRIX at byte ", offset, " must begin with 8 bytes of miUINT32 array flags, found ",
        flags.size, " bytes of ", mat_type_name(flags.type));
  const uint32_t flag_word = read_u32(flags.data);
  const uint32_t class_number = flag_word & 0xff;
  check(class_number >= 1 && class_number <= 15, source, ": corrupt MAT-file: unknown array class ", class_number,
        " in the miMATRIX at byte ", offset);
  variable.mat_class = static_cast<MatClass>(class_number);
  variable.is_complex = (flag_word & kComplexFlag) != 0;

  const Element dims = reader.next();
  check(dims.type == static_cast<uint32_t>(MatType::kInt32) && dims.size % 4 == 0 && dims.size >= 8, source,
        ": corrupt MAT-file: the dimensions of the miMATRIX at byte ", offset,
        " must be at least two miINT32 values, found ", dims.size, " bytes of ", mat_type_name(dims.type));
  for (size_t i = 0; i < dims.size / 4; ++i) {
    const int32_t size = static_cast<int32_t>(read_u32(dims.data + 4 * i));
    check(size >= 0, source, ": corrupt MAT-file: negative dimension ", size, " in the miMATRIX at byte ", offset);
    variable.dims.push_back(size);
  }

  const Element name = reader.next();
  check(name.type == static_cast<uint32_t>(MatType::kInt8) || name.type == static_cast<uint32_t>(MatType::kUtf8),
        source, ": corrupt MAT-file: the array name of the miMATRIX at byte ", offset, " must be miINT8, found ",
        mat_type_name(name.type));
  variable.name.assign(name.data, name.size);

  if (!is_numeric_class(variable.mat_class)) return variable;  // cells, structs, text: not needed here
  const Element real = reader.next();
  variable.storage_type = static_cast<MatType>(real.type);
  const size_t element_size = mat_type_size(variable.storage_type);
  check(element_size != 0, source, ": corrupt MAT-file: variable '", variable.name, "' stores its values as ",
        mat_type_name(real.type), ", which is not a numeric type");
  check(real.size % element_size == 0, source, ": corrupt MAT-file: variable '", variable.name, "' has ", real.size,
        " bytes of ", mat_type_name(real.type), ", not a whole number of ", element_size, "-byte values");
  // Compare the element count with the dimensions without overflowing on forged ones.
  const uint64_t stored = real.size / element_size;
  uint64_t expected = 1;
  bool too_many = false;
  for (int64_t size : variable.dims) {
    if (size == 0) { expected = 0; too_many = false; break; }
    if (expected > stored / static_cast<uint64_t>(size)) too_many = true;
    expected *= static_cast<uint64_t>(size);
  }
  check(!too_many && expected == stored, source, ": corrupt MAT-file: variable '", variable.name,
        "' has dimensions that need ", too_many ? "more than " + std::to_string(stored) : std::to_string(expected),
        " values but its real part holds ", stored);
  variable.real.assign(real.data, real.size);
  return variable;
}

}  // namespace

const char* mat_class_name(MatClass mat_class) {
  static const char* const names[] = {"?",      "cell",  "struct", "object", "char",   "sparse", "double", "single",
                                      "int8",   "uint8", "int16",  "uint16", "int32",  "uint32", "int64",  "uint64"};
  const auto index = static_cast<size_t>(mat_class);
  return index < sizeof(names) / sizeof(names[0]) ? names[index] : "?";
}

size_t mat_type_size(MatType type) {
  switch (type) {
    case MatType::kInt8: case MatType::kUInt8: return 1;
    case MatType::kInt16: case MatType::kUInt16: return 2;
    case MatType::kInt32: case MatType::kUInt32: case MatType::kSingle: return 4;
    case MatType::kDouble: case MatType::kInt64: case MatType::kUInt64: return 8;
    default: return 0;
  }
}

int64_t MatVariable::numel() const {
  int64_t count = 1;
  for (int64_t size : dims) count *= size;
  return count;
}

std::vector<double> MatVariable::values(const std::string& source) const {
  check(is_numeric_class(mat_class), source, ": variable '", name, "' is a ", mat_class_name(mat_class),
        " array, not numbers");
  const size_t element_size = mat_type_size(storage_type);
  std::vector<double> out(real.size() / element_size);
  auto convert = [&](auto zero) {
    using T = decltype(zero);
    for (size_t i = 0; i < out.size(); ++i) {
      T value;
      std::memcpy(&value, real.data() + i * sizeof(T), sizeof(T));
      out[i] = static_cast<double>(value);
    }
  };
  switch (storage_type) {
    case MatType::kInt8: convert(int8_t{}); break;
    case MatType::kUInt8: convert(uint8_t{}); break;
    case MatType::kInt16: convert(int16_t{}); break;
    case MatType::kUInt16: convert(uint16_t{}); break;
    case MatType::kInt32: convert(int32_t{}); break;
    case MatType::kUInt32: convert(uint32_t{}); break;
    case MatType::kSingle: convert(float{}); break;
    case MatType::kDouble: convert(double{}); break;
    case MatType::kInt64: convert(int64_t{}); break;
    case MatType::kUInt64: convert(uint64_t{}); break;
    default: fail(source, ": variable '", name, "' has no numeric storage");
  }
  return out;
}

const MatVariable* MatFile::find(const std::string& name) const {
  for (const MatVariable& variable : variables) {
    if (variable.name == name) return &variable;
  }
  return nullptr;
}

MatFile parse_mat_file(const std::string& bytes, const std::string& source) {
  check(bytes.size() >= kHeaderSize, source, ": not a MAT-file: it has ", bytes.size(),
        " bytes, fewer than the 128-byte header");
  MatFile file;
  file.description = bytes.substr(0, kTextSize);
  file.description.erase(file.description.find_last_not_of(" \0", std::string::npos, 2) + 1);
  check(bytes.compare(0, 6, "MATLAB") == 0, source, ": not a MAT-file: the header text should begin with \"MATLAB\"");
  check(file.description.find("7.3 MAT-file") == std::string::npos, source,
        ": this is a MATLAB v7.3 MAT-file, which is HDF5 inside; only Level 5 MAT-files (v5 to v7) are read. "
        "Re-save it in MATLAB with save(..., '-v7')");
  const std::string endian = bytes.substr(126, 2);
  check(endian != "MI", source, ": big-endian MAT-files are not supported (the endian indicator reads \"MI\")");
  check(endian == "IM", source, ": not a Level 5 MAT-file: the endian indicator at byte 126 should be \"IM\"");

  ElementReader reader(bytes.data() + kHeaderSize, bytes.size() - kHeaderSize, kHeaderSize, source, "the file");
  while (!reader.at_end()) {
    const Element element = reader.next();
    if (element.type == static_cast<uint32_t>(MatType::kMatrix)) {
      file.variables.push_back(parse_matrix(element, reader.offset_of(element), source));
    } else if (element.type == static_cast<uint32_t>(MatType::kCompressed)) {
      const std::string inflated = inflate_zlib(element.data, element.size, source);
      ElementReader inner(inflated.data(), inflated.size(), 0, source, "an inflated miCOMPRESSED element");
      const Element matrix = inner.next();
      check(matrix.type == static_cast<uint32_t>(MatType::kMatrix), source,
            ": corrupt MAT-file: an miCOMPRESSED element at byte ", reader.offset_of(element),
            " inflates to ", mat_type_name(matrix.type), ", not miMATRIX");
      file.variables.push_back(parse_matrix(matrix, 0, source));
    }
  }
  return file;
}

MatFile read_mat_file(const std::string& path) { return parse_mat_file(read_file(path), path); }

namespace {

// Tag + data + zero padding to a multiple of 8, as small elements when the data fits in 4 bytes.
void append_element(std::string& out, MatType type, const std::string& data) {
  const auto type_number = static_cast<uint32_t>(type);
  if (data.size() <= 4 && type != MatType::kMatrix) {
    append_u32(out, static_cast<uint32_t>(data.size()) << 16 | type_number);
    out += data;
    out.append(4 - data.size(), '\0');
    return;
  }
  append_u32(out, type_number);
  append_u32(out, static_cast<uint32_t>(data.size()));
  out += data;
  out.append((8 - data.size() % 8) % 8, '\0');
}

std::string matrix_element(const MatVariable& variable) {
  check(is_numeric_class(variable.mat_class) && !variable.is_complex, "save_mat_file: variable '", variable.name,
        "' must be a real numeric array");
  const size_t element_size = mat_type_size(variable.storage_type);
  check(element_size != 0 && variable.real.size() == static_cast<size_t>(variable.numel()) * element_size,
        "save_mat_file: variable '", variable.name, "' has ", variable.real.size(), " bytes of data but its ",
        variable.dims.size(), " dimensions need ", variable.numel(), " values of ", element_size, " bytes");
  std::string flags, dims, body;
  append_u32(flags, static_cast<uint32_t>(variable.mat_class));
  append_u32(flags, 0);
  for (int64_t size : variable.dims) append_u32(dims, static_cast<uint32_t>(size));
  append_element(body, MatType::kUInt32, flags);
  append_element(body, MatType::kInt32, dims);
  append_element(body, MatType::kInt8, variable.name);
  append_element(body, variable.storage_type, variable.real);
  std::string matrix;
  append_element(matrix, MatType::kMatrix, body);
  return matrix;
}

}  // namespace

std::string mat_file_bytes(const std::vector<MatVariable>& variables, bool compressed) {
  std::string out = "MATLAB 5.0 MAT-file, written by gradschool";
  out.resize(kTextSize, ' ');
  out.append(8, '\0');                      // no subsystem data
  out += std::string{'\x00', '\x01'};       // version 0x0100, little-endian
  out += "IM";                              // "MI" written as a little-endian uint16
  for (const MatVariable& variable : variables) {
    const std::string matrix = matrix_element(variable);
    if (!compressed) {
      out += matrix;
      continue;
    }
    const std::string deflated = deflate_zlib(matrix);
    append_u32(out, static_cast<uint32_t>(MatType::kCompressed));
    append_u32(out, static_cast<uint32_t>(deflated.size()));
    out += deflated;  // unpadded, as MATLAB writes it
  }
  return out;
}

void save_mat_file(const std::string& path, const std::vector<MatVariable>& variables, bool compressed) {
  write_file_atomic(path, mat_file_bytes(variables, compressed));
}

}  // namespace gs::data
