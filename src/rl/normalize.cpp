// RunningMeanStd.
#include "rlnas/rl/normalize.h"

namespace rlnas::rl {

RunningMeanStd::RunningMeanStd(at::IntArrayRef shape)
    : mean_(torch::zeros(shape, torch::kFloat64)), var_(torch::ones(shape, torch::kFloat64)) {}

void RunningMeanStd::update(const torch::Tensor& batch) {
  const auto x = batch.to(torch::kFloat64);
  const auto batch_mean = x.mean(0);
  const auto batch_var = x.var(0, /*unbiased=*/false);
  const double n = static_cast<double>(x.size(0));
  const auto delta = batch_mean - mean_;
  const double total = count_ + n;
  mean_ = mean_ + delta * (n / total);
  const auto m2 = var_ * count_ + batch_var * n + delta.square() * (count_ * n / total);
  var_ = m2 / total;
  count_ = total;
}

torch::Tensor RunningMeanStd::normalize(const torch::Tensor& x, double clip, double eps) const {
  const auto mean = mean_.to(x.options());
  const auto std = (var_ + eps).sqrt().to(x.options());
  return ((x - mean) / std).clamp(-clip, clip);
}

void RunningMeanStd::save(torch::serialize::OutputArchive& archive, const std::string& key) const {
  archive.write(key + ".mean", mean_);
  archive.write(key + ".var", var_);
  archive.write(key + ".count", torch::tensor(count_, torch::kFloat64));
}

void RunningMeanStd::load(torch::serialize::InputArchive& archive, const std::string& key) {
  torch::Tensor count;
  archive.read(key + ".mean", mean_);
  archive.read(key + ".var", var_);
  archive.read(key + ".count", count);
  count_ = count.item<double>();
}

}  // namespace rlnas::rl
