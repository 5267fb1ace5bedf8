#include "data/zlib_stream.h"

#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <limits>

#include "tensor/error.h"
#include "tensor/file_io.h"

namespace gs::data {
namespace {

// zlib's window-bits argument chooses the wrapper: 15 is zlib, 15 + 16 is gzip.
constexpr int kZlibWrapper = MAX_WBITS;
constexpr int kGzipWrapper = MAX_WBITS + 16;
// DEFLATE never expands data more than about 1032:1, so no honest stream
// inflates to more than that; a size hint above it is a lie and is not trusted.
constexpr uint64_t kMaxDeflateRatio = 1032;

std::string inflate_stream(const char* compressed, size_t size, int window_bits, uint64_t size_hint,
                           const std::string& source, const char* kind) {
  z_stream stream{};
  check(inflateInit2(&stream, window_bits) == Z_OK, source, ": zlib could not start inflating");
  std::string out;
  out.resize(std::max<uint64_t>(std::min<uint64_t>(size_hint, kMaxDeflateRatio * size), 4096));
  size_t produced = 0;
  size_t consumed = 0;
  int status = Z_OK;
  while (status != Z_STREAM_END) {
    if (produced == out.size()) out.resize(out.size() * 2);
    // zlib counts in uInt (32 bits), so feed at most 1 GiB at a time.
    const size_t chunk = size_t{1} << 30;
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed + consumed));
    stream.avail_in = static_cast<uInt>(std::min(size - consumed, chunk));
    stream.next_out = reinterpret_cast<Bytef*>(&out[produced]);
    stream.avail_out = static_cast<uInt>(std::min(out.size() - produced, chunk));
    const uInt in_before = stream.avail_in, out_before = stream.avail_out;
    status = inflate(&stream, Z_NO_FLUSH);
    consumed += in_before - stream.avail_in;
    produced += out_before - stream.avail_out;
    if (status == Z_STREAM_END) break;
    if (status == Z_BUF_ERROR && consumed == size) status = Z_DATA_ERROR;  // wants input that is not there
    if (status != Z_OK && status != Z_BUF_ERROR) {
      std::string reason = consumed == size ? "it ends early (truncated file?)"
                                            : std::string("corrupt data (") + (stream.msg ? stream.msg : "zlib error") + ")";
      inflateEnd(&stream);
      fail(source, ": cannot inflate the ", kind, " stream: ", reason);
    }
  }
  inflateEnd(&stream);
  out.resize(produced);
  return out;
}

std::string deflate_stream(const std::string& bytes, int window_bits) {
  z_stream stream{};
  check(deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY) == Z_OK,
        "zlib could not start deflating");
  check(bytes.size() < std::numeric_limits<uInt>::max() / 2, "deflate: input too large for one call");
  std::string out(deflateBound(&stream, bytes.size()) + 32, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  stream.avail_in = static_cast<uInt>(bytes.size());
  stream.next_out = reinterpret_cast<Bytef*>(&out[0]);
  stream.avail_out = static_cast<uInt>(out.size());
  const int status = deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  check(status == Z_STREAM_END, "deflate: zlib did not finish the stream");
  return out;
}

}  // namespace

bool is_gzip(const std::string& bytes) {
  return bytes.size() >= 2 && static_cast<uint8_t>(bytes[0]) == 0x1f && static_cast<uint8_t>(bytes[1]) == 0x8b;
}

std::string gunzip(const std::string& compressed, const std::string& source) {
  // gzip's last four bytes hold the inflated size mod 2^32: a hint for the
  // first allocation, capped so a forged trailer cannot demand gigabytes.
  uint64_t size_hint = 0;
  if (compressed.size() >= 18) {
    const auto* tail = reinterpret_cast<const uint8_t*>(compressed.data() + compressed.size() - 4);
    size_hint = tail[0] | tail[1] << 8 | tail[2] << 16 | uint64_t{tail[3]} << 24;
  }
  return inflate_stream(compressed.data(), compressed.size(), kGzipWrapper, size_hint, source, "gzip");
}

std::string inflate_zlib(const char* compressed, size_t size, const std::string& source) {
  return inflate_stream(compressed, size, kZlibWrapper, 4 * size, source, "zlib");
}

std::string gzip(const std::string& bytes) { return deflate_stream(bytes, kGzipWrapper); }
std::string deflate_zlib(const std::string& bytes) { return deflate_stream(bytes, kZlibWrapper); }

std::string read_maybe_gzipped(const std::string& path) {
  std::string bytes = read_file(path);
  return is_gzip(bytes) ? gunzip(bytes, path) : bytes;
}

}  // namespace gs::data
