// Fixed-policy rollouts (reference protocol) and their summary statistics.
#include "rlnas/env/rollout.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "rlnas/core/error.h"
#include "rlnas/core/rng.h"

namespace rlnas::env {

Policy Policy::parse(const std::string& text) {
  if (text == "random") return Policy{};
  if (text.rfind("const:", 0) == 0) {
    const std::string value = text.substr(6);
    double a = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), a);
    if (ec == std::errc() && end == value.data() + value.size() && !value.empty()) {
      return Policy{Kind::kConstant, a};
    }
  }
  throw Error(
      "--policy: expected 'random' or 'const:A' (A an action index, or a value for continuous actions), found '" +
      text + "'");
}

Summary Summary::of(const std::vector<double>& values) {
  Summary s;
  if (values.empty()) return s;
  double sum = 0;
  for (double v : values) sum += v;
  s.mean = sum / static_cast<double>(values.size());
  double sq = 0;
  for (double v : values) sq += (v - s.mean) * (v - s.mean);
  s.std = std::sqrt(sq / static_cast<double>(values.size()));
  s.min = *std::min_element(values.begin(), values.end());
  s.max = *std::max_element(values.begin(), values.end());
  return s;
}

Summary RolloutResult::length_summary() const {
  return Summary::of(std::vector<double>(lengths.begin(), lengths.end()));
}

RolloutResult rollout(Env& env, const Policy& policy, const RolloutOptions& options) {
  if (options.episodes < 1) throw Error("--episodes: expected >= 1, got " + std::to_string(options.episodes));
  if (options.max_steps < 1) throw Error("--max-steps: expected >= 1, got " + std::to_string(options.max_steps));
  const ActionSpec& spec = env.action_spec();
  if (policy.kind == Policy::Kind::kConstant && spec.is_discrete()) {
    const double a = policy.constant;
    if (a != std::floor(a) || a < 0 || a >= static_cast<double>(spec.n)) {
      throw Error("--policy const:" + std::to_string(a) + ": " + env.name() + " has actions 0.." +
                  std::to_string(spec.n - 1));
    }
  }
  Mt19937 policy_rng(options.policy_seed.value_or(options.seed + 1));
  std::vector<float> values(static_cast<size_t>(spec.dim()));
  auto next_action = [&]() -> Action {
    if (spec.is_discrete()) {
      return Action::discrete(policy.kind == Policy::Kind::kRandom ? policy_rng.randint(0, spec.n)
                                                                   : static_cast<int64_t>(policy.constant));
    }
    for (int64_t i = 0; i < spec.dim(); ++i) {
      values[static_cast<size_t>(i)] =
          policy.kind == Policy::Kind::kRandom
              ? static_cast<float>(policy_rng.uniform(spec.box.low_at(i), spec.box.high_at(i)))
              : static_cast<float>(policy.constant);
    }
    return Action::continuous(values);
  };

  RolloutResult result;
  env.seed(options.seed);
  for (int e = 0; e < options.episodes; ++e) {
    env.reset();
    double ret = 0;
    int64_t length = 0;
    bool truncated = true;  // unless the task terminates before the cap
    while (length < options.max_steps) {
      const StepResult r = env.step(next_action());
      ret += r.reward;
      ++length;
      if (r.terminated) {
        truncated = false;
        break;
      }
      if (r.truncated) break;
    }
    result.returns.push_back(ret);
    result.lengths.push_back(length);
    result.truncated += truncated;
  }
  return result;
}

}  // namespace rlnas::env
