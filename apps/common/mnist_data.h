// Which 28x28 digit-like dataset an app trains on (--dataset mnist|fashion),
// found through --data, data/, $GRADSCHOOL_DATA_MIRROR or Debian's package.
#pragma once
#include <string>

#include "data/dataset.h"
#include "data/mnist.h"

namespace gs::apps {

// Throws gs::Error saying how to get the files when they cannot be found.
data::Dataset load_digits(const std::string& dataset, const std::string& data_flag, data::Split split);

}  // namespace gs::apps
