// IDX files and image datasets (see rlnas/data/idx.h).
#include "rlnas/data/idx.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <numeric>

#include "rlnas/core/error.h"
#include "rlnas/core/gzip.h"
#include "rlnas/core/io.h"
#include "rlnas/core/sha256.h"
#include "rlnas/core/rng.h"

namespace rlnas::data {
namespace {

namespace fs = std::filesystem;

uint32_t big_endian(const std::string& s, size_t at) {
  return (static_cast<uint32_t>(static_cast<unsigned char>(s[at])) << 24) |
         (static_cast<uint32_t>(static_cast<unsigned char>(s[at + 1])) << 16) |
         (static_cast<uint32_t>(static_cast<unsigned char>(s[at + 2])) << 8) |
         static_cast<uint32_t>(static_cast<unsigned char>(s[at + 3]));
}

// The file of `stem` in `dir`: the plain name, else the name with ".gz".
std::string find_file(const std::string& dir, const std::string& stem) {
  for (const auto& name : {stem, stem + ".gz"}) {
    const auto p = fs::path(dir) / name;
    if (fs::exists(p)) return p.string();
  }
  return "";
}

const char* const kStems[] = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                             "t10k-labels-idx1-ubyte"};

// The four files of a dataset folder ("" where one is missing).
std::array<std::string, 4> dataset_files(const std::string& dir) {
  std::array<std::string, 4> paths;
  for (int i = 0; i < 4; ++i) paths[i] = find_file(dir, kStems[i]);
  return paths;
}

}  // namespace

std::string dataset_sha256(const std::string& spec) {
  if (spec.rfind("idx:", 0) != 0) return "";
  Sha256 h;
  for (const auto& p : dataset_files(spec.substr(4))) {
    if (p.empty()) return "";  // loading it names what is missing
    h.update(fs::path(p).filename().string() + "\n" + io::read_file(p, kMaxIdxBytes) + "\n");
  }
  return h.hex_digest();
}

IdxArray read_idx(const std::string& path, int expected_dims) {
  std::string bytes = io::read_file(path, kMaxIdxBytes);
  if (io::is_gzip(bytes)) bytes = io::gzip_decompress(bytes, path, kMaxIdxBytes, "an IDX file");
  if (bytes.size() < 4)
    throw Error(path + ": not an IDX file: expected a 4-byte magic number, found " + std::to_string(bytes.size()) +
                " bytes");
  const auto magic = big_endian(bytes, 0);
  const uint32_t type = (magic >> 8) & 0xff, dims = magic & 0xff;
  if ((magic >> 16) != 0 || type != 0x08)
    throw Error(path + ": not an IDX file of unsigned bytes: expected a magic number 0x000008" +
                std::string(expected_dims == 1 ? "01" : "03") + ", found 0x" + [&] {
                  char buf[16];
                  std::snprintf(buf, sizeof buf, "%08x", magic);
                  return std::string(buf);
                }());
  if (static_cast<int>(dims) != expected_dims)
    throw Error(path + ": expected " + std::to_string(expected_dims) + " dimension(s) (" +
                (expected_dims == 1 ? "labels" : "images") + "), found " + std::to_string(dims));
  const size_t header = 4 + 4 * static_cast<size_t>(dims);
  if (bytes.size() < header)
    throw Error(path + ": truncated IDX header: expected " + std::to_string(header) + " bytes, found " +
                std::to_string(bytes.size()));
  IdxArray a;
  size_t total = 1;
  for (uint32_t d = 0; d < dims; ++d) {
    const auto n = big_endian(bytes, 4 + 4 * d);
    if (n == 0 || n > (1u << 28))
      throw Error(path + ": dimension " + std::to_string(d) + " is " + std::to_string(n) + ", expected 1 to 2^28");
    a.dims.push_back(n);
    total *= n;
    if (total > kMaxIdxBytes) throw Error(path + ": the header declares more than " + std::to_string(kMaxIdxBytes >> 20) + " MiB of data");
  }
  if (bytes.size() - header != total)
    throw Error(path + ": the header declares " + std::to_string(total) + " bytes of data, the file holds " +
                std::to_string(bytes.size() - header) + (bytes.size() - header < total ? " (truncated?)" : " (trailing bytes)"));
  a.values.assign(bytes.begin() + static_cast<std::ptrdiff_t>(header), bytes.end());
  return a;
}

