// random: K distinct architectures drawn uniformly with the search seed; no search phase, all K
// go to the retrain phase (nas-for-rl-agents Section 5.4). Proxy: none.
#include "builtin.h"

namespace rlnas::search::detail {
namespace {

using nlohmann::json;

class RandomStrategy final : public FixedRankingStrategy {
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
  json save() const override { return {{"ranking", candidates_json(ranking_)}}; }
  void load(const json& s) override { ranking_ = candidates_from(s.at("ranking")); }
};

}  // namespace

StrategyEntry random_strategy() {
  StrategyEntry e;
  e.name = "random";
  e.summary = "K architectures drawn uniformly, each retrained (nas-for-rl-agents Section 5.4)";
  e.make = [](const StrategyContext& ctx) { return std::make_unique<RandomStrategy>(ctx); };
  return e;
}

}  // namespace rlnas::search::detail
