// MNIST (LeCun, Cortes, Burges) and Fashion-MNIST (Xiao, Rasul, Vollgraf 2017):
// 28x28 grayscale, ten classes, the same four IDX files each:
//   train-images-idx3-ubyte.gz  train-labels-idx1-ubyte.gz   60,000 examples
//   t10k-images-idx3-ubyte.gz   t10k-labels-idx1-ubyte.gz    10,000 examples
// (uncompressed files without .gz are accepted too).
#pragma once
#include <string>
#include <vector>

#include "data/dataset.h"
#include "data/pixel_range.h"

namespace gs::data {

enum class Split { kTrain, kTest };

// Where MNIST is: the --data flag when given (it must hold the files), else
// data/mnist, else $GRADSCHOOL_DATA_MIRROR/mnist or $GRADSCHOOL_DATA_MIRROR itself.
// "" when none holds the four files.
std::string find_mnist_dir(const std::string& data_flag = "");
// Fashion-MNIST: the flag, data/fashion-mnist, then Debian's dataset-fashion-mnist
// package (/usr/share/datasets/fashion-mnist). "" when absent.
std::string find_fashion_mnist_dir(const std::string& data_flag = "");

// True when `dir` holds the four MNIST-style files (gzipped or not).
bool has_mnist_files(const std::string& dir);

// Images [N, 1, 28, 28] float32 in `range`, labels [N] int64 0..9. An empty
// `dir` gives a gs::Error that says how to get the data (make data).
Dataset load_mnist(const std::string& dir, Split split, PixelRange range = PixelRange::kMinusOneToOne);
Dataset load_fashion_mnist(const std::string& dir, Split split, PixelRange range = PixelRange::kMinusOneToOne);

// The first directory in `candidates` whose `has_files(dir)` is true, or "".
// A non-empty flag is the only candidate: it or its `subdir` must hold the
// files (gs::Error otherwise, naming `what`, e.g. "MNIST files (the four ...)").
std::string find_data_dir(const std::string& data_flag, const std::vector<std::string>& candidates,
                          bool (*has_files)(const std::string&), const std::string& what,
                          const std::string& subdir);
// $GRADSCHOOL_DATA_MIRROR/<subdir> and $GRADSCHOOL_DATA_MIRROR, when the variable is set.
std::vector<std::string> mirror_candidates(const std::string& subdir);

}  // namespace gs::data
