// darts (RL-DARTS: softmax mixing) and gdas (A2D / GDAS: Gumbel-softmax mixing): one
// differentiable supernet training with alpha learned with the weights, then the distinct
// discretized architectures of its alpha.jsonl ranked, the final one first.
#include <cmath>
#include <fstream>

#include "builtin.h"
#include "rlnas/core/error.h"
#include "rlnas/core/log.h"
#include "rlnas/search/trial.h"

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
    const auto record = read_alpha_record(run_dir);
    if (record.sequence.is_null())
      throw Error(name_ + ": the supernet run wrote no snapshot in " + run_dir + "/alpha.jsonl");
    const json sequence = record.sequence;
    // Alpha over time (thinned to at most 200 snapshots) and the discretized sequence.
    snapshots_.push_back({"alpha", record.alpha});
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
  // From the last alpha.jsonl line: the entropy of alpha's op probabilities, each row's divided by
  // log(ops) and averaged (1 = uniform, alpha learned nothing; 0 = one op per edge), and the final
  // temperature. Alpha steps: one per weight update (arch.level one) of the supernet training.
  // Warnings: a final entropy above 0.9 (the discretization is nearly a coin flip per edge, as in
  // RL-DARTS Fig. 3 early in training), and for gdas a final temperature above 1 (Gumbel samples
  // still far from one-hot, A2D anneals 5 -> 0.1).
  void learning(const std::string& run_dir, const json& config, json& out) const override {
    std::ifstream in(run_dir + "/alpha.jsonl");
    std::string line, last;
    while (std::getline(in, line)) {
      if (!line.empty()) last = line;
    }
    const auto j = json::parse(last, nullptr, false);
    int64_t steps = iterations(config, out);
    steps *= gradient_steps_per_update(config);  // an RL update's gradient steps (PPO: epochs x minibatches)
    out["alpha_steps"] = steps;
    if (j.is_discarded() || !j.is_object()) return;
    double entropy = 0;
    int64_t rows = 0;
    for (const auto& g : j.value("groups", json::array())) {
      for (const auto& p : g.at("probs")) {
        if (p.size() < 2) continue;
        double h = 0;
        for (const auto& x : p) {
          const double v = x.get<double>();
          if (v > 0) h -= v * std::log(v);
        }
        entropy += h / std::log(static_cast<double>(p.size()));
        ++rows;
      }
    }
    if (rows > 0) out["alpha_entropy"] = entropy / static_cast<double>(rows);
    if (j.contains("temperature")) out["final_temperature"] = j.at("temperature");
    if (rows > 0 && entropy / static_cast<double>(rows) > kMaxFinalEntropy) {
      out["warnings"].push_back(name_ + ": alpha's final normalized entropy is " +
                                std::to_string(entropy / static_cast<double>(rows)).substr(0, 5) + ", above " +
                                std::to_string(kMaxFinalEntropy).substr(0, 3) +
                                ": the discretized architecture is close to an arbitrary pick (more search.steps or a "
                                "larger arch.lr)");
    }
    if (name_ == "gdas" && j.contains("temperature") && j.at("temperature").get<double>() > kMaxFinalTemperature) {
      out["warnings"].push_back("gdas: the final Gumbel-softmax temperature is " + j.at("temperature").dump() +
                                ", above 1: the sampled paths were still far from one-hot (arch.temperature_end)");
    }
  }
  static constexpr double kMaxFinalEntropy = 0.9;
  static constexpr double kMaxFinalTemperature = 1.0;

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
