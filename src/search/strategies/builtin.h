// Private: the built-in strategies' table entries (one function per file) and what the one-shot
// strategies share. The table is in table.cpp.
#pragma once

#include <nlohmann/json.hpp>
#include <set>
#include <utility>
#include <vector>

#include "rlnas/search/strategy.h"

namespace rlnas::search::detail {

StrategyEntry random_strategy();
StrategyEntry grid_strategy();
StrategyEntry spos_strategy();
StrategyEntry enas_strategy();
StrategyEntry darts_strategy();
StrategyEntry gdas_strategy();

nlohmann::json candidates_json(const std::vector<Candidate>& candidates);
std::vector<Candidate> candidates_from(const nlohmann::json& j);

// Strategies without a search phase: the candidates are known up front (random, grid).
class FixedRankingStrategy : public SearchStrategy {
 public:
  std::vector<TrialRequest> propose(size_t) override { return {}; }
  void observe(const TrialOutcome&) override {}
  bool done() const override { return true; }
  std::vector<Candidate> ranking() const override { return ranking_; }

 protected:
  std::vector<Candidate> ranking_;
};

// One-shot strategies: one supernet training (the search phase), then a ranking read out of it.
class OneShotStrategy : public SearchStrategy {
 public:
  OneShotStrategy(const StrategyContext& ctx, rl::SupernetKind kind) : ctx_(ctx), kind_(kind) {}
  std::vector<TrialRequest> propose(size_t slots) override;
  void observe(const TrialOutcome& o) override;
  bool done() const override { return done_; }
  std::vector<Candidate> ranking() const override { return ranking_; }
  std::vector<std::pair<std::string, nlohmann::json>> take_snapshots() override {
    return std::exchange(snapshots_, {});
  }
  nlohmann::json learned() const override { return learned_; }
  nlohmann::json save() const override;
  void load(const nlohmann::json& s) override;

 protected:
  // The supernet path sampler's description (trial.json): null for uniform draws.
  virtual nlohmann::json sampler() const { return nlohmann::json(); }
  virtual std::vector<Candidate> rank(const std::string& run_dir) = 0;
  // The strategy's own figures of how much its supernet training learned (learned()), added to
  // `out`, and warnings below their documented thresholds pushed onto out["warnings"]. Called after
  // rank(); `config` is the supernet training's config.json.
  virtual void learning(const std::string& run_dir, const nlohmann::json& config, nlohmann::json& out) const {}
  // The supernet trial's iterations: the minibatches a supervised trial counted, else
  // training_updates of its steps (`out` as learning() receives it).
  int64_t iterations(const nlohmann::json& config, const nlohmann::json& out) const;
  StrategyContext ctx_;
  std::vector<std::pair<std::string, nlohmann::json>> snapshots_;

 private:
  rl::SupernetKind kind_;
  bool proposed_ = false, done_ = false;
  std::vector<Candidate> ranking_;
  nlohmann::json learned_ = nlohmann::json::object();
};

// Training iterations of a run of `steps` steps with the algorithm of `config` (config.json):
// steps / (num_envs x num_steps) for ppo and a2c; gradient updates for dqn (one per
// train_frequency steps after learning_starts). 0 when it cannot tell.
int64_t training_updates(const nlohmann::json& config, int64_t steps);
// Gradient steps of one of them (its algorithm's; 1 where there is none).
int64_t gradient_steps_per_update(const nlohmann::json& config);

}  // namespace rlnas::search::detail
