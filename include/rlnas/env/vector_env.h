// VectorEnv: N environments stepped together, their observations written straight into one
// preallocated float tensor [N, ...] (no allocation per step).
//
//   actions [N] -> step each env -> (done? record episode, keep final obs, reset) -> obs [N, ...]
//
// Seeding: environment i is seeded once with (seed + i) mod 2^32 and reset; auto-reset after an
// episode never re-seeds, so each generator stream simply continues (as the original MinAtar).
// Auto-reset follows Gymnasium's same-step convention: after step(), observations() holds the
// first observation of the new episode for rows that finished, and final_observations() holds
// the last observation of the finished episode (needed to bootstrap truncated episodes).
// Buffers live on the CPU; learners move them to their device.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "rlnas/env/env.h"

namespace rlnas::env {

struct Episode {
  double ret = 0.0;  // undiscounted return
  int64_t length = 0;
  bool truncated = false;  // ended by a time limit rather than by the task
  int env_index = 0;
};

class VectorEnv {
 public:
  using Factory = std::function<std::unique_ptr<Env>()>;

  // Builds num_envs environments, seeds environment i with seed + i and resets them all.
  // `recent_window` is how many finished episodes recent_episodes() keeps.
  VectorEnv(const Factory& make_env, int num_envs, uint32_t seed, int recent_window = 100);

  int num_envs() const { return static_cast<int>(envs_.size()); }
  const ObservationSpec& observation_spec() const { return envs_[0]->observation_spec(); }
  const ActionSpec& action_spec() const { return envs_[0]->action_spec(); }

  // Discrete actions: int64 [N]. Continuous actions: float32 [N, dim]. Tensors must be on the
  // CPU and contiguous (checked).
  void step(const at::Tensor& actions);
  void step_discrete(std::span<const int64_t> actions);
  void step_continuous(std::span<const float> actions);

  // Resets every environment (no re-seeding) and clears the running episode counters.
  void reset();

  // float32 [N, obs...]: current observations.
  const at::Tensor& observations() const { return obs_; }
  // float32 [N, obs...]: final observation of the episode that ended in the last step; valid
  // only for rows whose terminated or truncated flag is set.
  const at::Tensor& final_observations() const { return final_obs_; }
  const at::Tensor& rewards() const { return rewards_; }        // float32 [N]
  const at::Tensor& terminated() const { return terminated_; }  // bool [N]
  const at::Tensor& truncated() const { return truncated_; }    // bool [N]

  // Episodes that finished in the last step.
  const std::vector<Episode>& finished_episodes() const { return finished_; }
  // The most recent finished episodes (at most recent_window), oldest first.
  const std::deque<Episode>& recent_episodes() const { return recent_; }
  double recent_mean_return() const;
  int64_t total_steps() const { return total_steps_; }
  // Sums since this object was made: of every step's reward (all environments), and of the returns of
  // the episodes that finished. Not part of snapshot(): for differences over a stretch of steps.
  double reward_sum() const { return reward_sum_; }
  double episode_return_sum() const { return episode_return_sum_; }
  int64_t total_episodes() const { return total_episodes_; }

  Env& env(int i) { return *envs_[static_cast<size_t>(i)]; }

  // Every environment's state plus the running episode counters: restoring continues exactly.
  std::string snapshot() const;
  void restore(std::string_view snapshot);

 private:
  void after_step(int i, const StepResult& result);
  float* obs_row(int i) { return obs_data_ + static_cast<int64_t>(i) * obs_numel_; }

  std::vector<std::unique_ptr<Env>> envs_;
  uint32_t seed_ = 0;
  int64_t obs_numel_ = 0;
  int recent_window_;
  at::Tensor obs_, final_obs_, rewards_, terminated_, truncated_;
  float* obs_data_ = nullptr;
  float* final_obs_data_ = nullptr;
  float* rewards_data_ = nullptr;
  bool* terminated_data_ = nullptr;
  bool* truncated_data_ = nullptr;
  std::vector<double> running_return_;
  std::vector<int64_t> running_length_;
  std::vector<Episode> finished_;
  std::deque<Episode> recent_;
  int64_t total_steps_ = 0;
  int64_t total_episodes_ = 0;
  double reward_sum_ = 0.0, episode_return_sum_ = 0.0;
};

}  // namespace rlnas::env
