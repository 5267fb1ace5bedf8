#include "apps/ssl/ssl_data.h"

#include "data/cifar10.h"
#include "data/svhn.h"

namespace gs::apps {

Tensor pad_to_32x32_rgb(const Tensor& digits) {
  check(digits.dim() == 4 && digits.size(1) == 1 && digits.size(2) == 28 && digits.size(3) == 28,
        "pad_to_32x32_rgb: expects digits [N, 1, 28, 28], got ", shape_str(digits.shape()));
  const int64_t n = digits.size(0);
  Tensor padded = full({n, 3, 32, 32}, -1.0);
  padded.narrow(2, 2, 28).narrow(3, 2, 28).copy_(digits.expand({n, 3, 28, 28}));
  return padded;
}

data::Dataset load_ssl_dataset(const std::string& dataset, const std::string& data_flag, data::Split split,
                               const SslArchitecture& architecture) {
  using data::PixelRange;
  const PixelRange range = architecture.range;
  data::Dataset result;
  if (dataset == "mnist" || dataset == "mnist32") {
    const std::string dir = data::find_mnist_dir(data_flag);
    check(!dir.empty(), "MNIST not found", data_flag.empty() ? "" : " in " + data_flag,
          ": run `make data`, or point --data at a folder holding the four *-ubyte.gz files");
    result = data::load_mnist(dir, split, dataset == "mnist32" ? PixelRange::kMinusOneToOne : range);
    if (dataset == "mnist32") result.images = pad_to_32x32_rgb(result.images);
  } else if (dataset == "fashion") {
    const std::string dir = data::find_fashion_mnist_dir(data_flag);
    check(!dir.empty(), "Fashion-MNIST not found: `apt-get install dataset-fashion-mnist` or use --data");
    result = data::load_fashion_mnist(dir, split, range);
  } else if (dataset == "svhn") {
    result = data::load_svhn(data::find_svhn_dir(data_flag), split, range);
  } else if (dataset == "cifar10") {
    const std::string dir = data::find_cifar10_dir(data_flag);
    check(!dir.empty(), "CIFAR-10 not found: point --data at the folder of data_batch_1.bin .. test_batch.bin");
    result = data::load_cifar10(dir, split, range);
  } else {
    fail("unknown --dataset '", dataset, "' (expected mnist, fashion, mnist32, svhn or cifar10)");
  }
  const Shape expected(architecture.image_shape.begin(), architecture.image_shape.end());
  const Shape got(result.images.shape().begin() + 1, result.images.shape().end());
  check(got == expected, "--arch ", architecture.name, " takes images ", shape_str(expected), " but --dataset ",
        dataset, " has ", shape_str(got),
        architecture.name == "mnist-mlp" ? " (use --dataset mnist or fashion)"
                                         : " (use --dataset svhn, cifar10 or mnist32)");
  return result;
}

}  // namespace gs::apps
