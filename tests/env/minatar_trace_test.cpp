// Replays every episode recorded from the original Python MinAtar and checks observations,
// rewards, terminals and executed (sticky) actions step for step.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "rlnas/env/minatar.h"

namespace rlnas::env::minatar {
namespace {

struct TraceCase {
  std::string file;
  size_t index;
  std::string game;
};

const nlohmann::json& load(const std::string& file) {
  static std::map<std::string, nlohmann::json> cache;
  auto it = cache.find(file);
  if (it == cache.end()) {
    std::ifstream in(std::string(RLNAS_TEST_DATA_DIR) + "/minatar/" + file);
    if (!in) throw std::runtime_error("cannot open test data " + file);
    it = cache.emplace(file, nlohmann::json::parse(in)).first;
  }
  return it->second;
}

std::vector<TraceCase> all_cases() {
  std::vector<TraceCase> cases;
  for (const std::string file : {"reference_traces.json", "long_traces.json"}) {
    const auto& traces = load(file)["traces"];
    for (size_t i = 0; i < traces.size(); ++i) cases.push_back({file, i, traces[i]["game"]});
  }
  return cases;
}

void PrintTo(const TraceCase& c, std::ostream* os) { *os << c.file << " #" << c.index << " (" << c.game << ")"; }

class MinAtarTrace : public ::testing::TestWithParam<TraceCase> {};

TEST_P(MinAtarTrace, ReplaysExactly) {
  const auto& trace = load(GetParam().file)["traces"][GetParam().index];
  auto env = make_game(trace["game"].get<std::string>());
  const int channels = trace["n_channels"];
  ASSERT_EQ(env->num_channels(), channels);
  env->seed(trace["seed"].get<uint32_t>());
  env->reset();
  std::vector<float> obs(static_cast<size_t>(channels) * 100);
  env->write_observation(obs.data());
  ASSERT_EQ(pack_observation_hex(obs.data(), channels), trace["obs0"].get<std::string>());
  const auto& steps = trace["steps"];
  for (size_t t = 0; t < steps.size(); ++t) {
    const auto& s = steps[t];
    const StepResult r = env->step(Action::discrete(s[0].get<int>()));
    env->write_observation(obs.data());
    ASSERT_EQ(env->last_executed_action(), s[1].get<int>()) << "executed action at step " << t + 1;
    ASSERT_EQ(r.reward, s[2].get<double>()) << "reward at step " << t + 1;
    ASSERT_EQ(r.terminated, s[3].get<int>() != 0) << "terminal at step " << t + 1;
    ASSERT_FALSE(r.truncated);
    ASSERT_EQ(pack_observation_hex(obs.data(), channels), s[4].get<std::string>()) << "observation at step " << t + 1;
  }
}

std::string case_name(const ::testing::TestParamInfo<TraceCase>& info) {
  const auto& trace = load(info.param.file)["traces"][info.param.index];
  std::string prefix = info.param.file == "long_traces.json" ? "long_" : "short_";
  return prefix + info.param.game + "_seed" + std::to_string(trace["seed"].get<int>());
}

INSTANTIATE_TEST_SUITE_P(Reference, MinAtarTrace, ::testing::ValuesIn(all_cases()), case_name);

}  // namespace
}  // namespace rlnas::env::minatar
