// Running mean/variance (parallel Welford, as Gymnasium's RunningMeanStd) for observation and
// reward normalization of classic-control tasks.
#pragma once

#include <torch/torch.h>

namespace rlnas::rl {

class RunningMeanStd {
 public:
  RunningMeanStd() = default;
  explicit RunningMeanStd(at::IntArrayRef shape);
  // batch [B, shape...]
  void update(const torch::Tensor& batch);
  // (x - mean) / sqrt(var + eps), clipped to [-clip, clip]
  torch::Tensor normalize(const torch::Tensor& x, double clip = 10.0, double eps = 1e-8) const;
  const torch::Tensor& mean() const { return mean_; }
  const torch::Tensor& var() const { return var_; }
  double count() const { return count_; }
  void save(torch::serialize::OutputArchive& archive, const std::string& key) const;
  void load(torch::serialize::InputArchive& archive, const std::string& key);

 private:
  torch::Tensor mean_, var_;  // float64
  double count_ = 1e-4;       // Gymnasium's epsilon start
};

}  // namespace rlnas::rl
