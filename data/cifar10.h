// CIFAR-10 (Krizhevsky 2009), binary version: data_batch_1.bin .. data_batch_5.bin
// (10,000 images each) and test_batch.bin. Each record is 3073 bytes: the label
// 0..9, then the 32x32 red plane, green plane and blue plane, each row-major.
// Gzipped files (.bin.gz) are read too.
#pragma once
#include <string>

#include "data/dataset.h"
#include "data/mnist.h"
#include "data/pixel_range.h"

namespace gs::data {

// One batch file: images [N, 3, 32, 32] float32 in `range`, labels [N] int64.
Dataset load_cifar10_batch(const std::string& path, PixelRange range = PixelRange::kMinusOneToOne);
// The same from bytes in memory (already gunzipped); `source` names them in errors.
Dataset parse_cifar10_batch(const std::string& bytes, const std::string& source,
                            PixelRange range = PixelRange::kMinusOneToOne);

// The --data flag, data/cifar10 (or data/cifar10/cifar-10-batches-bin), then
// $GRADSCHOOL_DATA_MIRROR/cifar10 and the mirror itself; "" when absent.
std::string find_cifar10_dir(const std::string& data_flag = "");
bool has_cifar10_files(const std::string& dir);
// The five training batches concatenated, or the test batch.
Dataset load_cifar10(const std::string& dir, Split split, PixelRange range = PixelRange::kMinusOneToOne);

}  // namespace gs::data
