// The table of search strategies, the search.* options and what the one-shot strategies share.
#include <algorithm>
#include <fstream>

#include "builtin.h"
#include "rlnas/core/error.h"
#include "rlnas/rl/algorithm.h"

namespace rlnas::search {

using nlohmann::json;

const std::vector<StrategyEntry>& strategy_table() {
  static const std::vector<StrategyEntry> table = {
      detail::random_strategy(), detail::grid_strategy(),  detail::spos_strategy(),
      detail::enas_strategy(),   detail::darts_strategy(), detail::gdas_strategy(),
  };
  return table;
}

const StrategyEntry& find_strategy(const std::string& name) {
  for (const auto& e : strategy_table()) {
    if (e.name == name) return e;
  }
  std::string valid;
  for (const auto& n : strategy_names()) valid += (valid.empty() ? "" : ", ") + n;
  throw Error("unknown search strategy '" + name + "'; valid strategies: " + valid);
}

std::vector<std::string> strategy_names() {
  std::vector<std::string> names;
  for (const auto& e : strategy_table()) names.push_back(e.name);
  return names;
}

std::unique_ptr<SearchStrategy> make_strategy(const StrategyContext& ctx) {
  const auto& entry = find_strategy(ctx.options.strategy);
  if (entry.validate) entry.validate(*ctx.space, ctx);
  return entry.make(ctx);
}

SearchOptions::SearchOptions() {
  for (const auto& e : strategy_table()) {
    if (e.options) own[e.name] = e.options();
  }
}

SearchOptions::SearchOptions(const SearchOptions& o)
    : strategy(o.strategy),
      space(o.space),
      seed(o.seed),
      search_steps(o.search_steps),
      top_k(o.top_k),
      seeds(o.seeds),
      eval_episodes(o.eval_episodes),
      baselines(o.baselines),
      select(o.select),
      jobs(o.jobs),
      trial_timeout(o.trial_timeout) {
  for (const auto& [name, options] : o.own) own[name] = options->clone();
}

SearchOptions& SearchOptions::operator=(const SearchOptions& o) {
  if (this != &o) *this = SearchOptions(o);
  return *this;
}

void SearchOptions::bind(OptionTable& t) {
  std::string names;
  for (const auto& n : strategy_names()) names += (names.empty() ? "" : " | ") + n;
  t.add("search.strategy", &strategy, names, strategy_names())
      .add("search.space", &space, "search space (rlnas space list)")
      .add("search.seed", &seed, "seed of the search itself (sampling, controller, proxy evaluation)", 0, 4294967295.0)
      .add("search.steps", &search_steps,
           "environment steps of the search phase (supernet training); 0 = steps, one training's budget", 0, 1e13)
      .add("search.top_k", &top_k, "candidates retrained from scratch (random: architectures drawn)", 1, 1e6)
      .add("search.seeds", &seeds, "training seeds of every retrain and baseline (seed, seed+1, ...)", 1, 1000)
      .add("search.eval_episodes", &eval_episodes, "final evaluation episodes of every retrain (total reward)", 1, 1e6)
      .add("search.baselines", &baselines,
           "hand-designed baselines retrained like the candidates: auto (the space's and the workload's) | none | "
           "comma-separated named:NAME (rlnas space list) or net:NAME (backbone)")
      .add("search.select", &select,
           "the metric every row is selected on (reported on total reward): reward_mean (mean return of the last 100 "
           "training episodes, the papers') | late_return (episodes ending in the last 20% of the training steps)",
           SelectionRule::names())
      .add("search.jobs", &jobs, "trials trained at once (child processes)", 1, 1024)
      .add("search.trial_timeout", &trial_timeout,
           "wall-clock seconds one trial process may run before it is killed and recorded failed (0: no limit; "
           "a resumed trial's clock starts again)",
           0, 1e9);
  for (const auto& e : strategy_table()) {
    if (e.options) own.at(e.name)->bind(t);
  }
}

namespace detail {

json candidates_json(const std::vector<Candidate>& c) {
  json out = json::array();
  for (const auto& x : c) out.push_back({{"arch", x.arch.to_json()}, {"proxy", x.proxy ? json(*x.proxy) : json()}});
  return out;
}

std::vector<Candidate> candidates_from(const json& j) {
  std::vector<Candidate> out;
  for (const auto& x : j) {
    Candidate c{space::Architecture::from_json(x.at("arch")), std::nullopt};
    if (!x.at("proxy").is_null()) c.proxy = x.at("proxy").get<double>();
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<TrialRequest> OneShotStrategy::propose(size_t slots) {
  if (proposed_ || slots == 0) return {};
  proposed_ = true;
  TrialRequest r;
  r.label = "supernet";
  r.overrides = rl::NetworkSpec::supernet(ctx_.space->name(), kind_).keys();
  r.overrides["steps"] = ctx_.search_steps;
  r.overrides["seed"] = ctx_.options.seed;
  r.sampler = sampler();
  return {r};
}

// The algorithm of a stored configuration (none: another workload's, or one this rlnas lacks).
std::unique_ptr<rl::AlgorithmFactory> stored_algorithm(const json& config) {
  try {
    return rl::make_algorithm_factory(config.value("algo", ""));
  } catch (const Error&) {
    return nullptr;
  }
}

int64_t training_updates(const json& config, int64_t steps) {
  const auto algo = stored_algorithm(config);
  return algo ? algo->updates(config, steps) : 0;
}

int64_t gradient_steps_per_update(const json& config) {
  const auto algo = stored_algorithm(config);
  return algo ? algo->gradient_steps_per_update(config) : 1;
}

int64_t OneShotStrategy::iterations(const json& config, const json& out) const {
  if (out.contains("supernet_minibatches")) return out["supernet_minibatches"].get<int64_t>();
  return training_updates(config, out.value("supernet_steps", int64_t{0}));
}

void OneShotStrategy::observe(const TrialOutcome& o) {
  if (!o.final) return;
  if (!o.ok) throw Error("the supernet training failed: " + o.reason);
  ranking_ = rank(o.run_dir);
  json config = json::object();
  if (std::ifstream in(o.run_dir + "/config.json"); in) config = json::parse(in, nullptr, false);
  if (config.is_discarded()) config = json::object();
  learned_ = json::object();
  learned_["supernet_steps"] = o.steps;
  // A supervised supernet trial counts its minibatches (one path or alpha step each) and reports
  // its validation accuracy where an RL one reports its training return.
  if (o.metrics.contains("minibatches")) {
    learned_["supernet_minibatches"] = o.metrics["minibatches"];
    learned_["supernet_validation_accuracy"] = o.metrics.value("validation_accuracy", json());
  } else {
    learned_["supernet_return"] = o.metrics.value("train_return_mean", json());
  }
  learned_["warnings"] = json::array();
  learning(o.run_dir, config, learned_);
  done_ = true;
}

json OneShotStrategy::save() const {
  return {{"proposed", proposed_}, {"done", done_}, {"ranking", candidates_json(ranking_)}, {"learned", learned_}};
}

void OneShotStrategy::load(const json& s) {
  proposed_ = s.at("proposed").get<bool>();
  done_ = s.at("done").get<bool>();
  ranking_ = candidates_from(s.at("ranking"));
  learned_ = s.value("learned", json::object());  // states saved before the figures existed: none
}

}  // namespace detail
}  // namespace rlnas::search
