// The Level 5 MAT-file reader, checked against bytes assembled by hand from
// the "MAT-File Format" specification (so it is not only tested against our
// own writer), then the writer against the same bytes.
#include <cstring>

#include "data/mat_file.h"
#include "data/zlib_stream.h"
#include "tests/data_fixtures.h"
#include "tests/helpers.h"

using namespace gs;
using namespace gs::data;
using gs::testing::error_message;
using gs::testing::le32;
using gs::testing::TempDir;

namespace {

std::string header(const std::string& text) {
  std::string bytes = text;
  bytes.resize(116, ' ');
  bytes.append(8, '\0');               // subsystem data offset: none
  bytes += std::string{'\x00', '\x01'};  // version 0x0100
  bytes += "IM";                       // endian indicator "MI" as a little-endian uint16
  return bytes;
}

std::string doubles(std::initializer_list<double> values) {
  std::string bytes;
  for (double v : values) bytes.append(reinterpret_cast<const char*>(&v), 8);
  return bytes;
}

// A = [1 2 3; 4 5 6], class double: stored column by column as 1 4 2 5 3 6.
std::string matrix_a() {
  std::string body;
  body += le32(6) + le32(8) + le32(6) + le32(0);         // array flags: miUINT32, 8 bytes, class mxDOUBLE (6)
  body += le32(5) + le32(8) + le32(2) + le32(3);         // dimensions: miINT32, 8 bytes, 2 x 3
  body += le32(1 << 16 | 1) + std::string{'A', 0, 0, 0};  // name: small element, 1 byte of miINT8
  body += le32(9) + le32(48) + doubles({1, 4, 2, 5, 3, 6});  // real part: miDOUBLE, 48 bytes
  return le32(14) + le32(static_cast<uint32_t>(body.size())) + body;  // miMATRIX
}

// lbl = [1; 10; 3; 7], class double but stored as miUINT8, as MATLAB does for
// small whole numbers; 4 bytes, so the real part is a small element too.
std::string matrix_lbl() {
  std::string body;
  body += le32(6) + le32(8) + le32(6) + le32(0);
  body += le32(5) + le32(8) + le32(4) + le32(1);
  body += le32(3 << 16 | 1) + std::string{'l', 'b', 'l', 0};
  body += le32(4 << 16 | 2) + std::string{1, 10, 3, 7};
  return le32(14) + le32(static_cast<uint32_t>(body.size())) + body;
}

std::string hand_made_file() { return header("MATLAB 5.0 MAT-file, assembled by hand") + matrix_a() + matrix_lbl(); }

void check_hand_made_variables(const MatFile& file) {
  REQUIRE(file.variables.size() == 2);
  const MatVariable* a = file.find("A");
  REQUIRE(a != nullptr);
  CHECK(a->mat_class == MatClass::kDouble);
  CHECK(a->dims == std::vector<int64_t>{2, 3});
  const std::vector<double> values = a->values("test");
  CHECK(values == std::vector<double>{1, 4, 2, 5, 3, 6});
  CHECK(values[0 + 2 * 2] == 3);  // A(1,3) in MATLAB's 1-based terms: row 0 + column 2 * 2 rows
  const MatVariable* lbl = file.find("lbl");
  REQUIRE(lbl != nullptr);
  CHECK(lbl->mat_class == MatClass::kDouble);
  CHECK(lbl->storage_type == MatType::kUInt8);
  CHECK(lbl->dims == std::vector<int64_t>{4, 1});
  CHECK(lbl->values("test") == std::vector<double>{1, 10, 3, 7});
  CHECK(file.find("B") == nullptr);
}

MatVariable uint8_variable(const std::string& name, std::vector<int64_t> dims, const std::string& bytes) {
  MatVariable v;
  v.name = name;
  v.mat_class = MatClass::kUInt8;
  v.storage_type = MatType::kUInt8;
  v.dims = std::move(dims);
  v.real = bytes;
  return v;
}

}  // namespace

TEST_CASE("a MAT-file assembled byte by byte from the specification reads correctly") {
  const std::string bytes = hand_made_file();
  CHECK(bytes.size() == 128 + 8 + 96 + 8 + 48);
  const MatFile file = parse_mat_file(bytes, "hand-made.mat");
  CHECK(file.description == "MATLAB 5.0 MAT-file, assembled by hand");
  check_hand_made_variables(file);
}

TEST_CASE("a variable inside an miCOMPRESSED element (a zlib stream of one miMATRIX) reads the same") {
  const std::string a = deflate_zlib(matrix_a()), lbl = deflate_zlib(matrix_lbl());
  // Compressed elements are not padded to 8 bytes.
  const std::string bytes = header("MATLAB 5.0 MAT-file") + le32(15) + le32(static_cast<uint32_t>(a.size())) + a +
                            le32(15) + le32(static_cast<uint32_t>(lbl.size())) + lbl;
  check_hand_made_variables(parse_mat_file(bytes, "compressed.mat"));
}

