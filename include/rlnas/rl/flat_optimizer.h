// Adam and RMSProp over one flat buffer that holds every parameter (and gradient) of a module.
// LibTorch's optimizers loop over parameters with several small ops each; for the small
// networks of RL that per-op overhead dominates an update. Here all parameters are views into
// one tensor, gradients accumulate into views of another, and a step is a handful of ops on
// the whole buffer. The math is PyTorch's (Adam without weight decay/amsgrad; RMSProp with
// optional centering, no momentum), so results match torch.optim up to float rounding.
#pragma once

#include <torch/torch.h>

#include <string>
#include <vector>

namespace rlnas::rl {

struct FlatOptimizerOptions {
  std::string kind = "adam";  // adam | rmsprop
  double lr = 1e-3;
  double eps = 1e-8;
  double beta1 = 0.9, beta2 = 0.999;  // adam
  double alpha = 0.99;                // rmsprop smoothing
  bool centered = false;              // rmsprop
  // Leave a parameter tensor untouched in a step where its whole gradient is zero, with its own
  // step count for Adam's bias correction: torch.optim's behaviour for parameters whose grad is
  // None. For weight-sharing supernets, whose off-path ops get zero gradients: without it Adam's
  // momentum keeps moving ops that took no part in the forward pass.
  bool skip_unused = false;
};

class FlatOptimizer {
 public:
  FlatOptimizer(const std::vector<torch::Tensor>& parameters, FlatOptimizerOptions options);

  void zero_grad() { grad_.zero_(); }
  // Scales gradients so their global L2 norm is at most max_norm; returns the norm before.
  double clip_grad_norm(double max_norm);
  void step();
  void set_lr(double lr) { options_.lr = lr; }
  double lr() const { return options_.lr; }

  // Re-points the parameters at the flat buffer after something replaced their storage (e.g.
  // loading weights from an archive), keeping their current values.
  void rebind();

  void save(torch::serialize::OutputArchive& archive) const;
  void load(torch::serialize::InputArchive& archive);

 private:
  void masked_step();
  std::vector<torch::Tensor> params_;
  FlatOptimizerOptions options_;
  torch::Tensor flat_, grad_, state1_, state2_;  // adam: m, v; rmsprop: square_avg, grad_avg
  int64_t steps_ = 0;
  // skip_unused: the parameter index of every flat element, and each parameter's step count.
  torch::Tensor segment_, param_steps_;
};

}  // namespace rlnas::rl
