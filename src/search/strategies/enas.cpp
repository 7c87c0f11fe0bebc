// enas: one supernet training whose paths an LSTM controller chooses and learns from by REINFORCE
// (rlnas/search/enas.h); proxy = the controller's probability of an architecture.
#include "rlnas/search/enas.h"

#include <fstream>

#include "builtin.h"
#include "rlnas/search/trial.h"

namespace rlnas::search::detail {
namespace {

using nlohmann::json;

struct EnasStrategyOptions final : StrategyOptions {
  EnasOptions enas;
  std::unique_ptr<StrategyOptions> clone() const override { return std::make_unique<EnasStrategyOptions>(*this); }
  void bind(OptionTable& t) override {
    t.add("search.enas.hidden", &enas.controller.hidden, "enas: controller LSTM hidden size", 1, 1e5)
        .add("search.enas.lr", &enas.controller.lr, "enas: controller Adam learning rate (cosine-annealed)", 0, 10)
        .add("search.enas.entropy_coef", &enas.controller.entropy_coef, "enas: entropy bonus", 0, 10)
        .add("search.enas.baseline_decay", &enas.controller.baseline_decay, "enas: b <- decay b + (1 - decay) mean(R)",
             0, 1)
        .add("search.enas.batch", &enas.batch, "enas: rewarded children per controller update", 1, 1e6)
        .add("search.enas.reward", &enas.reward,
             "enas: a child's reward: rollout_return (rewards per environment in its rollout, defined for every "
             "child) | episode_return (mean return of the episodes ending in its rollout; none: no reward)",
             {"rollout_return", "episode_return"});
  }
};

class EnasStrategy final : public OneShotStrategy {
 public:
  explicit EnasStrategy(const StrategyContext& ctx) : OneShotStrategy(ctx, rl::SupernetKind::single_path) {}
  std::string name() const override { return "enas"; }
  std::string proxy_name() const override { return "controller probability"; }

 protected:
  json sampler() const override {
    EnasOptions o = ctx_.options.own_as<EnasStrategyOptions>("enas").enas;
    o.controller.seed = static_cast<uint64_t>(ctx_.options.seed);
    // Cosine horizon: the expected number of updates if every child were rewarded.
    const int64_t children = ctx_.search_iterations > 0 ? ctx_.search_iterations
                             : ctx_.rollout_steps > 0  ? ctx_.search_steps / ctx_.rollout_steps
                                                       : 0;
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
  // One snapshot line per controller update (enas.cpp): fewer than 50 updates and the controller
  // is still close to its random initialisation.
  void learning(const std::string& run_dir, const json& config, json& out) const override {
    int64_t updates = 0;
    json last;
    std::ifstream in(run_dir + "/" + kSnapshotsFile);
    std::string line;
    while (std::getline(in, line)) {
      const auto j = json::parse(line, nullptr, false);
      if (j.is_discarded() || j.value("kind", "") != "controller") continue;
      ++updates;
      last = j.at("payload");
    }
    const int64_t children = iterations(config, out);
    out["controller_updates"] = updates;
    out["children"] = children;
    out["rewarded_children"] = last.is_object() ? last.value("rewarded_children", json()) : json();
    out["reward"] = EnasOptions::from_json(sampler()).reward;
    if (updates < kMinControllerUpdates) {
      out["warnings"].push_back("enas: the controller took " + std::to_string(updates) + " updates (" +
                                std::to_string(children) + " children), below " +
                                std::to_string(kMinControllerUpdates) +
                                ": its ranking is close to its random initialisation (more search.steps, or a smaller "
                                "search.enas.batch)");
    }
  }
  static constexpr int64_t kMinControllerUpdates = 50;
};

// The controller in the supernet trial's process: it picks every iteration's path and learns from
// the returns; its final state goes to controller.pt for the ranking.
class EnasTrialSampler final : public TrialSampler {
 public:
  EnasTrialSampler(const json& sampler, const space::SearchSpace& space, const std::string& run_dir)
      : sampler_(space, EnasOptions::from_json(sampler), run_dir + "/" + kSnapshotsFile) {}
  rl::PathSampler& path_sampler() override { return sampler_; }
  void finish(const std::string& run_dir) override { sampler_.write_controller(run_dir + "/controller.pt"); }

 private:
  EnasSampler sampler_;
};

}  // namespace

StrategyEntry enas_strategy() {
  StrategyEntry e;
  e.name = "enas";
  e.summary = "ENAS: an LSTM controller picks the supernet's paths and learns by REINFORCE";
  e.make = [](const StrategyContext& ctx) { return std::make_unique<EnasStrategy>(ctx); };
  e.options = [] { return std::make_unique<EnasStrategyOptions>(); };
  e.supernet = rl::SupernetKind::single_path;
  e.algos = {"ppo", "a2c"};
  e.sampler = [](const json& sampler, const space::SearchSpace& space, const std::string& run_dir) {
    return std::make_unique<EnasTrialSampler>(sampler, space, run_dir);
  };
  return e;
}

}  // namespace rlnas::search::detail
