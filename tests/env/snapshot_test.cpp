// Snapshot/restore round trips mid-episode for every built-in environment: a restored copy
// (in a freshly built environment) continues exactly as the original, across episode ends.
#include <gtest/gtest.h>

#include "rlnas/core/error.h"
#include "rlnas/core/rng.h"
#include "builtin_registry.h"
#include "rlnas/env/registry.h"

namespace rlnas::env {
namespace {

struct Step {
  StepResult result;
  std::vector<float> obs;
};

// Plays `n` seeded random steps, resetting at episode ends.
std::vector<Step> play(Env& env, Mt19937& rng, int n) {
  std::vector<Step> out;
  const auto& spec = env.action_spec();
  std::vector<float> values(static_cast<size_t>(spec.dim()));
  for (int t = 0; t < n; ++t) {
    Action a;
    if (spec.is_discrete()) {
      a = Action::discrete(rng.randint(0, spec.n));
    } else {
      for (int64_t i = 0; i < spec.dim(); ++i) values[static_cast<size_t>(i)] = static_cast<float>(rng.uniform(-2, 2));
      a = Action::continuous(values);
    }
    Step s{env.step(a), std::vector<float>(static_cast<size_t>(env.observation_spec().numel()))};
    if (s.result.done()) env.reset();
    env.write_observation(s.obs.data());
    out.push_back(std::move(s));
  }
  return out;
}

class SnapshotRoundTrip : public ::testing::TestWithParam<std::string> {};

TEST_P(SnapshotRoundTrip, RestoredEnvironmentContinuesIdentically) {
  auto env = registry().make(GetParam());
  env->seed(17);
  env->reset();
  Mt19937 rng(3);
  play(*env, rng, 137);
  const std::string snapshot = env->snapshot();
  Mt19937 rng_copy = rng;
  const auto original = play(*env, rng, 3000);

  auto fresh = registry().make(GetParam());
  fresh->restore(snapshot);
  const auto replay = play(*fresh, rng_copy, 3000);
  int episodes = 0;
  for (size_t t = 0; t < original.size(); ++t) {
    ASSERT_EQ(original[t].result.reward, replay[t].result.reward) << "step " << t;
    ASSERT_EQ(original[t].result.terminated, replay[t].result.terminated) << "step " << t;
    ASSERT_EQ(original[t].result.truncated, replay[t].result.truncated) << "step " << t;
    ASSERT_EQ(original[t].obs, replay[t].obs) << "step " << t;
    episodes += original[t].result.done();
  }
  EXPECT_GT(episodes, 0) << "the continuation should cross at least one episode end";
}

TEST_P(SnapshotRoundTrip, SnapshotOfAnotherEnvironmentIsRejected) {
  auto env = registry().make(GetParam());
  const std::string other = GetParam() == "minatar/breakout" ? "minatar/freeway" : "minatar/breakout";
  const std::string snapshot = registry().make(other)->snapshot();
  EXPECT_THROW(env->restore(snapshot), Error);
  EXPECT_THROW(env->restore(env->snapshot().substr(0, 20)), Error);
}

INSTANTIATE_TEST_SUITE_P(AllBuiltins, SnapshotRoundTrip, ::testing::ValuesIn(registry().names()), [](const auto& info) {
  std::string s = info.param;
  for (auto& c : s) {
    if (c == '/') c = '_';
  }
  return s;
});

}  // namespace
}  // namespace rlnas::env
