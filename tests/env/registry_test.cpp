#include "rlnas/env/registry.h"

#include <gtest/gtest.h>

#include "rlnas/core/error.h"
#include "rlnas/env/minatar.h"
#include "rlnas/env/time_limit.h"

namespace rlnas::env {
namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

EnvRegistry builtin() {
  EnvRegistry r;
  register_builtin_envs(r);
  return r;
}

TEST(Registry, HoldsTheNineBuiltinEnvironments) {
  const std::vector<std::string> expected = {"classic/acrobot",  "classic/cartpole", "classic/mountain_car",
                                             "classic/pendulum", "minatar/asterix",  "minatar/breakout",
                                             "minatar/freeway",  "minatar/seaquest", "minatar/space_invaders"};
  EXPECT_EQ(builtin().names(), expected);
}

TEST(Registry, UnknownNameListsValidOnes) {
  const auto msg = error_of([] { builtin().make("minatar/pong"); });
  EXPECT_NE(msg.find("unknown environment 'minatar/pong'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("minatar/breakout"), std::string::npos) << msg;
}

TEST(Registry, UnknownOptionNamesTheKeyAndValidOnes) {
  const auto msg = error_of([] { builtin().make("minatar/breakout", {{"stiky", "0.2"}}); });
  EXPECT_NE(msg.find("no option 'stiky'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("sticky, ramping, actions, max_steps"), std::string::npos) << msg;
}

TEST(Registry, BadOptionValuesNameKeyExpectedAndFound) {
  auto r = builtin();
  EXPECT_NE(error_of([&] {
              r.make("minatar/breakout", {{"sticky", "1.5"}});
            }).find("option 'sticky' expects a number in [0, 1], found '1.5'"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              r.make("minatar/asterix", {{"ramping", "maybe"}});
            }).find("option 'ramping' expects a boolean (true/false), found 'maybe'"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              r.make("minatar/freeway", {{"actions", "all"}});
            }).find("option 'actions' expects one of full, minimal, found 'all'"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              r.make("classic/cartpole", {{"max_steps", "-3"}});
            }).find("option 'max_steps'"),
            std::string::npos);
}

TEST(Registry, MinAtarDefaultsToFullActionsAndA10000StepLimit) {
  auto env = builtin().make("minatar/breakout");
  EXPECT_EQ(env->action_spec().n, 6);
  auto* limited = dynamic_cast<TimeLimit*>(env.get());
  ASSERT_NE(limited, nullptr);
  EXPECT_EQ(limited->max_steps(), 10000);
}

TEST(Registry, MinimalActionSetsMatchTheSpec) {
  auto r = builtin();
  const std::map<std::string, std::vector<int>> expected = {{"breakout", {0, 1, 3}},
                                                            {"freeway", {0, 2, 4}},
                                                            {"asterix", {0, 1, 2, 3, 4}},
                                                            {"seaquest", {0, 1, 2, 3, 4, 5}},
                                                            {"space_invaders", {0, 1, 3, 5}}};
  for (const auto& [game, set] : expected) {
    auto env = r.make("minatar/" + game, {{"actions", "minimal"}});
    auto& inner = dynamic_cast<minatar::MinAtarEnv&>(unwrap(*env));
    EXPECT_EQ(inner.action_set(), set) << game;
    EXPECT_EQ(env->action_spec().n, static_cast<int64_t>(set.size())) << game;
  }
}

TEST(Registry, MaxStepsZeroMeansNoTimeLimit) {
  auto env = builtin().make("classic/cartpole", {{"max_steps", "0"}});
  EXPECT_EQ(dynamic_cast<TimeLimit*>(env.get()), nullptr);
}

TEST(Registry, RejectsDuplicatesAndMalformedNames) {
  EnvRegistry r;
  register_classic_envs(r);
  EXPECT_THROW(register_classic_envs(r), Error);
  EnvEntry bad;
  bad.name = "noslash";
  bad.make = [](const OptionReader&) { return std::unique_ptr<Env>(); };
  EXPECT_THROW(r.add(bad), Error);
}

TEST(EnvOptions, ParsesKeyValuePairsAndRejectsMalformedOnes) {
  const auto opts = parse_env_options({"sticky=0", "actions=minimal"}, "--env-opt");
  EXPECT_EQ(opts.at("sticky"), "0");
  EXPECT_EQ(opts.at("actions"), "minimal");
  EXPECT_NE(error_of([] { parse_env_options({"sticky"}, "--env-opt"); }).find("expected KEY=VALUE, found 'sticky'"),
            std::string::npos);
  EXPECT_NE(error_of([] { parse_env_options({"a=1", "a=2"}, "--env-opt"); }).find("given twice"), std::string::npos);
}

TEST(TimeLimit, TruncatesAtTheLimitAndNeverTerminates) {
  // Freeway never terminates before 2501 steps, so a limit of 30 must truncate at step 30.
  auto env = builtin().make("minatar/freeway", {{"max_steps", "30"}});
  env->seed(3);
  env->reset();
  for (int t = 1; t <= 30; ++t) {
    const auto r = env->step(Action::discrete(0));
    EXPECT_FALSE(r.terminated);
    EXPECT_EQ(r.truncated, t == 30) << "step " << t;
  }
  env->reset();
  EXPECT_FALSE(env->step(Action::discrete(0)).truncated);
}

TEST(TimeLimit, FreewaysOwnEndIsTerminationNotTruncation) {
  auto env = builtin().make("minatar/freeway");
  env->seed(0);
  env->reset();
  StepResult r;
  int t = 0;
  do {
    r = env->step(Action::discrete(0));
    ++t;
  } while (!r.done());
  EXPECT_EQ(t, 2501);
  EXPECT_TRUE(r.terminated);
  EXPECT_FALSE(r.truncated);
}

}  // namespace
}  // namespace rlnas::env