ImageDataset load_image_dataset(const std::string& spec, const std::string& fashion_dir) {
  ImageDataset d;
  d.name = spec;
  std::string dir;
  if (spec == "fashion-mnist") {
    dir = fashion_dir;
    d.class_names = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};
    d.classes = 10;
  } else if (spec.rfind("idx:", 0) == 0 && spec.size() > 4) {
    dir = spec.substr(4);
  } else {
    throw Error("--dataset: expected fashion-mnist or idx:DIR (a folder of IDX files), found '" + spec + "'");
  }
  d.source = dir;
  const auto paths = dataset_files(dir);
  for (int i = 0; i < 4; ++i) {
    if (paths[i].empty()) {
      std::string msg = spec + ": no " + kStems[i] + "[.gz] in " + dir;
      if (spec == "fashion-mnist")
        msg += " (Debian's package dataset-fashion-mnist installs it: apt-get install dataset-fashion-mnist, or bash scripts/setup)";
      else
        msg += " (idx:DIR needs train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte, each optionally .gz)";
      throw Error(msg);
    }
  }
  d.train_images = read_idx(paths[0], 3);
  d.train_labels = read_idx(paths[1], 1);
  d.test_images = read_idx(paths[2], 3);
  d.test_labels = read_idx(paths[3], 1);
  for (const auto& [images, labels, ip, lp] :
       {std::tuple{&d.train_images, &d.train_labels, paths[0], paths[1]}, std::tuple{&d.test_images, &d.test_labels, paths[2], paths[3]}}) {
    if (images->count() != labels->count())
      throw Error(ip + " holds " + std::to_string(images->count()) + " images but " + lp + " holds " +
                  std::to_string(labels->count()) + " labels: expected one label per image");
  }
  if (d.train_images.dims[1] != d.test_images.dims[1] || d.train_images.dims[2] != d.test_images.dims[2])
    throw Error(paths[2] + ": test images are " + std::to_string(d.test_images.dims[1]) + "x" +
                std::to_string(d.test_images.dims[2]) + ", training images " + std::to_string(d.train_images.dims[1]) +
                "x" + std::to_string(d.train_images.dims[2]) + ": expected the same size");
  d.height = d.train_images.dims[1];
  d.width = d.train_images.dims[2];
  if (d.classes == 0) {
    for (const auto* l : {&d.train_labels, &d.test_labels})
      for (const uint8_t v : l->values) d.classes = std::max<int64_t>(d.classes, v + 1);
  }
  for (const auto& [l, p] : {std::pair{&d.train_labels, paths[1]}, std::pair{&d.test_labels, paths[3]}}) {
    for (size_t i = 0; i < l->values.size(); ++i)
      if (l->values[i] >= d.classes)
        throw Error(p + ": label " + std::to_string(l->values[i]) + " at item " + std::to_string(i) +
                    ", expected 0 to " + std::to_string(d.classes - 1));
  }
  return d;
}

Split split_train_validation(int64_t n, int64_t validation, uint32_t seed, int64_t limit) {
  if (n < 2 || validation < 1 || validation >= n)
    throw Error("dataset split: expected 1 to " + std::to_string(n - 1) + " validation images of " + std::to_string(n) +
                ", found " + std::to_string(validation));
  // numpy's RandomState(seed).permutation(n): Fisher-Yates from the end, j drawn in [0, i].
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  Mt19937 rng(seed);
  for (int64_t i = n - 1; i > 0; --i) std::swap(order[static_cast<size_t>(i)], order[static_cast<size_t>(rng.randint(0, i + 1))]);
  Split s;
  s.seed = seed;
  const auto train_n = n - validation;
  s.train.assign(order.begin(), order.begin() + train_n);
  s.validation.assign(order.begin() + train_n, order.end());
  if (limit > 0 && limit < train_n) s.train.resize(static_cast<size_t>(limit));
  return s;
}

PixelStats pixel_stats(const IdxArray& images, const std::vector<int64_t>& indices) {
  if (images.dims.size() != 3 || indices.empty()) throw Error("pixel_stats: expected images and at least one index");
  const auto per = static_cast<size_t>(images.dims[1] * images.dims[2]);
  double sum = 0, sq = 0;
  for (const auto i : indices) {
    if (i < 0 || i >= images.count()) throw Error("pixel_stats: index " + std::to_string(i) + " out of range");
    const uint8_t* p = images.values.data() + static_cast<size_t>(i) * per;
    for (size_t k = 0; k < per; ++k) {
      const double x = p[k] / 255.0;
      sum += x;
      sq += x * x;
    }
  }
  const double n = static_cast<double>(per * indices.size());
  PixelStats s;
  s.mean = sum / n;
  s.std = std::sqrt(std::max(0.0, sq / n - s.mean * s.mean));
  return s;
}

}  // namespace rlnas::data
