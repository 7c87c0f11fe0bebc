// spos: one supernet training with a uniformly drawn path per iteration (kept for all the
// algorithm's epochs on that rollout); then every architecture (evolutionary search above
// search.spos.exhaustive_limit) scored by its proxy reward with inherited weights
// (nas-for-rl-agents eq. 6).
#include "rlnas/search/spos.h"

#include "builtin.h"
#include "rlnas/core/log.h"
#include "rlnas/search/evolution.h"

namespace rlnas::search::detail {
namespace {

using nlohmann::json;

struct SposOptions final : StrategyOptions {
  int64_t proxy_episodes = 10;      // evaluation episodes per architecture
  int64_t proxy_images = 2000;      // supervised: validation images per architecture
  int64_t exhaustive_limit = 1000;  // score every architecture of spaces up to this size
  int64_t population = 50;          // evolutionary selection (larger spaces)
  int64_t generations = 20;
  std::unique_ptr<StrategyOptions> clone() const override { return std::make_unique<SposOptions>(*this); }
  void bind(OptionTable& t) override {
    t.add("search.spos.proxy_episodes", &proxy_episodes, "spos: evaluation episodes per architecture (proxy reward)", 1,
          1e6)
        .add("search.spos.proxy_images", &proxy_images,
             "spos on a dataset: validation images per architecture (proxy: accuracy with inherited weights)", 1, 1e9)
        .add("search.spos.exhaustive_limit", &exhaustive_limit,
             "spos: score every architecture of spaces up to this size; evolutionary search above", 1, 1e9)
        .add("search.spos.population", &population, "spos evolutionary selection: population", 2, 1e6)
        .add("search.spos.generations", &generations, "spos evolutionary selection: generations", 1, 1e6)
        // The names of stored configurations from before the strategy table.
        .alias("search.proxy_episodes", "search.spos.proxy_episodes")
        .alias("search.exhaustive_limit", "search.spos.exhaustive_limit")
        .alias("search.population", "search.spos.population")
        .alias("search.generations", "search.spos.generations");
  }
};

class SposStrategy final : public OneShotStrategy {
 public:
  explicit SposStrategy(const StrategyContext& ctx) : OneShotStrategy(ctx, rl::SupernetKind::single_path) {}
  std::string name() const override { return "spos"; }
  std::string proxy_name() const override { return "proxy reward"; }

 protected:
  std::vector<Candidate> rank(const std::string& run_dir) override {
    const auto& o = ctx_.options.own_as<SposOptions>("spos");
    ProxyOptions po;
    po.episodes = o.proxy_episodes;
    po.images = o.proxy_images;
    po.seed = static_cast<uint32_t>(777 + ctx_.options.seed);
    std::vector<ProxyScore> scores;
    const auto& space = *ctx_.space;
    if (space.size() <= static_cast<uint64_t>(o.exhaustive_limit)) {
      scores = spos_proxy_scores(run_dir, *ctx_.envs, space.enumerate(), po);
    } else {
      EvolutionOptions eo;
      eo.population = o.population;
      eo.generations = o.generations;
      eo.parents = std::max<int64_t>(1, eo.population / 5);
      eo.mutations = eo.population / 2;
      eo.crossovers = eo.population - eo.mutations;
      eo.seed = static_cast<uint64_t>(ctx_.options.seed);
      log::info("spos: evolutionary search over " + space::format_count(space.size()) + " architectures (population " +
                std::to_string(eo.population) + ", " + std::to_string(eo.generations) + " generations)");
      SposEvaluator evaluator(run_dir, *ctx_.envs, po);
      const auto result = evolutionary_search(
          space, [&](const space::Architecture& a) { return evaluator.score(a).mean_return; }, eo,
          [&](int64_t generation, const std::vector<Scored>& top) {
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
      table.push_back(
          {{"arch", s.arch.choices}, {"id", s.arch.short_id()}, {"proxy", s.mean_return}, {"proxy_std", s.std_return}});
    }
    snapshots_.push_back({"proxy_scores", {{"episodes", po.episodes}, {"scores", table}}});
    return out;
  }
  // Every iteration trains one uniformly drawn path: iterations per path is how often each path's
  // ops were trained on average (fewer than 20 and the ranking mostly reflects initialisation).
  void learning(const std::string&, const json& config, json& out) const override {
    const int64_t iterations = this->iterations(config, out);
    const double per_path =
        static_cast<double>(iterations) / static_cast<double>(std::max<uint64_t>(1, ctx_.space->size()));
    out["supernet_iterations"] = iterations;
    out["iterations_per_path"] = per_path;
    if (per_path < kMinIterationsPerPath) {
      out["warnings"].push_back("spos: " + std::to_string(iterations) + " supernet iterations over " +
                                space::format_count(ctx_.space->size()) + " paths is " +
                                std::to_string(per_path).substr(0, 6) + " per path on average, below " +
                                std::to_string(kMinIterationsPerPath) +
                                ": the proxy ranking says little (more search.steps)");
    }
  }
  static constexpr int64_t kMinIterationsPerPath = 20;
};

}  // namespace

StrategyEntry spos_strategy() {
  StrategyEntry e;
  e.name = "spos";
  e.summary = "single-path one-shot: a uniformly sampled supernet, architectures ranked by inherited-weight reward";
  e.make = [](const StrategyContext& ctx) { return std::make_unique<SposStrategy>(ctx); };
  e.options = [] { return std::make_unique<SposOptions>(); };
  e.supernet = rl::SupernetKind::single_path;
  e.algos = {"ppo", "a2c"};
  return e;
}

}  // namespace rlnas::search::detail
