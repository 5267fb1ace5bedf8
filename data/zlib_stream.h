// zlib, the compression inside .gz files (gzip wrapper, RFC 1952) and inside
// MAT-files' miCOMPRESSED elements (zlib wrapper, RFC 1950). Both wrap the same
// DEFLATE stream (RFC 1951); only the header and checksum differ.
#pragma once
#include <string>

namespace gs::data {

// True when `bytes` starts with gzip's magic number 1f 8b.
bool is_gzip(const std::string& bytes);

// Inflates a whole gzip stream; gs::Error naming `source` (a file name, for the
// message) if it is truncated or corrupt.
std::string gunzip(const std::string& compressed, const std::string& source);
// Inflates `size` bytes at `compressed` holding one zlib stream.
std::string inflate_zlib(const char* compressed, size_t size, const std::string& source);

// The writers, used by tests to make fixtures and by the MAT writer.
std::string gzip(const std::string& bytes);
std::string deflate_zlib(const std::string& bytes);

// The file's bytes, gunzipped when they are a gzip stream.
std::string read_maybe_gzipped(const std::string& path);

}  // namespace gs::data
