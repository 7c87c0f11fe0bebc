// The search strategies: random, grid, spos, enas (see strategy.h).
#include <algorithm>
#include <fstream>
#include <set>

#include "rlnas/core/error.h"
#include "rlnas/core/log.h"
#include "rlnas/search/evolution.h"
#include "rlnas/search/spos.h"
#include "rlnas/search/strategy.h"

namespace rlnas::search {

using nlohmann::json;

void SearchOptions::bind(OptionTable& t) {
  t.add("search.strategy", &strategy, "random | grid | spos | enas | darts | gdas", strategy_names())
      .add("search.space", &space, "search space (rlnas space list)")
      .add("search.seed", &seed, "seed of the search itself (sampling, controller, proxy evaluation)", 0, 4294967295.0)
      .add("search.steps", &search_steps,
           "environment steps of the search phase (supernet training); 0 = steps, one training's budget", 0, 1e13)
      .add("search.top_k", &top_k, "candidates retrained from scratch (random: architectures drawn)", 1, 1e6)
      .add("search.seeds", &seeds, "training seeds of every retrain and baseline (seed, seed+1, ...)", 1, 1000)
      .add("search.eval_episodes", &eval_episodes, "final evaluation episodes of every retrain (total reward)", 1,
           1e6)
      .add("search.proxy_episodes", &proxy_episodes, "spos: evaluation episodes per architecture (proxy reward)", 1,
           1e6)
      .add("search.exhaustive_limit", &exhaustive_limit,
           "spos: score every architecture of spaces up to this size; evolutionary search above", 1, 1e9)
      .add("search.population", &population, "spos evolutionary selection: population", 2, 1e6)
      .add("search.generations", &generations, "spos evolutionary selection: generations", 1, 1e6)
      .add("search.baselines", &baselines,
           "hand-designed baselines retrained like the candidates: auto | none | comma-separated named:NAME "
           "(rlnas space list) or net:NAME (backbone)")
      .add("search.jobs", &jobs, "trials trained at once (child processes)", 1, 1024)
      .add("search.enas.hidden", &enas.controller.hidden, "enas: controller LSTM hidden size", 1, 1e5)
      .add("search.enas.lr", &enas.controller.lr, "enas: controller Adam learning rate (cosine-annealed)", 0, 10)
      .add("search.enas.entropy_coef", &enas.controller.entropy_coef, "enas: entropy bonus", 0, 10)
      .add("search.enas.baseline_decay", &enas.controller.baseline_decay,
           "enas: b <- decay b + (1 - decay) mean(R)", 0, 1)
      .add("search.enas.batch", &enas.batch, "enas: rewarded children per controller update", 1, 1e6);
}

std::vector<std::string> strategy_names() { return {"random", "grid", "spos", "enas", "darts", "gdas"}; }

namespace {

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

// random: K distinct architectures drawn uniformly with the search seed; no search phase.
class RandomStrategy final : public SearchStrategy {
 public:
  explicit RandomStrategy(const StrategyContext& ctx) {
    Mt19937 rng(static_cast<uint32_t>(ctx.options.seed));
    const auto k = std::min<uint64_t>(static_cast<uint64_t>(ctx.options.top_k), ctx.space->size());
    std::set<std::string> seen;
    for (int tries = 0; ranking_.size() < k && tries < 100000; ++tries) {
      auto a = ctx.space->sample(rng);
      if (seen.insert(a.id()).second) ranking_.push_back({std::move(a), std::nullopt});
    }
  }
  std::string name() const override { return "random"; }
  std::vector<TrialRequest> propose(size_t) override { return {}; }
  void observe(const TrialOutcome&) override {}
  bool done() const override { return true; }
  std::vector<Candidate> ranking() const override { return ranking_; }
  json save() const override { return {{"ranking", candidates_json(ranking_)}}; }
  void load(const json& s) override { ranking_ = candidates_from(s.at("ranking")); }

 private:
  std::vector<Candidate> ranking_;
};

// grid: every architecture, all retrained over the seeds (the tabular benchmark).
class GridStrategy final : public SearchStrategy {
 public:
  explicit GridStrategy(const StrategyContext& ctx) {
    if (ctx.space->size() > 1000) {
      throw Error("strategy grid trains every architecture; space '" + ctx.space->name() + "' holds " +
                  space::format_count(ctx.space->size()) + " (at most 1,000)");
    }
    for (auto& a : ctx.space->enumerate()) ranking_.push_back({std::move(a), std::nullopt});
  }
  std::string name() const override { return "grid"; }
  std::vector<TrialRequest> propose(size_t) override { return {}; }
  void observe(const TrialOutcome&) override {}
  bool done() const override { return true; }
  std::vector<Candidate> ranking() const override { return ranking_; }
  bool retrain_all() const override { return true; }
  json save() const override { return json::object(); }
  void load(const json&) override {}

