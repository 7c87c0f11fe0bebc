// Differentiable supernets: every edge (a decision of a chain / blocks space, or every edge
// node_j <- node_i of a cell) is the weighted sum of all its candidate ops, weighted by a row of
// architecture variables alpha.
//
//   softmax (RL-DARTS, Miao et al. 2021, Sec. 3.1):   w = softmax(alpha / T)
//   gumbel  (A2D, Yu et al. eq. 10-11; GDAS / FBNet): w = softmax((alpha + g) / tau), g ~ Gumbel(0, 1)
//           drawn once per forward pass and row (the same for the whole batch)
//   hard    (GDAS's straight-through variant): only the op of argmax w runs, its output scaled by
//           1 + w_k - stop_gradient(w_k), so the forward is one op and alpha still gets gradients.
//
// alpha are parameters of the supernet (one [rows, ops] tensor per group of the space's
// mixed_layout(), initialised 1e-3 * N(0, 1) from the global torch generator, or zeros when
// frozen); the temperature and the Gumbel draw counter are buffers, so they are saved with the
// weights. Gumbel noise comes from a generator seeded by (seed, draw counter): a resumed run draws
// the same noise.
//
// The op probabilities (probabilities()) are softmax(alpha / T) for softmax mixing (the weights
// the forward pass uses) and softmax(alpha) for Gumbel mixing (the distribution Gumbel-max samples
// from). discretize() reads the architecture out of them (SearchSpace::discretize), and
// expected_cost() is the FLOPs (or latency) of the network under them, differentiable in alpha.
#pragma once

#include <torch/torch.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "rlnas/space/space.h"

namespace rlnas::space {

struct MixOptions {
  std::string mode = "softmax";  // softmax | gumbel
  bool hard = false;             // gumbel only: straight-through one-op forward
  bool freeze = false;           // alpha fixed at zero (uniform weights): the RL-DARTS ablation
  uint64_t seed = 0;             // Gumbel noise
};

// The weights of the current forward pass, shared by the supernet and its mixed ops.
struct MixState {
  std::vector<torch::Tensor> weights;          // [group] -> [rows, ops]
  std::vector<std::vector<int64_t>> selected;  // hard: [group][row] -> column of the op that runs
  bool hard = false;
};

class MixedOpImpl final : public OpImpl {
 public:
  MixedOpImpl(std::shared_ptr<MixState> state, size_t group, size_t row, const std::vector<Candidate>& candidates);
  torch::Tensor forward(const torch::Tensor& x) override;
  size_t size() const { return ops_.size(); }
  const Op& candidate(size_t i) const { return ops_.at(i); }
  bool is_zero(size_t i) const { return zero_.at(i); }
  size_t group() const { return group_; }
  size_t row() const { return row_; }
  // The input shape of the last forward pass (batch dimension dropped); empty before the first.
  const std::vector<int64_t>& input_shape() const { return input_shape_; }

 private:
  std::shared_ptr<MixState> state_;
  size_t group_, row_;
  std::vector<Op> ops_;
  std::vector<bool> zero_;
  std::vector<int64_t> input_shape_;
};
using MixedOp = std::shared_ptr<MixedOpImpl>;

class MixedSupernetImpl final : public nn::BackboneImpl {
 public:
  MixedSupernetImpl(const SearchSpace& space, const std::vector<int64_t>& obs_shape, MixOptions options);
  torch::Tensor forward(const torch::Tensor& obs) override;
  int64_t feature_dim() const override { return body_->feature_dim(); }
  void pretty_print(std::ostream& stream) const override;

  const SearchSpace& space() const { return space_; }
  const MixOptions& options() const { return options_; }
  const std::vector<MixedGroup>& layout() const { return layout_; }
  // The architecture variables, one [rows, ops] parameter per group.
  const std::vector<torch::Tensor>& alphas() const { return alphas_; }
  double temperature() const;
  void set_temperature(double t);
  // Op probabilities per group (see above), detached unless `differentiable`.
  std::vector<torch::Tensor> probabilities(bool differentiable = false) const;
  // The mixing weights of the last forward pass, per group [rows, ops] (with its Gumbel noise).
  const std::vector<torch::Tensor>& last_weights() const { return state_->weights; }
  Architecture discretize() const { return space_.discretize(probabilities()); }
  // (fixed + sum over edges of p . cost) / (fixed + sum over edges of max cost): the expected cost
  // of the network under the op probabilities as a fraction of its costliest member, where
  // `fixed` is the cost outside the mixed ops. kind: "flops" (measured at batch 1, as
  // space::measure_cost) or "latency" (each candidate's median batch-1 time; fixed = 0).
  torch::Tensor expected_cost(const std::string& kind);
  // {"temperature", "groups": [{"name", "rows", "ops", "probs"}], "arch": discretized JSON}
  nlohmann::json snapshot() const;

 private:
  void refresh();
  void measure_costs(const std::string& kind);
  const SearchSpace& space_;
  MixOptions options_;
  std::vector<MixedGroup> layout_;
  std::shared_ptr<MixState> state_;
  std::vector<MixedOp> ops_;
  std::vector<torch::Tensor> alphas_;
  torch::Tensor temperature_, draws_;
  nn::Backbone body_{nullptr};
  std::vector<int64_t> obs_shape_;
  // measure_costs(): per group, the summed cost of every edge's candidates [rows, ops]; the cost
  // outside the mixed ops; the cost of the costliest member.
  std::vector<torch::Tensor> flops_tables_, latency_tables_;
  double fixed_flops_ = 0, fixed_latency_ = 0, max_flops_ = 1, max_latency_ = 1;
};
using MixedSupernet = std::shared_ptr<MixedSupernetImpl>;

std::vector<MixedSupernet> find_mixed_supernets(torch::nn::Module& module);

// Throws rlnas::Error for spaces without a mixed builder, or unknown options.
MixedSupernet make_mixed_supernet(const SearchSpace& space, const std::vector<int64_t>& obs_shape,
                                  const MixOptions& options);

}  // namespace rlnas::space
