#include "apps/common/mnist_data.h"

namespace gs::apps {

data::Dataset load_digits(const std::string& dataset, const std::string& data_flag, data::Split split) {
  if (dataset == "mnist") {
    const std::string dir = data::find_mnist_dir(data_flag);
    check(!dir.empty(), "MNIST not found", data_flag.empty() ? "" : " in " + data_flag,
          ": run `make data` (or scripts/fetch-data.sh mnist), point --data at a folder holding the four ",
          "*-ubyte.gz files, or use --dataset fashion with Debian's dataset-fashion-mnist package");
    return data::load_mnist(dir, split);
  }
  if (dataset == "fashion") {
    const std::string dir = data::find_fashion_mnist_dir(data_flag);
    check(!dir.empty(), "Fashion-MNIST not found: install it with `apt-get install dataset-fashion-mnist` ",
          "or point --data at a folder holding its four *-ubyte.gz files");
    return data::load_fashion_mnist(dir, split);
  }
  fail("unknown dataset '", dataset, "' (expected mnist or fashion)");
}

}  // namespace gs::apps
