// SVHN, "The Street View House Numbers" (Netzer et al., NIPS Workshop 2011),
// format 2: 32x32 colour crops centred on one digit, in two MAT-files
//   train_32x32.mat (73,257 images)   test_32x32.mat (26,032 images)
// each holding X, uint8 32 x 32 x 3 x N (row, column, colour, image; MATLAB's
// column-major order), and y, N x 1 labels 1..10 where 10 stands for the digit 0.
#pragma once
#include <string>

#include "data/dataset.h"
#include "data/mnist.h"
#include "data/pixel_range.h"

namespace gs::data {

// Images [N, 3, H, W] float32 in `range`, labels [N] int64 0..9 (label 10 becomes 0).
// gs::Error naming the file for a missing variable, a wrong class or shape, or a label outside 1..10.
Dataset load_svhn_file(const std::string& path, PixelRange range = PixelRange::kMinusOneToOne);
// The same from a MAT-file's bytes in memory; `source` names them in errors.
Dataset parse_svhn_file(const std::string& bytes, const std::string& source,
                        PixelRange range = PixelRange::kMinusOneToOne);

// The --data flag, data/svhn, $GRADSCHOOL_DATA_MIRROR/svhn, $GRADSCHOOL_DATA_MIRROR; "" when absent.
std::string find_svhn_dir(const std::string& data_flag = "");
bool has_svhn_files(const std::string& dir);
// dir/train_32x32.mat or dir/test_32x32.mat; an empty dir explains how to get them.
Dataset load_svhn(const std::string& dir, Split split, PixelRange range = PixelRange::kMinusOneToOne);

}  // namespace gs::data
