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
  if (options_.skip_unused) {
    std::vector<int64_t> sizes;
    for (const auto& p : params_) sizes.push_back(p.numel());
    const auto index = torch::arange(static_cast<int64_t>(params_.size()), opts.dtype(torch::kLong));
    segment_ = index.repeat_interleave(torch::tensor(sizes, opts.dtype(torch::kLong)));
    param_steps_ = torch::zeros({static_cast<int64_t>(params_.size())}, opts.dtype(torch::kDouble));
  }
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
  if (options_.skip_unused) {
    masked_step();
    return;
  }
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

void FlatOptimizer::masked_step() {
  // Which parameters took part: any non-zero gradient value among their elements.
  const auto nonzero = grad_.ne(0).to(param_steps_.options());
  const auto used = torch::zeros_like(param_steps_).index_add_(0, segment_, nonzero).gt(0);
  param_steps_.add_(used.to(param_steps_.options()));
  const auto mask = used.index_select(0, segment_);
  if (options_.kind == "adam") {
    const double b1 = options_.beta1, b2 = options_.beta2;
    state1_.copy_(torch::where(mask, state1_ * b1 + grad_ * (1.0 - b1), state1_));
    state2_.copy_(torch::where(mask, state2_ * b2 + grad_ * grad_ * (1.0 - b2), state2_));
    // Per-parameter bias corrections (a parameter never used has step 0: masked out below).
    const auto steps = param_steps_.clamp_min(1).index_select(0, segment_).to(flat_.options());
    const auto bias1 = 1.0 - torch::pow(b1, steps);
    const auto bias2 = 1.0 - torch::pow(b2, steps);
    const auto denom = (state2_.sqrt() / bias2.sqrt()).add_(options_.eps);
    flat_.sub_(torch::where(mask, state1_ / denom / bias1 * options_.lr, torch::zeros_like(flat_)));
  } else {
    const double a = options_.alpha;
    state1_.copy_(torch::where(mask, state1_ * a + grad_ * grad_ * (1.0 - a), state1_));
    torch::Tensor avg;
    if (options_.centered) {
      state2_.copy_(torch::where(mask, state2_ * a + grad_ * (1.0 - a), state2_));
      avg = state1_.addcmul(state2_, state2_, -1.0).clamp_min_(0).sqrt_().add_(options_.eps);
    } else {
      avg = state1_.sqrt().add_(options_.eps);
    }
    flat_.sub_(torch::where(mask, grad_ / avg * options_.lr, torch::zeros_like(flat_)));
  }
}

void FlatOptimizer::save(torch::serialize::OutputArchive& archive) const {
  archive.write("state1", state1_);
  archive.write("state2", state2_);
  archive.write("steps", torch::tensor(steps_));
  if (options_.skip_unused) archive.write("param_steps", param_steps_);
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
  if (options_.skip_unused) {
    torch::Tensor param_steps;
    // Checkpoints written before skip_unused existed: every parameter took every step.
    if (archive.try_read("param_steps", param_steps) && param_steps.numel() == param_steps_.numel()) {
      param_steps_.copy_(param_steps);
    } else {
      param_steps_.fill_(static_cast<double>(steps_));
    }
  }
  rebind();
}

}  // namespace rlnas::rl