TEST_CASE("the MAT writer lays out a variable exactly as the specification does") {
  MatVariable a;
  a.name = "A";
  a.dims = {2, 3};
  a.real = doubles({1, 4, 2, 5, 3, 6});
  MatVariable lbl;
  lbl.name = "lbl";
  lbl.dims = {4, 1};
  lbl.storage_type = MatType::kUInt8;
  lbl.real = std::string{1, 10, 3, 7};
  const std::string written = mat_file_bytes({a, lbl}, false);
  CHECK(written.substr(0, 19) == "MATLAB 5.0 MAT-file");
  CHECK(written.substr(116) == hand_made_file().substr(116));
}

TEST_CASE("MAT files written compressed and uncompressed read back exactly") {
  TempDir dir;
  std::string pixels;
  for (int i = 0; i < 4 * 3 * 3 * 2; ++i) pixels += static_cast<char>(i * 7);
  MatVariable x = uint8_variable("X", {4, 3, 3, 2}, pixels);
  MatVariable y;
  y.name = "y";
  y.dims = {2, 1};
  y.real = doubles({10, 4});
  for (bool compressed : {false, true}) {
    INFO("compressed: " << compressed);
    const std::string path = dir.file("fixture.mat");
    save_mat_file(path, {x, y}, compressed);
    const MatFile file = read_mat_file(path);
    REQUIRE(file.variables.size() == 2);
    CHECK(file.variables[0].name == "X");
    CHECK(file.variables[0].mat_class == MatClass::kUInt8);
    CHECK(file.variables[0].dims == x.dims);
    CHECK(file.variables[0].real == pixels);
    CHECK(file.variables[1].values(path) == std::vector<double>{10, 4});
  }
}

TEST_CASE("every truncation of a MAT-file is a gs::Error naming the file, or a shorter valid file") {
  TempDir dir;
  const std::string whole = hand_made_file();
  const size_t after_a = 128 + 8 + 96;
  for (size_t length = 0; length < whole.size(); ++length) {
    const std::string path = dir.write("cut.mat", whole.substr(0, length));
    INFO("length " << length);
    if (length == 128 || length == after_a) {  // cut between elements: a file with fewer variables
      CHECK(read_mat_file(path).variables.size() == (length == 128 ? 0u : 1u));
      continue;
    }
    const std::string message = error_message([&] { read_mat_file(path); });
    INFO(message);
    CHECK(message.find(path + ": ") == 0);
    if (length < 128) {
      CHECK(message.find("not a MAT-file: it has " + std::to_string(length) + " bytes, fewer than the 128-byte header") !=
            std::string::npos);
    } else {
      CHECK(message.find("truncated MAT-file") != std::string::npos);
    }
  }
}

TEST_CASE("broken MAT-files give errors that say what is wrong") {
  TempDir dir;
  std::string bytes = hand_made_file();
  bytes.replace(0, 6, "HDF5!!");
  std::string path = dir.write("text.mat", bytes);
  CHECK(error_message([&] { read_mat_file(path); }) ==
        path + ": not a MAT-file: the header text should begin with \"MATLAB\"");

  path = dir.write("v73.mat", header("MATLAB 7.3 MAT-file, Platform: GLNXA64"));
  CHECK(error_message([&] { read_mat_file(path); }).find("this is a MATLAB v7.3 MAT-file, which is HDF5 inside") !=
        std::string::npos);

  bytes = hand_made_file();
  bytes[126] = 'M';
  bytes[127] = 'I';
  path = dir.write("big.mat", bytes);
  CHECK(error_message([&] { read_mat_file(path); }) ==
        path + ": big-endian MAT-files are not supported (the endian indicator reads \"MI\")");

  // Dimensions forged to 2^31-1 x 2^31-1 over 6 stored values.
  bytes = hand_made_file();
  const std::string huge = le32(0x7fffffff);
  bytes.replace(128 + 8 + 16 + 8, 8, huge + huge);
  path = dir.write("dims.mat", bytes);
  CHECK(error_message([&] { read_mat_file(path); }) ==
        path + ": corrupt MAT-file: variable 'A' has dimensions that need more than 6 values but its real part holds 6");

  // A damaged zlib stream.
  std::string a = deflate_zlib(matrix_a());
  a[a.size() / 2] = static_cast<char>(a[a.size() / 2] ^ 0x55);
  path = dir.write("zlib.mat", header("MATLAB 5.0 MAT-file") + le32(15) + le32(static_cast<uint32_t>(a.size())) + a);
  CHECK(error_message([&] { read_mat_file(path); }).find(path + ": cannot inflate the zlib stream") == 0);

  // An element claiming 4 GB.
  bytes = header("MATLAB 5.0 MAT-file") + le32(14) + le32(0xffffffff) + std::string(16, '\0');
  path = dir.write("huge.mat", bytes);
  CHECK(error_message([&] { read_mat_file(path); }) ==
        path + ": truncated MAT-file: the miMATRIX element at byte 128 of the file claims 4294967295 bytes but only "
               "16 remain");
}
