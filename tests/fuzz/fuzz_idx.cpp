// IDX (MNIST's format), raw or gzipped, then the images and labels built from it.
#include "data/idx.h"
#include "data/zlib_stream.h"
#include "tests/fuzz/fuzz_harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return gs::fuzz::read_or_refuse(data, size, [](const std::string& bytes) {
    const std::string raw = gs::data::is_gzip(bytes) ? gs::data::gunzip(bytes, gs::fuzz::kSource) : bytes;
    const gs::data::IdxArray array = gs::data::parse_idx(raw, gs::fuzz::kSource);
    if (array.dims.size() == 3)
      gs::data::bytes_to_images(reinterpret_cast<const uint8_t*>(array.bytes.data()), array.dims[0], 1, array.dims[1],
                                array.dims[2], gs::data::PixelRange::kMinusOneToOne);
  });
}
