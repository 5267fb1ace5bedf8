// Level 5 MAT-files (MATLAB 5 to 7.2), read from the published "MAT-File
// Format" specification (The MathWorks). The parts a numeric file needs:
//
//   128-byte header: 116 bytes of text ("MATLAB 5.0 MAT-file, ..."), 8 bytes
//   of subsystem offset, a 2-byte version (0x0100) and the 2-byte endian
//   indicator "MI", which reads "IM" on a little-endian machine.
//
//   then data elements, each an 8-byte tag (uint32 type, uint32 byte count)
//   and the data, padded to a multiple of 8 bytes. A "small element" of at
//   most 4 bytes packs the tag into 4 bytes (uint16 count, uint16 type) and
//   the data into the other 4.
//
//   A variable is an miMATRIX element whose data is itself four elements:
//   array flags (class), dimensions, name and the real part. The real part may
//   be stored in a smaller type than its class (MATLAB writes a double array
//   of small whole numbers as miUINT8). An miCOMPRESSED element is a zlib
//   stream that inflates to one whole element (here: an miMATRIX).
//
// Arrays are column-major, as in MATLAB and Fortran: the FIRST index varies
// fastest, so element (i, j) of an m x n matrix is at i + j * m.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace gs::data {

// Data types of elements (the spec's miINT8 ... miUTF32).
enum class MatType : uint32_t {
  kInt8 = 1, kUInt8 = 2, kInt16 = 3, kUInt16 = 4, kInt32 = 5, kUInt32 = 6, kSingle = 7, kDouble = 9,
  kInt64 = 12, kUInt64 = 13, kMatrix = 14, kCompressed = 15, kUtf8 = 16, kUtf16 = 17, kUtf32 = 18,
};

// Array classes (the spec's mxCELL_CLASS ... mxUINT64_CLASS).
enum class MatClass : uint8_t {
  kCell = 1, kStruct = 2, kObject = 3, kChar = 4, kSparse = 5, kDouble = 6, kSingle = 7, kInt8 = 8,
  kUInt8 = 9, kInt16 = 10, kUInt16 = 11, kInt32 = 12, kUInt32 = 13, kInt64 = 14, kUInt64 = 15,
};

const char* mat_class_name(MatClass mat_class);  // "double", "uint8", ...

struct MatVariable {
  std::string name;
  MatClass mat_class = MatClass::kDouble;
  std::vector<int64_t> dims;               // MATLAB's order: rows, columns, pages, ...
  MatType storage_type = MatType::kDouble;  // how the real part's elements are stored
  std::string real;                         // the real part's raw little-endian elements, column-major
  bool is_complex = false;                  // the imaginary part is not kept

  int64_t numel() const;
  // The real part converted to double, whatever its storage type; `source`
  // names the file in errors. Only for numeric classes.
  std::vector<double> values(const std::string& source) const;
};

struct MatFile {
  std::string description;  // the header's text
  std::vector<MatVariable> variables;

  // The variable called `name`, or null.
  const MatVariable* find(const std::string& name) const;
};

MatFile read_mat_file(const std::string& path);
MatFile parse_mat_file(const std::string& bytes, const std::string& source);

// Writes numeric variables (real, any numeric storage type); compressed wraps
// each in miCOMPRESSED, as MATLAB's default -v7 does. For fixtures and tools.
std::string mat_file_bytes(const std::vector<MatVariable>& variables, bool compressed);
void save_mat_file(const std::string& path, const std::vector<MatVariable>& variables, bool compressed);

// Bytes of one element of each storage type (1 for miUINT8, 8 for miDOUBLE); 0 for non-numeric types.
size_t mat_type_size(MatType type);

}  // namespace gs::data
