// ENAS on a supernet (nas-for-rl-agents Section 4.2, Appendix C Table 5): the path sampler of a
// supernet training run in which an LSTM controller (controller.h) chooses every child.
//
// The loop, one child per training iteration:
//   1. the controller samples a child architecture a;
//   2. the child takes one PPO (or A2C) iteration on the shared supernet weights along its path:
//      one rollout (num_envs x num_steps steps) and the algorithm's update epochs on it;
//   3. the child's reward R (search.enas.reward) is its rollout return: the rewards collected in its
//      rollout per environment (num_steps steps of each environment), defined for every child
//      whatever the episode length (docs/search.md says why). The older definition,
//      episode_return, is the mean return of the episodes that ended during the rollout, and leaves
//      out a child during whose rollout none ended (with MinAtar Freeway's fixed 2,500-step
//      episodes most children, which starves the controller);
//   4. every `batch` (10) rewarded children the controller takes one REINFORCE step on them:
//      baseline b <- 0.2 b + 0.8 mean(R), entropy bonus 1e-4, Adam with lr cosine-annealed from
//      1e-3 over the run's expected number of updates.
// After the run, an architecture's proxy score is the controller's probability of sampling it.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "rlnas/rl/trainer.h"
#include "rlnas/search/controller.h"

namespace rlnas::search {

struct EnasOptions {
  ControllerOptions controller;
  int64_t batch = 10;                                     // rewarded children per controller update
  std::string reward = "rollout_return";                  // rollout_return | episode_return (see above)
  nlohmann::json to_json() const;                         // {"kind": "enas", ...}
  static EnasOptions from_json(const nlohmann::json& j);  // throws rlnas::Error naming a bad field
};

class EnasSampler final : public rl::PathSampler {
 public:
  // Controller snapshots (one per update) are appended to `snapshots_path` as JSON lines
  // {"step", "kind": "controller", "payload"}; empty: none.
  EnasSampler(const space::SearchSpace& space, const EnasOptions& options, std::string snapshots_path);
  space::Architecture next(int64_t iteration) override;
  void observe(const space::Architecture& path, const rl::IterationReturns& returns, int64_t steps_done) override;
  void save(torch::serialize::OutputArchive& archive) override;
  void load(torch::serialize::InputArchive& archive) override;
  // The trained controller, for ranking (load it with read_controller).
  void write_controller(const std::string& path) const;
  const Controller& controller() const { return controller_; }
  int64_t children() const { return children_; }

 private:
  EnasOptions options_;
  Controller controller_;
  std::string snapshots_path_;
  std::vector<std::pair<space::Architecture, double>> pending_;
  int64_t children_ = 0, rewarded_ = 0;
};

// A controller written by EnasSampler::write_controller, for `space` with `options`.
std::unique_ptr<Controller> read_controller(const std::string& path, const space::SearchSpace& space,
                                            const ControllerOptions& options);

}  // namespace rlnas::search
