// grid: every architecture of a small space, all retrained over the seeds: the tabular benchmark
// (nas-for-rl-agents Section 5.3).
#include "builtin.h"
#include "rlnas/core/error.h"

namespace rlnas::search::detail {
namespace {

using nlohmann::json;

constexpr uint64_t kMaxSize = 1000;

class GridStrategy final : public FixedRankingStrategy {
 public:
  explicit GridStrategy(const StrategyContext& ctx) {
    for (auto& a : ctx.space->enumerate()) ranking_.push_back({std::move(a), std::nullopt});
  }
  std::string name() const override { return "grid"; }
  json save() const override { return json::object(); }  // the ranking is the space's enumeration
  void load(const json&) override {}
};

}  // namespace

StrategyEntry grid_strategy() {
  StrategyEntry e;
  e.name = "grid";
  e.summary = "every architecture of a space of at most 1,000, each retrained: the tabular benchmark";
  e.make = [](const StrategyContext& ctx) { return std::make_unique<GridStrategy>(ctx); };
  e.tabular = true;
  e.row_kinds = {RowKind::found, RowKind::candidate, RowKind::baseline};
  e.validate = [](const space::SearchSpace& space, const StrategyContext&) {
    if (space.size() > kMaxSize) {
      throw Error("strategy grid trains every architecture; space '" + space.name() + "' holds " +
                  space::format_count(space.size()) + " (at most 1,000)");
    }
  };
  return e;
}

}  // namespace rlnas::search::detail
