// Evaluation with per-environment episode quotas.
#include "rlnas/rl/evaluation.h"

#include <cmath>

#include "rlnas/core/error.h"

namespace rlnas::rl {

double EvalResult::mean_return() const {
  if (returns.empty()) return 0.0;
  double s = 0;
  for (double r : returns) s += r;
  return s / static_cast<double>(returns.size());
}

double EvalResult::std_return() const {
  if (returns.empty()) return 0.0;
  const double m = mean_return();
  double s = 0;
  for (double r : returns) s += (r - m) * (r - m);
  return std::sqrt(s / static_cast<double>(returns.size()));
}

EvalResult evaluate(const std::function<torch::Tensor(const torch::Tensor&)>& policy,
                    const env::VectorEnv::Factory& make_env, const EvalOptions& options) {
  if (options.episodes < 1) throw Error("evaluation: episodes must be >= 1, got " + std::to_string(options.episodes));
  const int64_t n = std::min(options.num_envs, options.episodes);
  env::VectorEnv venv(make_env, static_cast<int>(n), options.seed);
  std::vector<int64_t> quota(static_cast<size_t>(n), options.episodes / n);
  for (int64_t i = 0; i < options.episodes % n; ++i) ++quota[static_cast<size_t>(i)];
  EvalResult result;
  int64_t remaining = options.episodes;
  while (remaining > 0) {
    venv.step(policy(venv.observations()));
    for (const auto& e : venv.finished_episodes()) {
      auto& q = quota[static_cast<size_t>(e.env_index)];
      if (q == 0) continue;
      --q;
      --remaining;
      result.returns.push_back(e.ret);
      result.lengths.push_back(e.length);
      result.truncated += e.truncated;
    }
  }
  return result;
}

}  // namespace rlnas::rl
