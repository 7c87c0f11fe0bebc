#include "rlnas/search/spos.h"

#include <algorithm>

#include "rlnas/core/error.h"
#include "rlnas/core/log.h"
#include "rlnas/rl/evaluation.h"
#include "rlnas/rl/trainer.h"
#include "rlnas/rl/workloads.h"
#include "rlnas/space/supernet.h"
#include "rlnas/vision/classifier.h"

namespace rlnas::search {

struct SposEvaluator::State {
  rl::TrainConfig config;
  std::unique_ptr<rl::Algorithm> algo;
  std::vector<space::Supernet> supernets;
  ProxyOptions options;
  std::string run_dir;
  env::VectorEnv::Factory make_env;
  std::unique_ptr<vision::PathScorer> images;  // a supervised supernet: accuracy on validation images
};

SposEvaluator::SposEvaluator(const std::string& supernet_run_dir, const env::EnvRegistry& registry,
                             ProxyOptions options)
    : state_(std::make_unique<State>()) {
  auto& s = *state_;
  s.options = options;
  s.run_dir = supernet_run_dir;
  s.config = rl::load_run_config(supernet_run_dir, registry);
  if (rl::workload_of(s.config).kind == rl::WorkloadKind::supervised) {  // the proxy of the supervised workload: validation accuracy
    s.images = std::make_unique<vision::PathScorer>(supernet_run_dir, s.config, options.images);
    return;
  }
  s.algo = rl::load_trained_algorithm(supernet_run_dir, registry, &s.config);
  if (!s.config.net.is_single_path()) {
    throw Error("'" + supernet_run_dir + "' trained one network, not a supernet (rlnas train --space S --supernet)");
  }
  s.supernets = space::find_supernets(s.algo->network());
  if (s.supernets.empty()) throw Error("'" + supernet_run_dir + "': no supernet inside the trained network");
  s.make_env = [&registry, name = s.config.rl.env, env_options = s.config.rl.env_options] {
    return registry.make(name, env_options);
  };
}

SposEvaluator::~SposEvaluator() = default;

std::string SposEvaluator::unit() const {
  return state_->images ? std::to_string(state_->options.images) + " validation images"
                        : std::to_string(state_->options.episodes) + " episodes";
}

ProxyScore SposEvaluator::score(const space::Architecture& arch) {
  auto& s = *state_;
  if (arch.space != s.config.net.space()) {
    throw Error("architecture " + arch.short_id() + " belongs to space '" + arch.space + "', the supernet of '" +
                s.run_dir + "' to '" + s.config.net.space() + "'");
  }
  if (s.images) {
    const auto a = s.images->score(arch);
    return {arch, a.accuracy, 0, a.images};
  }
  for (const auto& n : s.supernets) n->set_path(arch);
  rl::EvalOptions eval;
  eval.episodes = s.options.episodes;
  eval.seed = s.options.seed;
  eval.greedy = s.options.greedy;
  const auto r =
      rl::evaluate([&](const torch::Tensor& obs) { return s.algo->act(obs, s.options.greedy); }, s.make_env, eval);
  return {arch, r.mean_return(), r.std_return(), static_cast<int64_t>(r.returns.size())};
}

std::vector<ProxyScore> spos_proxy_scores(const std::string& supernet_run_dir, const env::EnvRegistry& registry,
                                          const std::vector<space::Architecture>& archs, const ProxyOptions& options) {
  SposEvaluator evaluator(supernet_run_dir, registry, options);
  log::info("spos: scoring " + std::to_string(archs.size()) + " architectures with inherited weights (" +
            evaluator.unit() + " each)");
  std::vector<ProxyScore> scores;
  for (const auto& arch : archs) scores.push_back(evaluator.score(arch));
  std::stable_sort(scores.begin(), scores.end(),
                   [](const ProxyScore& a, const ProxyScore& b) { return a.mean_return > b.mean_return; });
  return scores;
}

}  // namespace rlnas::search
