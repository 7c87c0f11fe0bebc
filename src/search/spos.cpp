#include "rlnas/search/spos.h"

#include <algorithm>

#include "rlnas/core/error.h"
#include "rlnas/rl/evaluation.h"
#include "rlnas/rl/trainer.h"
#include "rlnas/space/supernet.h"

namespace rlnas::search {

std::vector<ProxyScore> spos_proxy_scores(const std::string& supernet_run_dir, const env::EnvRegistry& registry,
                                          const std::vector<space::Architecture>& archs, const ProxyOptions& options) {
  rl::TrainConfig config;
  auto algo = rl::load_trained_algorithm(supernet_run_dir, registry, &config);
  if (!config.net_supernet) {
    throw Error("'" + supernet_run_dir + "' trained one network, not a supernet (rlnas train --space S --supernet)");
  }
  const auto supernets = space::find_supernets(algo->network());
  if (supernets.empty()) throw Error("'" + supernet_run_dir + "': no supernet inside the trained network");
  const auto make_env = [&registry, name = config.env, env_options = config.env_options] {
    return registry.make(name, env_options);
  };
  rl::EvalOptions eval;
  eval.episodes = options.episodes;
  eval.seed = options.seed;
  eval.greedy = options.greedy;
  std::vector<ProxyScore> scores;
  for (const auto& arch : archs) {
    if (arch.space != config.net_space) {
      throw Error("architecture " + arch.short_id() + " belongs to space '" + arch.space + "', the supernet of '" +
                  supernet_run_dir + "' to '" + config.net_space + "'");
    }
    for (const auto& s : supernets) s->set_path(arch);
    const auto r = rl::evaluate([&](const torch::Tensor& obs) { return algo->act(obs, options.greedy); }, make_env, eval);
    scores.push_back({arch, r.mean_return(), r.std_return(), static_cast<int64_t>(r.returns.size())});
  }
  std::stable_sort(scores.begin(), scores.end(),
                   [](const ProxyScore& a, const ProxyScore& b) { return a.mean_return > b.mean_return; });
  return scores;
}

}  // namespace rlnas::search
