// Replay storage for off-policy algorithms (DQN/Rainbow, SAC): uniform or prioritized
// (sum tree, alpha/beta), with n-step returns assembled per environment stream.
//
//   VectorEnv step -> add(obs, action, reward, next_obs, terminated, truncated)
//     -> per-env n-step window -> ring buffer (+ priority) -> sample(batch) -> learner
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <deque>
#include <vector>

#include "rlnas/core/bytes.h"

namespace rlnas::rl {

struct ReplayOptions {
  int64_t capacity = 100000;  // transitions kept (oldest overwritten)
  int64_t num_envs = 1;       // parallel streams feeding add()
  std::vector<int64_t> obs_shape;
  bool compact_obs = false;  // store observations as uint8 (exact for bool/uint8 observations)
  int64_t action_dim = 0;    // 0: discrete int64 actions; D > 0: float actions [D]
  int64_t n_step = 1;        // n-step returns
  double gamma = 0.99;
  bool prioritized = false;    // proportional prioritized replay (Schaul et al. 2016)
  double alpha = 0.6;          // priority exponent
  double priority_eps = 1e-6;  // added to |TD error| before the exponent
};

struct ReplayBatch {
  torch::Tensor obs;        // [B, obs...] float32
  torch::Tensor actions;    // [B] int64 or [B, D] float32
  torch::Tensor rewards;    // [B] float32: sum_{k<n'} gamma^k r_{t+k} (n' <= n, shorter at episode ends)
  torch::Tensor next_obs;   // [B, obs...] float32: observation after n' steps
  torch::Tensor discounts;  // [B] float32: gamma^n', or 0 when the episode terminated within the n' steps
  torch::Tensor weights;    // [B] float32 importance weights (all 1 when not prioritized), max-normalized
  torch::Tensor indices;    // [B] int64 slots, for update_priorities
};

class ReplayBuffer {
 public:
  explicit ReplayBuffer(const ReplayOptions& options);
  ~ReplayBuffer();
  ReplayBuffer(ReplayBuffer&&) noexcept;
  ReplayBuffer& operator=(ReplayBuffer&&) noexcept;

  // One vector-env step: obs [N, ...] the observations acted on, actions [N] or [N, D], rewards [N],
  // next_obs [N, ...] the following observations (for rows that ended: the final observation of
  // the episode, i.e. VectorEnv::final_observations()), terminated/truncated bool [N].
  // A terminated episode stops the return and bootstrapping; a truncated one bootstraps from
  // its final observation.
  void add(const torch::Tensor& obs, const torch::Tensor& actions, const torch::Tensor& rewards,
           const torch::Tensor& next_obs, const torch::Tensor& terminated, const torch::Tensor& truncated);

  // Uniform, or proportional to priority^alpha with importance weights (N * P(i))^-beta / max.
  ReplayBatch sample(int64_t batch_size, at::Generator& gen, double beta = 0.4);
  // New priorities (e.g. |TD error|) for sampled slots; new transitions get the max priority so far.
  // Uniform buffers check the arguments and otherwise ignore them, so learners need not branch.
  void update_priorities(const torch::Tensor& indices, const torch::Tensor& priorities);
  // The transitions stored at `indices` (int64 [B] in [0, size())), weights 1: for inspection,
  // evaluation of fixed slots and tests.
  ReplayBatch gather(const torch::Tensor& indices) const;

  int64_t size() const;  // transitions stored
  int64_t capacity() const;
  const ReplayOptions& options() const;

  // Complete state (contents, priorities, pending n-step windows, write position).
  void save(ByteWriter& out) const;
  void load(ByteReader& in);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// C51 (Bellemare et al. 2017) target: projects the distribution `next_probs` [B, K] on the fixed
// support z (K atoms from v_min to v_max), shifted by rewards [B] and scaled by discounts [B],
// back onto z. Returns target probabilities [B, K] (rows sum to 1).
torch::Tensor project_distribution(const torch::Tensor& next_probs, const torch::Tensor& rewards,
                                   const torch::Tensor& discounts, double v_min, double v_max);

}  // namespace rlnas::rl
