// ENAS controller (nas-for-rl-agents Section 4.2, Appendix C Table 5; Pham et al. 2018): an LSTM
// that emits an architecture one decision at a time and learns by REINFORCE from child rewards.
//
// Network. For a space with decisions d_0 .. d_{D-1} (in the order of space.decisions()), n_i
// options each, and hidden size H:
//   h_{-1} = c_{-1} = 0
//   x_0 = s                        (a learned start embedding, 1 x H)
//   x_i = E[off_{i-1} + a_{i-1}]   (i > 0: the embedding of the option chosen at step i-1; one
//                                   table E holding sum_i n_i rows, decision i's rows from off_i)
//   (h_i, c_i) = LSTMCell(x_i, (h_{i-1}, c_{i-1}))
//   pi_i(. | a_<i) = softmax(W_i h_i + b_i)   (one linear head of n_i logits per decision)
// pi(arch) = prod_i pi_i(a_i | a_<i); probability(arch) is ENAS's proxy score for an architecture.
// Every parameter starts uniform in [-0.1, 0.1] (ENAS's init), drawn from a torch::Generator
// seeded with options.seed, so equal seeds give equal controllers whatever the global torch RNG.
// The network runs in float64 (it is tiny), so probabilities of an enumerated space sum to 1 to
// ~1e-12.
//
// Sampling draws each a_i by inverse CDF on pi_i with one Mt19937::rand() per decision (the
// controller's own stream, seeded with options.seed); no autograd graph is kept.
//
// Update (one REINFORCE step on a batch {(arch_j, R_j)}, j = 1..B):
//   first batch ever: b <- mean_j R_j                        (zero-mean advantages)
//   A_j = R_j - b                                            (b before this batch)
//   b <- decay * b + (1 - decay) * mean_j R_j                 (decay = baseline_decay, 0.2)
//   loss = -mean_j(A_j * log pi(arch_j)) - entropy_coef * mean_j(H(arch_j))
// where H(arch) = sum_i entropy(pi_i(. | a_<i)) along arch's own prefix. One Adam step (PyTorch
// defaults: betas 0.9/0.999, eps 1e-8, no weight decay, no gradient clipping) with learning rate
//   lr_t = 0.5 * lr * (1 + cos(pi * min(t, T) / T))   t = updates done before, T = total_updates
// (constant lr when T = 0). ENAS's logit tanh-constant and temperature are not used.
//
// save()/load() cover the weights, Adam's moments, the baseline (and whether it is set), the
// update counter and the sampling RNG: a loaded controller continues exactly as the saved one.
// The space is checked on load (name, version, option counts, hidden size).
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "rlnas/space/architecture.h"
#include "rlnas/space/space.h"

namespace rlnas::search {

struct ControllerOptions {
  int64_t hidden = 64;
  double lr = 1e-3;
  double entropy_coef = 1e-4;
  double baseline_decay = 0.2;  // b <- decay * b + (1 - decay) * mean(R)
  int64_t total_updates = 0;    // cosine annealing horizon: lr_t = 0.5 lr (1 + cos(pi t / T)); 0 = constant
  uint64_t seed = 1;            // initial weights and the sampling stream
};

// (name, value) pairs, e.g. for a metrics log line. Same type as rl::Metrics.
using Metrics = std::vector<std::pair<std::string, double>>;

class Controller {
 public:
  struct Sample {
    space::Architecture arch;
    std::vector<int64_t> indices;  // option index per decision, in the order of space.decisions()
    double log_prob = 0;           // log pi(arch)
    double entropy = 0;            // sum over decisions of the entropy of pi_i along arch's prefix
  };

  // The space must outlive the controller. Throws rlnas::Error for bad options or a space with a
  // decision that has no options (or with no decisions).
  Controller(const space::SearchSpace& space, ControllerOptions options = {});
  ~Controller();
  Controller(const Controller&) = delete;
  Controller& operator=(const Controller&) = delete;

  Sample sample();  // advances the controller's RNG

  // Throw rlnas::Error (naming the space) for an architecture that is not of this space.
  double log_prob(const space::Architecture& arch) const;
  double probability(const space::Architecture& arch) const;                           // exp(log_prob)
  std::vector<double> log_probs(const std::vector<space::Architecture>& archs) const;  // batched
  std::vector<int64_t> indices(const space::Architecture& arch) const;
  space::Architecture architecture(const std::vector<int64_t>& indices) const;

  // The k most probable architectures, most probable first (ties: enumeration order). Exact by
  // enumeration when space.size() <= kEnumerationLimit; otherwise beam search of width max(k, 32).
  static constexpr uint64_t kEnumerationLimit = 100000;
  std::vector<std::pair<space::Architecture, double>> rank(size_t k) const;

  // For logs: {"updates", "baseline" (null before the first update), "lr" (of the next update),
  //  "greedy": [{"decision", "choice", "probability", "probabilities": [per option]}, ...] along
  //  the argmax path, "greedy_probability", "top": [{"choices", "id", "probability"}, ...]
  //  (rank(top)), "top_exact"}. Does not touch the sampling RNG.
  nlohmann::json snapshot(size_t top = 10) const;

  // One REINFORCE + Adam step (see the header comment). Throws rlnas::Error for an empty batch,
  // a non-finite reward or an architecture of another space. Returns loss, baseline (after),
  // mean_reward, lr (used), entropy (mean H over the batch), log_prob (mean over the batch).
  Metrics update(const std::vector<std::pair<space::Architecture, double>>& batch);

  void save(torch::serialize::OutputArchive& archive) const;
  void load(torch::serialize::InputArchive& archive);  // throws rlnas::Error for another space
  std::string to_bytes() const;
  void from_bytes(const std::string& bytes);

  const space::SearchSpace& space() const { return space_; }
  const ControllerOptions& options() const { return options_; }
  int64_t updates() const { return updates_; }
  bool has_baseline() const { return baseline_set_; }
  double baseline() const { return baseline_; }
  double current_lr() const;  // the learning rate the next update will use
  std::vector<torch::Tensor> parameters() const;

 private:
  struct Net;
  const space::SearchSpace& space_;
  ControllerOptions options_;
  std::vector<space::Decision> decisions_;
  std::vector<int64_t> offsets_;  // first embedding row of each decision
  std::shared_ptr<Net> net_;
  std::unique_ptr<torch::optim::Adam> optimizer_;
  Mt19937 rng_;
  double baseline_ = 0;
  bool baseline_set_ = false;
  int64_t updates_ = 0;

  void check_space(const space::Architecture& arch) const;
  // Runs the LSTM one decision at a time without gradients; choose(i, log-probabilities of
  // decision i's options) returns the option taken, whose embedding feeds the next step.
  void walk(const std::function<int64_t(size_t, const std::vector<double>&)>& choose) const;
  // log pi and H along each row of `indices` ([B, D] int64): two [B] float64 tensors, with the
  // autograd graph unless under a NoGradGuard.
  std::pair<torch::Tensor, torch::Tensor> evaluate(const torch::Tensor& indices) const;
  torch::Tensor index_tensor(const std::vector<space::Architecture>& archs) const;
};

}  // namespace rlnas::search
