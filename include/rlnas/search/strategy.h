// Search strategies behind one interface, and the options of a search.
//
// A strategy drives the search phase by proposing trainings (a supernet, or architectures trained
// from scratch) and observing their outcomes, then ranks candidate architectures by its proxy.
// The protocol (search.h) retrains the top-K (or, for `grid`, every candidate) from scratch over
// several seeds; that part is the same for every strategy.
//
// The interface carries what the survey's later methods need: proposals in batches of any size
// as slots free up (asynchronous), observations that may be partial (a learning curve so far,
// final = false) and vector-valued (objectives), and a state saved as JSON after every
// observation so that an interrupted search resumes where it was.
//
// Strategies (nas-for-rl-agents Sections 4-5):
//   random  K architectures drawn uniformly; no search phase: all K go to the retrain phase
//           (Section 5.4). Proxy: none.
//   grid    every architecture of a small space: the tabular benchmark (Section 5.3).
//   spos    one supernet training with a uniformly drawn path per iteration, kept for all the
//           algorithm's epochs on that rollout; then every architecture (evolutionary search
//           above search.exhaustive_limit) scored by its proxy reward with inherited weights
//           (eq. 6).
//   enas    one supernet training whose paths an LSTM controller chooses and learns from by
//           REINFORCE (enas.h); proxy = the controller's probability of an architecture.
//   darts   one softmax-mixed supernet training, alpha learned with the weights (RL-DARTS);
//   gdas    the same with Gumbel-softmax mixing (A2D). Both rank the distinct discretized
//           architectures of the run's alpha.jsonl, the final one first (rl/arch.h).
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "rlnas/core/options.h"
#include "rlnas/env/registry.h"
#include "rlnas/search/enas.h"
#include "rlnas/space/space.h"

namespace rlnas::search {

struct SearchOptions {
  std::string strategy = "spos";
  std::string space = "minatar/ss1";
  int64_t seed = 1;                // the search's own seed: sampling, controller, proxy evaluation
  int64_t search_steps = 0;        // environment steps of the search phase; 0 = `steps` (one training)
  int64_t top_k = 3;               // candidates retrained (random: architectures drawn)
  int64_t seeds = 3;               // training seeds of every retrain and baseline: seed, seed+1, ...
  int64_t eval_episodes = 100;     // final evaluation episodes of retrains ("total reward")
  int64_t proxy_episodes = 10;     // SPOS: evaluation episodes per architecture
  int64_t exhaustive_limit = 1000; // SPOS: score every architecture of spaces up to this size
  int64_t population = 50;         // SPOS evolutionary selection (larger spaces)
  int64_t generations = 20;
  std::string baselines = "auto";  // auto | none | comma-separated named:NAME / net:NAME
  int64_t jobs = 2;                // trials at once
  EnasOptions enas;

  // Binds the search.* keys.
  void bind(OptionTable& table);
};

// What a strategy asks the search to train.
struct TrialRequest {
  std::string label;                            // e.g. "supernet"
  nlohmann::json overrides = nlohmann::json::object();  // training-config keys to set, e.g. {"net.supernet": true}
  nlohmann::json sampler;                       // supernet path sampler: null (uniform) or EnasOptions::to_json()
};

struct TrialOutcome {
  TrialRequest request;
  int64_t trial_id = 0;
  bool ok = false;
  std::string reason;  // why it failed
  std::string run_dir;
  int64_t steps = 0;
  nlohmann::json metrics;
  std::vector<double> objectives;  // e.g. {train_return_mean}; several for multi-objective strategies
  bool final = true;               // false: a partial observation (the learning curve so far)
};

struct Candidate {
  space::Architecture arch;
  std::optional<double> proxy;  // none for random and grid
};

class SearchStrategy {
 public:
  virtual ~SearchStrategy() = default;
  virtual std::string name() const = 0;
  // Up to `slots` trainings to start now: none while it waits for outcomes, or once done().
  virtual std::vector<TrialRequest> propose(size_t slots) = 0;
  virtual void observe(const TrialOutcome& outcome) = 0;
  virtual bool done() const = 0;
  // Candidates best first, by the strategy's proxy (after done()).
  virtual std::vector<Candidate> ranking() const = 0;
  // The proxy's name for the summary ("proxy reward", "controller probability"), empty if none.
  virtual std::string proxy_name() const { return ""; }
  // Retrain every ranked candidate instead of the top-K (grid).
  virtual bool retrain_all() const { return false; }
  // Snapshots (kind, payload) produced since the last call, for the store.
  virtual std::vector<std::pair<std::string, nlohmann::json>> take_snapshots() { return {}; }
  virtual nlohmann::json save() const = 0;
  virtual void load(const nlohmann::json& state) = 0;
};

struct StrategyContext {
  const env::EnvRegistry* envs = nullptr;
  const space::SearchSpace* space = nullptr;
  SearchOptions options;
  int64_t search_steps = 0;  // resolved
  int64_t rollout_steps = 0; // environment steps per training iteration (ENAS's cosine horizon)
};

std::unique_ptr<SearchStrategy> make_strategy(const StrategyContext& context);  // throws, listing names
std::vector<std::string> strategy_names();

}  // namespace rlnas::search