 private:
  std::vector<Candidate> ranking_;
};

// One-shot strategies: one supernet training, then a ranking read out of it.
class OneShotStrategy : public SearchStrategy {
 public:
  explicit OneShotStrategy(const StrategyContext& ctx) : ctx_(ctx) {}
  std::vector<TrialRequest> propose(size_t slots) override {
    if (proposed_ || slots == 0) return {};
    proposed_ = true;
    TrialRequest r;
    r.label = "supernet";
    r.overrides = {{"net.supernet", false}, {"net.mixed", "none"}, {"net.space", ctx_.space->name()},
                   {"net.arch", ""}, {"net.named", ""}, {"steps", ctx_.search_steps}, {"seed", ctx_.options.seed}};
    const json kind = supernet_overrides();  // alive while items() refers into it
    for (const auto& [k, v] : kind.items()) r.overrides[k] = v;
    r.sampler = sampler();
    return {r};
  }
  void observe(const TrialOutcome& o) override {
    if (!o.final) return;
    if (!o.ok) throw Error("the supernet training failed: " + o.reason);
    ranking_ = rank(o.run_dir);
    done_ = true;
  }
  bool done() const override { return done_; }
  std::vector<Candidate> ranking() const override { return ranking_; }
  std::vector<std::pair<std::string, json>> take_snapshots() override { return std::exchange(snapshots_, {}); }
  json save() const override {
    return {{"proposed", proposed_}, {"done", done_}, {"ranking", candidates_json(ranking_)}};
  }
  void load(const json& s) override {
    proposed_ = s.at("proposed").get<bool>();
    done_ = s.at("done").get<bool>();
    ranking_ = candidates_from(s.at("ranking"));
  }

 protected:
  virtual json sampler() const { return json(); }
  // The kind of supernet: {"net.supernet": true} (single path) or {"net.mixed": ...}.
  virtual json supernet_overrides() const { return {{"net.supernet", true}}; }
  virtual std::vector<Candidate> rank(const std::string& run_dir) = 0;
  StrategyContext ctx_;
  std::vector<std::pair<std::string, json>> snapshots_;

 private:
  bool proposed_ = false, done_ = false;
  std::vector<Candidate> ranking_;
};

class SposStrategy final : public OneShotStrategy {
 public:
  using OneShotStrategy::OneShotStrategy;
  std::string name() const override { return "spos"; }
  std::string proxy_name() const override { return "proxy reward"; }

 protected:
  json sampler() const override { return json(); }
  std::vector<Candidate> rank(const std::string& run_dir) override {
    ProxyOptions po;
    po.episodes = ctx_.options.proxy_episodes;
    po.seed = static_cast<uint32_t>(777 + ctx_.options.seed);
    std::vector<ProxyScore> scores;
    const auto& space = *ctx_.space;
    if (space.size() <= static_cast<uint64_t>(ctx_.options.exhaustive_limit)) {
      log::info("spos: scoring all " + space::format_count(space.size()) + " architectures with inherited weights (" +
                std::to_string(po.episodes) + " episodes each)");
      scores = spos_proxy_scores(run_dir, *ctx_.envs, space.enumerate(), po);
    } else {
      EvolutionOptions eo;
      eo.population = ctx_.options.population;
      eo.generations = ctx_.options.generations;
      eo.parents = std::max<int64_t>(1, eo.population / 5);
      eo.mutations = eo.population / 2;
      eo.crossovers = eo.population - eo.mutations;
      eo.seed = static_cast<uint64_t>(ctx_.options.seed);
      log::info("spos: evolutionary search over " + space::format_count(space.size()) + " architectures (population " +
                std::to_string(eo.population) + ", " + std::to_string(eo.generations) + " generations)");
      SposEvaluator evaluator(run_dir, *ctx_.envs, po);
      const auto result = evolutionary_search(
          space, [&](const space::Architecture& a) { return evaluator.score(a).mean_return; },
          eo, [&](int64_t generation, const std::vector<Scored>& top) {
            json best = json::array();
            for (size_t i = 0; i < std::min<size_t>(5, top.size()); ++i) {
              best.push_back({{"arch", top[i].arch.choices}, {"proxy", top[i].fitness}});
            }
            snapshots_.push_back({"evolution", {{"generation", generation}, {"top", best}}});
          });
      for (const auto& s : result.evaluated) scores.push_back({s.arch, s.fitness, 0, po.episodes});
    }
    json table = json::array();
    std::vector<Candidate> out;
    for (const auto& s : scores) {
      out.push_back({s.arch, s.mean_return});
      table.push_back({{"arch", s.arch.choices}, {"id", s.arch.short_id()}, {"proxy", s.mean_return},
                       {"proxy_std", s.std_return}});
    }
    snapshots_.push_back({"proxy_scores", {{"episodes", po.episodes}, {"scores", table}}});
    return out;
  }
};

class EnasStrategy final : public OneShotStrategy {
 public:
  explicit EnasStrategy(const StrategyContext& ctx) : OneShotStrategy(ctx) {}
  std::string name() const override { return "enas"; }
  std::string proxy_name() const override { return "controller probability"; }

