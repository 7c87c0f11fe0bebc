#include "rlnas/space/mixed.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <cmath>

#include "rlnas/core/error.h"
#include "rlnas/space/cost.h"

namespace rlnas::space {

MixedOpImpl::MixedOpImpl(std::shared_ptr<MixState> state, size_t group, size_t row,
                         const std::vector<Candidate>& candidates)
    : OpImpl("mixed"), state_(std::move(state)), group_(group), row_(row) {
  if (candidates.empty()) throw Error("mixed op without candidates");
  for (size_t i = 0; i < candidates.size(); ++i) {
    ops_.push_back(register_module(std::to_string(i), make_op(candidates[i].op, candidates[i].args)));
    zero_.push_back(candidates[i].op == "zero");
  }
}

torch::Tensor MixedOpImpl::forward(const torch::Tensor& x) {
  if (input_shape_.empty()) input_shape_.assign(x.sizes().begin() + 1, x.sizes().end());
  const auto& w = state_->weights.at(group_)[static_cast<int64_t>(row_)];
  if (state_->hard) {
    const auto k = state_->selected.at(group_).at(row_);
    const auto wk = w[k];
    // Straight-through: the value is the op's output, the gradient reaches w_k (and so alpha).
    return ops_[static_cast<size_t>(k)]->forward(x) * (1.0 + wk - wk.detach());
  }
  torch::Tensor sum;
  for (size_t i = 0; i < ops_.size(); ++i) {
    if (zero_[i]) continue;  // contributes nothing (its weight still takes a share of the softmax)
    auto y = ops_[i]->forward(x) * w[static_cast<int64_t>(i)];
    sum = sum.defined() ? sum + y : y;
  }
  return sum.defined() ? sum : ops_[0]->forward(x);
}

MixedSupernetImpl::MixedSupernetImpl(const SearchSpace& space, const std::vector<int64_t>& obs_shape,
                                     MixOptions options)
    : space_(space), options_(std::move(options)), layout_(space.mixed_layout()),
      state_(std::make_shared<MixState>()), obs_shape_(obs_shape) {
  if (options_.mode != "softmax" && options_.mode != "gumbel") {
    throw Error("mixed supernet: mode must be softmax or gumbel, found '" + options_.mode + "'");
  }
  if (options_.hard && options_.mode != "gumbel") throw Error("mixed supernet: hard mixing needs mode gumbel");
  state_->hard = options_.hard;
  for (size_t g = 0; g < layout_.size(); ++g) {
    const auto shape = std::vector<int64_t>{static_cast<int64_t>(layout_[g].rows.size()),
                                            static_cast<int64_t>(layout_[g].ops.size())};
    auto a = options_.freeze ? torch::zeros(shape) : 1e-3 * torch::randn(shape);
    alphas_.push_back(register_parameter("alpha_" + std::to_string(g), a, /*requires_grad=*/!options_.freeze));
  }
  temperature_ = register_buffer("temperature", torch::tensor(1.0, torch::kFloat64));
  draws_ = register_buffer("gumbel_draws", torch::tensor(int64_t{0}));
  // Weights for forward passes during construction (the cells' initialisation probe): the op
  // probabilities, without drawing Gumbel noise.
  for (const auto& p : probabilities()) {
    state_->weights.push_back(p);
    const auto idx = p.argmax(1);
    state_->selected.emplace_back(idx.data_ptr<int64_t>(), idx.data_ptr<int64_t>() + idx.numel());
  }
  body_ = register_module("body", space.build_mixed(obs_shape, [this](size_t group, size_t row,
                                                                       const std::vector<Candidate>& c) -> Op {
    if (group >= layout_.size() || row >= layout_[group].rows.size() || c.size() != layout_[group].ops.size()) {
      throw Error(space_.name() + ": mixed edge (" + std::to_string(group) + ", " + std::to_string(row) +
                  ") does not fit the space's alpha layout");
    }
    ops_.push_back(std::make_shared<MixedOpImpl>(state_, group, row, c));
    return ops_.back();
  }));
  std::vector<std::vector<bool>> seen(layout_.size());
  for (size_t g = 0; g < layout_.size(); ++g) seen[g].assign(layout_[g].rows.size(), false);
  for (const auto& op : ops_) seen[op->group()][op->row()] = true;
  for (size_t g = 0; g < layout_.size(); ++g) {
    for (size_t r = 0; r < seen[g].size(); ++r) {
      if (!seen[g][r]) throw Error(space_.name() + ": alpha row " + layout_[g].name + "/" + layout_[g].rows[r] +
                                   " has no mixed op in the network");
    }
  }
}

double MixedSupernetImpl::temperature() const { return temperature_.item<double>(); }

void MixedSupernetImpl::set_temperature(double t) {
  if (!(t > 0) || !std::isfinite(t)) throw Error("mixed supernet: temperature must be > 0, got " + std::to_string(t));
  temperature_.fill_(t);
}

void MixedSupernetImpl::refresh() {
  const double t = temperature();
  state_->weights.clear();
  state_->selected.assign(alphas_.size(), {});
  const bool gumbel = options_.mode == "gumbel";
  at::Generator gen;
  if (gumbel) {
    const int64_t draw = draws_.item<int64_t>();
    draws_.fill_(draw + 1);
    gen = at::detail::createCPUGenerator(options_.seed * 1000003ULL + static_cast<uint64_t>(draw));
  }
  for (const auto& a : alphas_) {
    auto logits = a;
    if (gumbel) {
      // g = -log(-log(U)), U in (0, 1)
      const auto u = torch::rand(a.sizes(), gen, torch::TensorOptions().dtype(a.scalar_type())).clamp(1e-10, 1.0 - 1e-7);
      logits = a + (-(-u.log()).log()).to(a.device());
    }
    auto w = torch::softmax(logits / t, /*dim=*/1);
    if (options_.hard) {
      const auto idx = w.detach().argmax(1).cpu();
      state_->selected[state_->weights.size()].assign(idx.data_ptr<int64_t>(), idx.data_ptr<int64_t>() + idx.numel());
    }
    state_->weights.push_back(w);
  }
}

torch::Tensor MixedSupernetImpl::forward(const torch::Tensor& obs) {
  refresh();
  return body_->forward(obs);
}

std::vector<torch::Tensor> MixedSupernetImpl::probabilities(bool differentiable) const {
  const double t = options_.mode == "softmax" ? temperature() : 1.0;
  std::vector<torch::Tensor> out;
  for (const auto& a : alphas_) {
    auto p = torch::softmax(a / t, 1);
    out.push_back(differentiable ? p : p.detach().cpu());
  }
  return out;
}

void MixedSupernetImpl::measure_costs(const std::string& kind) {
  if (kind != "flops" && kind != "latency") {
    throw Error("mixed supernet: cost must be flops or latency, found '" + kind + "'");
  }
  auto& tables = kind == "flops" ? flops_tables_ : latency_tables_;
  if (!tables.empty()) return;
  torch::NoGradGuard no_grad;
  const auto params = parameters();
  const auto device = params.empty() ? torch::Device(torch::kCPU) : params.front().device();
  // One soft forward pass records every mixed op's input shape; its FLOPs are the fixed part plus
  // every candidate of every edge.
  const bool hard = state_->hard;
  state_->hard = false;
  const int64_t draws = draws_.item<int64_t>();
  const auto total = measure_cost(*this, [&](const torch::Tensor& x) { return forward(x.to(device)); }, obs_shape_);
  state_->hard = hard;
  draws_.fill_(draws);  // the probe pass does not count as a draw
  for (const auto& g : layout_) {
    tables.push_back(torch::zeros({static_cast<int64_t>(g.rows.size()), static_cast<int64_t>(g.ops.size())},
                                  torch::kFloat64));
  }
  double candidates = 0, max_sum = 0;
  for (const auto& op : ops_) {
    auto* row = tables[op->group()][static_cast<int64_t>(op->row())].data_ptr<double>();
    double max_cost = 0;
    for (size_t i = 0; i < op->size(); ++i) {
      const auto fwd = [&](const torch::Tensor& x) { return op->candidate(i)->forward(x.to(device)); };
      double c = 0;
      if (kind == "flops") {
        c = static_cast<double>(measure_cost(*op->candidate(i), fwd, op->input_shape()).flops());
        candidates += c;
      } else if (!op->is_zero(i)) {
        c = measure_latency(fwd, op->input_shape(), 1, 5, 1).batch1_ms;
      }
      row[i] += c;
      max_cost = std::max(max_cost, c);
    }
    max_sum += max_cost;
  }
  const double fixed = kind == "flops" ? std::max(0.0, static_cast<double>(total.flops()) - candidates) : 0.0;
  (kind == "flops" ? fixed_flops_ : fixed_latency_) = fixed;
  (kind == "flops" ? max_flops_ : max_latency_) = std::max(fixed + max_sum, 1e-12);
}

torch::Tensor MixedSupernetImpl::expected_cost(const std::string& kind) {
  measure_costs(kind);
  const auto& tables = kind == "flops" ? flops_tables_ : latency_tables_;
  const double fixed = kind == "flops" ? fixed_flops_ : fixed_latency_;
  const double max_total = kind == "flops" ? max_flops_ : max_latency_;
  const auto probs = probabilities(/*differentiable=*/true);
  auto expected = torch::zeros({}, probs.front().options());
  for (size_t g = 0; g < probs.size(); ++g) {
    expected = expected + (probs[g] * tables[g].to(probs[g].options())).sum();
  }
  return (expected + fixed) / max_total;
}

nlohmann::json MixedSupernetImpl::snapshot() const {
  auto groups = nlohmann::json::array();
  const auto probs = probabilities();
  for (size_t g = 0; g < layout_.size(); ++g) {
    auto rows = nlohmann::json::array();
    const auto p = probs[g].to(torch::kFloat64).contiguous();
    for (int64_t r = 0; r < p.size(0); ++r) {
      auto row = nlohmann::json::array();
      for (int64_t c = 0; c < p.size(1); ++c) row.push_back(std::round(p[r][c].item<double>() * 1e6) / 1e6);
      rows.push_back(std::move(row));
    }
    groups.push_back({{"name", layout_[g].name}, {"rows", layout_[g].rows}, {"ops", layout_[g].ops}, {"probs", rows}});
  }
  return {{"temperature", temperature()}, {"groups", groups}, {"arch", discretize().to_json()}};
}

void MixedSupernetImpl::pretty_print(std::ostream& stream) const {
  size_t rows = 0;
  for (const auto& g : layout_) rows += g.rows.size();
  stream << "rlnas::space::MixedSupernet(" << space_.name() << ", " << options_.mode << (options_.hard ? " hard" : "")
         << ", " << rows << " mixed edges)";
}

std::vector<MixedSupernet> find_mixed_supernets(torch::nn::Module& module) {
  std::vector<MixedSupernet> out;
  for (const auto& m : module.modules(/*include_self=*/true)) {
    if (auto s = std::dynamic_pointer_cast<MixedSupernetImpl>(m)) out.push_back(s);
  }
  return out;
}

MixedSupernet make_mixed_supernet(const SearchSpace& space, const std::vector<int64_t>& obs_shape,
                                  const MixOptions& options) {
  return std::make_shared<MixedSupernetImpl>(space, obs_shape, options);
}

}  // namespace rlnas::space
