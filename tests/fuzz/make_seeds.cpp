// Writes the seed corpora of the fuzz harnesses (CORPUS_DIR/<harness>/) with
// the project's own writers: a few small valid files of each format.
// scripts/fuzz.sh runs it before every campaign:
//   build/fuzz/fuzz/make_seeds build/fuzz/seeds
#include <filesystem>

#include "autograd/ops.h"
#include "data/idx.h"
#include "data/mat_file.h"
#include "data/zlib_stream.h"
#include "nn/checkpoint.h"
#include "tensor/file_io.h"
#include "tensor/npy.h"

using namespace gs;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
    return 2;
  }
  const std::string root = argv[1];
  auto seed = [&](const std::string& harness, const std::string& name, const std::string& bytes) {
    std::filesystem::create_directories(root + "/" + harness);
    write_file_atomic(root + "/" + harness + "/" + name, bytes);
  };
  std::string pixels;
  for (int i = 0; i < 3 * 4 * 5; ++i) pixels += static_cast<char>(i * 4);
  const std::string images = data::idx_file_bytes({3, 4, 5}, pixels);
  seed("fuzz_idx", "images.idx", images);
  seed("fuzz_idx", "images.idx.gz", data::gzip(images));
  seed("fuzz_idx", "labels.idx", data::idx_file_bytes({3}, std::string("\x01\x07\x09", 3)));

  data::MatVariable x, y;
  x.name = "X";
  x.mat_class = data::MatClass::kUInt8;
  x.storage_type = data::MatType::kUInt8;
  x.dims = {2, 2, 3, 2};
  for (int i = 0; i < 24; ++i) x.real.push_back(static_cast<char>(i * 10));
  y.name = "y";
  y.dims = {2, 1};
  for (double label : {3.0, 10.0}) {
    const char* bytes = reinterpret_cast<const char*>(&label);
    y.real.append(bytes, sizeof label);
  }
  seed("fuzz_mat_file", "svhn.mat", data::mat_file_bytes({x, y}, false));
  seed("fuzz_mat_file", "svhn-compressed.mat", data::mat_file_bytes({x, y}, true));

  std::string record(1 + 3072, '\0');
  record[0] = 7;
  for (size_t i = 1; i < record.size(); ++i) record[i] = static_cast<char>(i % 251);
  seed("fuzz_cifar10", "two-records.bin", record + record);

  StateDict state;
  state["weight"] = arange(6, kFloat32).view({2, 3});
  state["run.position"] = tensor(std::vector<int64_t>{12, 1, 3});
  state["mask"] = tensor(std::vector<uint8_t>{0, 1, 1});
  seed("fuzz_safetensors", "checkpoint.safetensors", to_safetensors(state, {{"format", "seed"}}));

  const std::string npy_path = root + "/tmp-seed.npy";
  save_npy(arange(12, kFloat64).view({3, 4}), npy_path);
  seed("fuzz_npy", "float64.npy", read_file(npy_path));
  save_npy(tensor(std::vector<int64_t>{5, -2}), npy_path);
  seed("fuzz_npy", "int64.npy", read_file(npy_path));
  std::filesystem::remove(npy_path);

  seed("fuzz_run_log", "rows", std::string("\x03", 1) + "1,1,0.7,2.1,0.5\n2,1,0.6,2.0,1.0\n3,1,0.5,1.9,1.5\n4,1,0.4");
  return 0;
}