 protected:
  json sampler() const override {
    EnasOptions o = ctx_.options.enas;
    o.controller.seed = static_cast<uint64_t>(ctx_.options.seed);
    // Cosine horizon: the expected number of updates if every child were rewarded.
    const int64_t children = ctx_.rollout_steps > 0 ? ctx_.search_steps / ctx_.rollout_steps : 0;
    o.controller.total_updates = std::max<int64_t>(1, children / o.batch);
    return o.to_json();
  }
  std::vector<Candidate> rank(const std::string& run_dir) override {
    const auto o = EnasOptions::from_json(sampler());
    const auto controller = read_controller(run_dir + "/controller.pt", *ctx_.space, o.controller);
    const auto n = std::min<uint64_t>(ctx_.space->size(), 100);
    std::vector<Candidate> out;
    json table = json::array();
    for (const auto& [arch, p] : controller->rank(static_cast<size_t>(n))) {
      out.push_back({arch, p});
      table.push_back({{"arch", arch.choices}, {"id", arch.short_id()}, {"proxy", p}});
    }
    snapshots_.push_back({"proxy_scores", {{"proxy", "controller probability"}, {"scores", table}}});
    return out;
  }
};

// darts / gdas: one differentiable supernet training (alpha learned with the weights), then the
// sequence of distinct discretized architectures read from its alpha.jsonl; the final one first,
// then the earlier ones newest first (RL-DARTS Sec. 4.3: every cell of the sequence can be
// evaluated from scratch).
class DifferentiableStrategy final : public OneShotStrategy {
 public:
  DifferentiableStrategy(const StrategyContext& ctx, std::string name) : OneShotStrategy(ctx), name_(std::move(name)) {}
  std::string name() const override { return name_; }
  std::string proxy_name() const override { return "last step as the discretization"; }

 protected:
  json supernet_overrides() const override { return {{"net.mixed", name_ == "darts" ? "softmax" : "gumbel"}}; }
  std::vector<Candidate> rank(const std::string& run_dir) override {
    const auto path = run_dir + "/alpha.jsonl";
    std::ifstream in(path);
    if (!in) throw Error(name_ + ": the supernet run wrote no " + path);
    json sequence = json::array(), series = json::array();
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      const auto j = json::parse(line);
      series.push_back(j);
      const auto arch = space::Architecture::from_json(j.at("arch"));
      if (sequence.empty() || sequence.back().at("id") != arch.id()) {
        sequence.push_back({{"id", arch.id()}, {"arch", arch.to_json()}, {"first_step", j.at("step")},
                            {"last_step", j.at("step")}});
      } else {
        sequence.back()["last_step"] = j.at("step");
      }
    }
    if (sequence.empty()) throw Error(name_ + ": " + path + " holds no snapshot");
    // Alpha over time (thinned to at most 200 snapshots) and the discretized sequence.
    json thinned = json::array();
    const size_t stride = std::max<size_t>(1, (series.size() + 199) / 200);
    for (size_t i = 0; i < series.size(); ++i) {
      if (i % stride == 0 || i + 1 == series.size()) thinned.push_back(series[i]);
    }
    snapshots_.push_back({"alpha", {{"snapshots", thinned}}});
    snapshots_.push_back({"discretized_sequence", {{"sequence", sequence}}});
    std::vector<Candidate> out;
    std::set<std::string> seen;
    for (auto it = sequence.rbegin(); it != sequence.rend(); ++it) {
      if (!seen.insert(it->at("id").get<std::string>()).second) continue;
      out.push_back({space::Architecture::from_json(it->at("arch")), it->at("last_step").get<double>()});
    }
    log::info(name_ + ": " + std::to_string(sequence.size()) + " discretized architectures over the search (" +
              std::to_string(out.size()) + " distinct); final " + out.front().arch.short_id() + " " +
              out.front().arch.choices.dump());
    return out;
  }

 private:
  std::string name_;
};

}  // namespace

std::unique_ptr<SearchStrategy> make_strategy(const StrategyContext& ctx) {
  const auto& name = ctx.options.strategy;
  if (name == "random") return std::make_unique<RandomStrategy>(ctx);
  if (name == "grid") return std::make_unique<GridStrategy>(ctx);
  if (name == "spos") return std::make_unique<SposStrategy>(ctx);
  if (name == "enas") return std::make_unique<EnasStrategy>(ctx);
  if (name == "darts" || name == "gdas") return std::make_unique<DifferentiableStrategy>(ctx, name);
  std::string valid;
  for (const auto& n : strategy_names()) valid += (valid.empty() ? "" : ", ") + n;
  throw Error("unknown search strategy '" + name + "'; valid strategies: " + valid);
}

}  // namespace rlnas::search
