// darts (RL-DARTS: softmax mixing) and gdas (A2D / GDAS: Gumbel-softmax mixing): one
// differentiable supernet training with alpha learned with the weights, then the distinct
// discretized architectures of its alpha.jsonl ranked, the final one first.
#include <fstream>

#include "builtin.h"
#include "rlnas/core/error.h"
#include "rlnas/core/log.h"

namespace rlnas::search::detail {
namespace {

using nlohmann::json;

// darts / gdas: one differentiable supernet training (alpha learned with the weights), then the
// sequence of distinct discretized architectures read from its alpha.jsonl; the final one first,
// then the earlier ones newest first (RL-DARTS Sec. 4.3: every cell of the sequence can be
// evaluated from scratch).
class DifferentiableStrategy final : public OneShotStrategy {
 public:
  DifferentiableStrategy(const StrategyContext& ctx, std::string name, rl::SupernetKind kind)
      : OneShotStrategy(ctx, kind), name_(std::move(name)) {}
  std::string name() const override { return name_; }
  std::string proxy_name() const override { return "last step as the discretization"; }

 protected:
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
        sequence.push_back(
            {{"id", arch.id()}, {"arch", arch.to_json()}, {"first_step", j.at("step")}, {"last_step", j.at("step")}});
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

StrategyEntry differentiable(const std::string& name, rl::SupernetKind kind, const std::string& summary) {
  StrategyEntry e;
  e.name = name;
  e.summary = summary;
  e.make = [name, kind](const StrategyContext& ctx) {
    return std::make_unique<DifferentiableStrategy>(ctx, name, kind);
  };
  e.supernet = kind;
  e.algos = {"ppo", "a2c", "dqn"};
  return e;
}

}  // namespace

StrategyEntry darts_strategy() {
  return differentiable("darts", rl::SupernetKind::softmax,
                        "RL-DARTS: a softmax-mixed supernet, alpha learned with the weights, discretized");
}

StrategyEntry gdas_strategy() {
  return differentiable("gdas", rl::SupernetKind::gumbel,
                        "A2D / GDAS: a Gumbel-softmax-mixed supernet (optionally with a FLOPs cost), discretized");
}

}  // namespace rlnas::search::detail
