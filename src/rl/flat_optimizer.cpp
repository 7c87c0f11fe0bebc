// Flat-buffer Adam / RMSProp.
#include "rlnas/rl/flat_optimizer.h"

#include <cmath>

#include "rlnas/core/error.h"

namespace rlnas::rl {

FlatOptimizer::FlatOptimizer(const std::vector<torch::Tensor>& parameters, FlatOptimizerOptions options)
    : options_(std::move(options)) {
  if (options_.kind != "adam" && options_.kind != "rmsprop") {
    throw Error("optimizer: expected adam or rmsprop, found '" + options_.kind + "'");
  }
  int64_t total = 0;
  for (const auto& p : parameters) {
    if (!p.requires_grad()) continue;
    params_.push_back(p);
    total += p.numel();
  }
  if (params_.empty()) throw Error("optimizer: the module has no trainable parameters");
  const auto opts = params_[0].options();
  flat_ = torch::empty({total}, opts);
  grad_ = torch::zeros({total}, opts);
  state1_ = torch::zeros({total}, opts);
  state2_ = torch::zeros({total}, opts);
  rebind();
}

void FlatOptimizer::rebind() {
  torch::NoGradGuard no_grad;
  int64_t offset = 0;
  for (auto& p : params_) {
    const int64_t n = p.numel();
    auto slot = flat_.narrow(0, offset, n);
    slot.copy_(p.detach().reshape({-1}));
    p.set_data(slot.view(p.sizes()));
    // Gradients accumulate in place into these views (autograd adds into a defined grad).
    p.mutable_grad() = grad_.narrow(0, offset, n).view(p.sizes());
    offset += n;
  }
}

double FlatOptimizer::clip_grad_norm(double max_norm) {
  const double norm = grad_.norm().item<double>();
  if (max_norm > 0 && norm > max_norm) grad_.mul_(max_norm / (norm + 1e-6));
  return norm;
}

void FlatOptimizer::step() {
  torch::NoGradGuard no_grad;
  ++steps_;
  if (options_.kind == "adam") {
    const double b1 = options_.beta1, b2 = options_.beta2;
    state1_.mul_(b1).add_(grad_, 1.0 - b1);
    state2_.mul_(b2).addcmul_(grad_, grad_, 1.0 - b2);
    const double bias1 = 1.0 - std::pow(b1, static_cast<double>(steps_));
    const double bias2 = 1.0 - std::pow(b2, static_cast<double>(steps_));
    const auto denom = (state2_.sqrt() / std::sqrt(bias2)).add_(options_.eps);
    flat_.addcdiv_(state1_, denom, -options_.lr / bias1);
  } else {
    const double a = options_.alpha;
    state1_.mul_(a).addcmul_(grad_, grad_, 1.0 - a);
    torch::Tensor avg;
    if (options_.centered) {
      state2_.mul_(a).add_(grad_, 1.0 - a);
      avg = state1_.addcmul(state2_, state2_, -1.0).sqrt_().add_(options_.eps);
    } else {
      avg = state1_.sqrt().add_(options_.eps);
    }
    flat_.addcdiv_(grad_, avg, -options_.lr);
  }
}

void FlatOptimizer::save(torch::serialize::OutputArchive& archive) const {
  archive.write("state1", state1_);
  archive.write("state2", state2_);
  archive.write("steps", torch::tensor(steps_));
}

void FlatOptimizer::load(torch::serialize::InputArchive& archive) {
  torch::Tensor s1, s2, steps;
  archive.read("state1", s1);
  archive.read("state2", s2);
  archive.read("steps", steps);
  if (s1.numel() != flat_.numel()) {
    throw Error("optimizer state holds " + std::to_string(s1.numel()) + " values, this network has " +
                std::to_string(flat_.numel()) + " parameters");
  }
  state1_.copy_(s1);
  state2_.copy_(s2);
  steps_ = steps.item<int64_t>();
  rebind();
}

}  // namespace rlnas::rl
