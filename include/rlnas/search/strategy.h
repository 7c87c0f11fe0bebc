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
// Strategies live in a table (strategy_table(), src/search/strategies/table.cpp): each entry has
// its name, a factory, its own options under search.<name>.*, what it needs (a supernet kind, the
// algorithms it works with), a validate() run before anything trains, and its summary-row kinds.
// Adding a strategy is one new file in src/search/strategies/ plus one line in the table; nothing
// outside those files compares a strategy's name (scripts/lint_strategy_names, run by the tests).
// `rlnas search --help` and docs/search.md describe the built-in ones.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "rlnas/core/options.h"
#include "rlnas/env/registry.h"
#include "rlnas/rl/network_spec.h"
#include "rlnas/search/summary.h"
#include "rlnas/space/space.h"

namespace rlnas::rl {
class PathSampler;
}

namespace rlnas::search {

// A strategy's own options (search.<name>.*), defined in its file.
class StrategyOptions {
 public:
  virtual ~StrategyOptions() = default;
  virtual std::unique_ptr<StrategyOptions> clone() const = 0;
  virtual void bind(OptionTable& table) = 0;
};

struct SearchOptions {
  SearchOptions();  // with every strategy's own options at their defaults
  SearchOptions(const SearchOptions& other);
  SearchOptions& operator=(const SearchOptions& other);
  SearchOptions(SearchOptions&&) = default;
  SearchOptions& operator=(SearchOptions&&) = default;

  std::string strategy = "spos";
  std::string space = "minatar/ss1";
  int64_t seed = 1;                    // the search's own seed: sampling, controller, proxy evaluation
  int64_t search_steps = 0;            // environment steps of the search phase; 0 = `steps` (one training)
  int64_t top_k = 3;                   // candidates retrained (random: architectures drawn)
  int64_t seeds = 3;                   // training seeds of every retrain and baseline: seed, seed+1, ...
  int64_t eval_episodes = 100;         // final evaluation episodes of retrains ("total reward")
  std::string baselines = "auto";      // auto | none | comma-separated named:NAME / net:NAME
  std::string select = "reward_mean";  // the selection rule's metric (summary.h SelectionRule)
  int64_t jobs = 2;                    // trials at once
  double trial_timeout = 0;            // seconds a trial process may run (0: no limit)
  // Every strategy's own options, by strategy name.
  std::map<std::string, std::unique_ptr<StrategyOptions>> own;

  // Binds the search.* keys, every strategy's included (so any stored configuration loads).
  void bind(OptionTable& table);
  // The own options of strategy `name`, as its type.
  template <typename T>
  const T& own_as(const std::string& name) const {
    return dynamic_cast<const T&>(*own.at(name));
  }
};

// What a strategy asks the search to train.
struct TrialRequest {
  std::string label;                                    // e.g. "supernet"
  nlohmann::json overrides = nlohmann::json::object();  // training-config keys to set, e.g. {"net.supernet": true}
  nlohmann::json sampler;  // supernet path sampler: null (uniform) or EnasOptions::to_json()
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
  // How much the search phase learned, after done(): the strategy's figures (e.g. ENAS controller
  // updates) under their names, and "warnings": the figures below their documented thresholds.
  virtual nlohmann::json learned() const { return nlohmann::json::object(); }
  // Snapshots (kind, payload) produced since the last call, for the store.
  virtual std::vector<std::pair<std::string, nlohmann::json>> take_snapshots() { return {}; }
  virtual nlohmann::json save() const = 0;
  virtual void load(const nlohmann::json& state) = 0;
};

struct StrategyContext {
  const env::EnvRegistry* envs = nullptr;
  const space::SearchSpace* space = nullptr;
  SearchOptions options;
  int64_t search_steps = 0;   // resolved
  int64_t rollout_steps = 0;  // environment steps per training iteration (ENAS's cosine horizon)
  // The supernet's iterations over search_steps when the workload knows them in advance
  // (Workload::iterations: supervised epochs x minibatches); 0: from rollout_steps.
  int64_t search_iterations = 0;
};

// The path sampler of a strategy's supernet trial, rebuilt in the trial's process from the
// "sampler" of its trial.json (whose "kind" is the strategy's name).
class TrialSampler {
 public:
  virtual ~TrialSampler() = default;
  virtual rl::PathSampler& path_sampler() = 0;
  // After the training ended (not interrupted): write what the strategy reads back (a controller).
  virtual void finish(const std::string& run_dir) = 0;
};

struct StrategyEntry {
  std::string name;
  std::string summary;  // one line: what it does, the paper
  std::function<std::unique_ptr<SearchStrategy>(const StrategyContext&)> make;
  // Its own options (bound under search.<name>.*); null when it has none.
  std::function<std::unique_ptr<StrategyOptions>()> options;
  // The supernet its search phase trains (none: it trains architectures from scratch only).
  std::optional<rl::SupernetKind> supernet;
  std::vector<std::string> algos;  // algorithms it works with; empty: any
  // Retrains every candidate: its retrains are a tabular benchmark of the space (trial role
  // benchmark), and random search's row (computed from such a benchmark) is not added.
  bool tabular = false;
  std::vector<RowKind> row_kinds = {RowKind::found, RowKind::candidate, RowKind::baseline, RowKind::random_search};
  // Checks that the strategy can search `space` with the search's training configuration (before
  // anything trains); throws rlnas::Error saying why not. Null: always.
  std::function<void(const space::SearchSpace& space, const StrategyContext& context)> validate;
  // Chooses its supernet trial's paths (null: uniform draws): the sampler for trial.json's
  // "sampler" object, over `space`, in `run_dir`.
  std::function<std::unique_ptr<TrialSampler>(const nlohmann::json& sampler, const space::SearchSpace& space,
                                              const std::string& run_dir)>
      sampler;
};

const std::vector<StrategyEntry>& strategy_table();
const StrategyEntry& find_strategy(const std::string& name);  // throws, listing the names
std::vector<std::string> strategy_names();
std::unique_ptr<SearchStrategy> make_strategy(const StrategyContext& context);

}  // namespace rlnas::search
