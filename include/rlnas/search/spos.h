// SPOS selection (nas-for-rl-agents Section 4.2, eq. 6): after supernet training, every candidate
// architecture is scored by its proxy reward, the mean episode return of the agent acting through
// that architecture's path with the weights it inherits from the supernet (no retraining).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "rlnas/env/registry.h"
#include "rlnas/space/architecture.h"

namespace rlnas::search {

struct ProxyScore {
  space::Architecture arch;
  double mean_return = 0;
  double std_return = 0;
  int64_t episodes = 0;
};

struct ProxyOptions {
  int64_t episodes = 10;  // per architecture, on evaluation environments seeded apart from training
  uint32_t seed = 777;    // every architecture sees the same evaluation seeds
  bool greedy = false;    // sample actions (the policy as trained), or take the mode
  int64_t images = 2000;  // supervised: the first validation images, the same for every architecture
};

// The supernet trained in a run directory (`rlnas train --supernet`), loaded once, scoring
// architectures one at a time (evolutionary selection asks for them as it goes).
class SposEvaluator {
 public:
  // Throws rlnas::Error when the run is not a supernet run.
  SposEvaluator(const std::string& supernet_run_dir, const env::EnvRegistry& registry, ProxyOptions options);
  ~SposEvaluator();
  // Throws rlnas::Error for an architecture of another space.
  ProxyScore score(const space::Architecture& arch);
  // What one score costs, for progress lines: "10 episodes", "2000 validation images".
  std::string unit() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Scores `archs` (all of the supernet's space) with the supernet trained in `supernet_run_dir`
// (`rlnas train --supernet`). Returns the scores best first (ties keep the given order). Throws
// rlnas::Error when the run is not a supernet run or an architecture belongs to another space.
std::vector<ProxyScore> spos_proxy_scores(const std::string& supernet_run_dir, const env::EnvRegistry& registry,
                                          const std::vector<space::Architecture>& archs, const ProxyOptions& options);

}  // namespace rlnas::search
