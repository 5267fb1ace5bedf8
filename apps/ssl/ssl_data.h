// The datasets of the ssl app, in the shape and pixel range of the chosen
// architecture: mnist and fashion as 1x28x28 in [0, 1] for mnist-mlp;
// svhn, cifar10 and mnist32 (MNIST padded to 32x32 and copied into 3
// channels, for trying the SVHN models without SVHN) as 3x32x32 in [-1, 1].
#pragma once
#include <string>

#include "apps/ssl/ssl_models.h"
#include "data/dataset.h"
#include "data/mnist.h"

namespace gs::apps {

data::Dataset load_ssl_dataset(const std::string& dataset, const std::string& data_flag, data::Split split,
                               const SslArchitecture& architecture);

// [N, 1, 28, 28] in [-1, 1] -> [N, 3, 32, 32], the border at -1 (black).
Tensor pad_to_32x32_rgb(const Tensor& digits);

}  // namespace gs::apps
