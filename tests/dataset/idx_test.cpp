// IDX files and image datasets (rlnas/data/idx.h): well-formed files plain and gzip'd, every kind of
// damage with an error that names the file and what was expected, the seeded split against numpy's
// RandomState.permutation, and Debian's dataset-fashion-mnist when it is installed.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "../common/error_of.h"
#include "rlnas/core/error.h"
#include "rlnas/core/gzip.h"
#include "rlnas/data/idx.h"

namespace rlnas::data {
namespace {

namespace fs = std::filesystem;

fs::path fresh(const std::string& name) {
  const auto d = fs::temp_directory_path() / "rlnas_idx_test" / name;
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

std::string be32(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
}

// An IDX file of unsigned bytes with these dimensions and values.
std::string idx(const std::vector<uint32_t>& dims, const std::string& values) {
  std::string s = be32(0x00000800u | static_cast<uint32_t>(dims.size()));
  for (auto d : dims) s += be32(d);
  return s + values;
}

void write(const fs::path& p, const std::string& bytes) { std::ofstream(p, std::ios::binary) << bytes; }

using test_util::error_of;

// A tiny dataset: 6 training and 2 test images of 2x3, labels 0-2; the training labels gzip'd.
fs::path tiny(const std::string& name) {
  const auto d = fresh(name);
  std::string train(6 * 6, '\0'), test(2 * 6, '\0');
  for (size_t i = 0; i < train.size(); ++i) train[i] = static_cast<char>(i * 7 % 256);
  for (size_t i = 0; i < test.size(); ++i) test[i] = static_cast<char>(255 - i);
  write(d / "train-images-idx3-ubyte", idx({6, 2, 3}, train));
  write(d / "train-labels-idx1-ubyte.gz", io::gzip_compress(idx({6}, std::string("\0\1\2\0\1\2", 6))));
  write(d / "t10k-images-idx3-ubyte", idx({2, 2, 3}, test));
  write(d / "t10k-labels-idx1-ubyte", idx({2}, std::string("\2\0", 2)));
  return d;
}

TEST(Idx, ReadsPlainAndGzippedFiles) {
  const auto d = tiny("read");
  const auto ds = load_image_dataset("idx:" + d.string());
  EXPECT_EQ(ds.height, 2);
  EXPECT_EQ(ds.width, 3);
  EXPECT_EQ(ds.classes, 3);  // the largest label + 1
  EXPECT_EQ(ds.train_images.count(), 6);
  EXPECT_EQ(ds.test_images.count(), 2);
  EXPECT_EQ(ds.train_images.values[7], 49);
  EXPECT_EQ(ds.train_labels.values, (std::vector<uint8_t>{0, 1, 2, 0, 1, 2}));
  EXPECT_EQ(ds.test_labels.values, (std::vector<uint8_t>{2, 0}));
  EXPECT_EQ(ds.source, d.string());
}

TEST(Idx, DamagedFilesSayWhatWasExpected) {
  const auto d = fresh("damaged");
  const auto p = (d / "x").string();
  write(p, "ab");
  EXPECT_NE(error_of([&] { read_idx(p, 1); }).find("expected a 4-byte magic number, found 2 bytes"), std::string::npos);
  write(p, be32(0x00000d01) + be32(1) + "x");  // floats, not bytes
  EXPECT_NE(error_of([&] { read_idx(p, 1); }).find("expected a magic number 0x00000801, found 0x00000d01"), std::string::npos);
  write(p, idx({2, 2}, "abcd"));
  EXPECT_NE(error_of([&] { read_idx(p, 3); }).find("expected 3 dimension(s) (images), found 2"), std::string::npos);
  write(p, idx({4}, "abc"));
  EXPECT_NE(error_of([&] { read_idx(p, 1); }).find("declares 4 bytes of data, the file holds 3 (truncated?)"), std::string::npos);
  write(p, idx({2}, "abc"));
  EXPECT_NE(error_of([&] { read_idx(p, 1); }).find("(trailing bytes)"), std::string::npos);
  write(p, idx({0}, ""));
  EXPECT_NE(error_of([&] { read_idx(p, 1); }).find("dimension 0 is 0"), std::string::npos);
  write(p, io::gzip_compress(idx({3}, "abc")).substr(0, 12));
  EXPECT_NE(error_of([&] { read_idx(p, 1); }).find("gzip"), std::string::npos);
  EXPECT_NE(error_of([&] { read_idx((d / "none").string(), 1); }).find("none"), std::string::npos);
}

TEST(Idx, DatasetsCheckCountsLabelsAndSizes) {
  auto d = tiny("counts");
  write(d / "t10k-labels-idx1-ubyte", idx({3}, std::string("\0\1\2", 3)));
  auto msg = error_of([&] { load_image_dataset("idx:" + d.string()); });
  EXPECT_NE(msg.find("holds 2 images but"), std::string::npos) << msg;
  EXPECT_NE(msg.find("holds 3 labels"), std::string::npos) << msg;

  d = tiny("sizes");
  write(d / "t10k-images-idx3-ubyte", idx({2, 3, 2}, std::string(12, '\0')));
  msg = error_of([&] { load_image_dataset("idx:" + d.string()); });
  EXPECT_NE(msg.find("test images are 3x2, training images 2x3"), std::string::npos) << msg;

  // fashion-mnist has 10 classes: a label of 12 is an error naming the item.
  d = tiny("labels");
  write(d / "train-labels-idx1-ubyte.gz", io::gzip_compress(idx({6}, std::string("\0\1\2\0\14\2", 6))));
  msg = error_of([&] { load_image_dataset("fashion-mnist", d.string()); });
  EXPECT_NE(msg.find("label 12 at item 4, expected 0 to 9"), std::string::npos) << msg;

  // Missing files name the package, or what idx:DIR needs.
  msg = error_of([&] { load_image_dataset("fashion-mnist", (d / "nowhere").string()); });
  EXPECT_NE(msg.find("apt-get install dataset-fashion-mnist"), std::string::npos) << msg;
  msg = error_of([&] { load_image_dataset("idx:" + (d / "nowhere").string()); });
  EXPECT_NE(msg.find("idx:DIR needs train-images-idx3-ubyte"), std::string::npos) << msg;
  msg = error_of([&] { load_image_dataset("cifar") ; });
  EXPECT_NE(msg.find("expected fashion-mnist or idx:DIR"), std::string::npos) << msg;
}

TEST(Idx, TheSplitIsNumpysPermutationAndNeverTouchesTheTestSet) {
  // numpy: RandomState(7).permutation(10) = [8 5 0 2 1 9 7 3 6 4].
  const auto s = split_train_validation(10, 3, 7);
  EXPECT_EQ(s.train, (std::vector<int64_t>{8, 5, 0, 2, 1, 9, 7}));
  EXPECT_EQ(s.validation, (std::vector<int64_t>{3, 6, 4}));
  // RandomState(1).permutation(60000): first [15281 21435 44536 13518 47529], last [5192 12172 33003].
  const auto big = split_train_validation(60000, 10000, 1);
  EXPECT_EQ(std::vector<int64_t>(big.train.begin(), big.train.begin() + 5),
            (std::vector<int64_t>{15281, 21435, 44536, 13518, 47529}));
  EXPECT_EQ(std::vector<int64_t>(big.validation.end() - 3, big.validation.end()), (std::vector<int64_t>{5192, 12172, 33003}));
  // Disjoint, complete, within the official training set (indices below 60,000: the test set is
  // another array that no split indexes).
  std::set<int64_t> all(big.train.begin(), big.train.end());
  for (auto v : big.validation) EXPECT_TRUE(all.insert(v).second);
  EXPECT_EQ(all.size(), 60000u);
  EXPECT_EQ(*all.rbegin(), 59999);
  // A limit keeps a prefix of the training indices; the validation split is unchanged.
  const auto small = split_train_validation(60000, 10000, 1, 5000);
  EXPECT_EQ(small.train.size(), 5000u);
  EXPECT_EQ(small.validation, big.validation);
  EXPECT_THROW(split_train_validation(10, 10, 1), Error);
}

TEST(Idx, PixelStatsOverTheGivenIndices) {
  IdxArray a;
  a.dims = {2, 1, 2};
  a.values = {0, 255, 255, 255};
  const auto s = pixel_stats(a, {0});
  EXPECT_NEAR(s.mean, 0.5, 1e-12);
  EXPECT_NEAR(s.std, 0.5, 1e-12);
  EXPECT_NEAR(pixel_stats(a, {1}).std, 0.0, 1e-12);
  EXPECT_THROW(pixel_stats(a, {2}), Error);
}

TEST(Idx, FashionMnistFromDebiansPackage) {
  if (!fs::exists(std::string(kFashionMnistDir) + "/train-images-idx3-ubyte.gz"))
    GTEST_SKIP() << "dataset-fashion-mnist is not installed (bash scripts/setup installs it)";
  const auto ds = load_image_dataset("fashion-mnist");
  EXPECT_EQ(ds.train_images.count(), 60000);
  EXPECT_EQ(ds.test_images.count(), 10000);
  EXPECT_EQ(ds.height, 28);
  EXPECT_EQ(ds.width, 28);
  EXPECT_EQ(ds.classes, 10);
  EXPECT_EQ(ds.class_names.size(), 10u);
  // Balanced: 6,000 training and 1,000 test images per class.
  std::vector<int> train(10, 0), test(10, 0);
  for (auto v : ds.train_labels.values) ++train[v];
  for (auto v : ds.test_labels.values) ++test[v];
  for (int c = 0; c < 10; ++c) {
    EXPECT_EQ(train[static_cast<size_t>(c)], 6000);
    EXPECT_EQ(test[static_cast<size_t>(c)], 1000);
  }
  const auto split = split_train_validation(60000, 10000, 1);
  const auto stats = pixel_stats(ds.train_images, split.train);
  EXPECT_NEAR(stats.mean, 0.286, 0.01);  // Fashion-MNIST's published mean and std
  EXPECT_NEAR(stats.std, 0.353, 0.01);
}

}  // namespace
}  // namespace rlnas::data
