// Image-classification data in the IDX format (LeCun's MNIST files; Debian's dataset-fashion-mnist):
// reading the files (plain or gzip'd, told apart by their first bytes) with every check a hostile
// or damaged file needs, the dataset of four files (train and test, images and labels), the seeded
// split of the official training images into training and validation, and the training split's
// normalisation statistics. No LibTorch: the workload turns these bytes into tensors.
//
// The one rule of the image workload: select on the validation split, report on the test split.
// The test images are kept apart (ImageDataset::test_*); no split here ever draws from them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rlnas::data {

// One IDX array of unsigned bytes (type code 0x08): its dimensions and its values, row-major.
struct IdxArray {
  std::vector<int64_t> dims;
  std::vector<uint8_t> values;
  int64_t count() const { return dims.empty() ? 0 : dims[0]; }  // items along the first dimension
};

// The most an IDX file may hold once inflated (the largest MNIST-like file is 47 MB).
inline constexpr size_t kMaxIdxBytes = size_t{1} << 30;

// Reads `path` (gzip'd when its first two bytes are gzip's magic). Throws rlnas::Error naming the
// path and what was expected and found: a missing file, a type other than unsigned bytes, a
// dimension count other than `expected_dims`, a size that disagrees with the header (truncated or
// with trailing bytes), a file past kMaxIdxBytes.
IdxArray read_idx(const std::string& path, int expected_dims);

// Images (N x H x W, values 0-255) and their labels (N, values 0 to classes - 1).
struct ImageDataset {
  std::string name;    // "fashion-mnist", or "idx:DIR"
  std::string source;  // the folder the files came from
  int64_t height = 0, width = 0, classes = 0;
  IdxArray train_images, train_labels;  // the official training set
  IdxArray test_images, test_labels;    // the official test set: reported on, never selected on
  std::vector<std::string> class_names;  // empty when unknown
};

// The folder of Debian's dataset-fashion-mnist package.
inline constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

// `spec` is "fashion-mnist" (the package's folder, or `fashion_dir` when given) or "idx:DIR" (a
// user's own data: DIR holds train-images-idx3-ubyte, train-labels-idx1-ubyte,
// t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte, each optionally .gz). Checks that images and
// labels agree in number, that labels are below the number of classes (10, or the largest label
// plus one for idx:), that training and test images have the same size. A missing fashion-mnist
// names the package to install.
ImageDataset load_image_dataset(const std::string& spec, const std::string& fashion_dir = kFashionMnistDir);

// The SHA-256 of an idx:DIR dataset's four files (names and contents): a trial's cache key holds it,
// so that changed files are other data. "" for fashion-mnist (a Debian package's fixed files) and
// where a file is missing.
std::string dataset_sha256(const std::string& spec);

// The official training images divided into training and validation: a seeded permutation of
// 0..n-1 (numpy's RandomState(seed).permutation), the first n - validation for training, the rest
// for validation; `limit` > 0 keeps only the first `limit` training indices (short tests).
struct Split {
  uint32_t seed = 0;
  std::vector<int64_t> train, validation;  // indices into ImageDataset::train_images
};
Split split_train_validation(int64_t n, int64_t validation, uint32_t seed, int64_t limit = 0);

// Mean and standard deviation of the pixel values (scaled to [0, 1]) over `indices` of `images`.
struct PixelStats {
  double mean = 0, std = 1;
};
PixelStats pixel_stats(const IdxArray& images, const std::vector<int64_t>& indices);

}  // namespace rlnas::data
