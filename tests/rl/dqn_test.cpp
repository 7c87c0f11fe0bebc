// DQN: targets and losses against hand-computed values, the exploration schedule, presets,
// option checks, and resume = uninterrupted run.
#include "rlnas/rl/dqn.h"

#include <gtest/gtest.h>

#include "run_test_util.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>

#include "rlnas/core/error.h"
#include "rlnas/rl/trainer.h"

namespace rlnas::rl {
namespace {

namespace fs = std::filesystem;
using test_util::expect_same_weights;
using test_util::metric_lines;
using test_util::registry;

fs::path fresh_dir(const std::string& name) { return test_util::fresh_dir("dqn_test", name); }
std::vector<torch::Tensor> weights(const std::string& run_dir) { return test_util::final_weights(run_dir); }

torch::Tensor floats(std::vector<float> values) { return torch::tensor(values, torch::kFloat); }

void expect_near(const torch::Tensor& actual, std::vector<float> expected, double tol = 1e-6) {
  ASSERT_EQ(actual.numel(), static_cast<int64_t>(expected.size()));
  const auto a = actual.to(torch::kDouble).flatten();
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_NEAR(a[static_cast<int64_t>(i)].item<double>(), expected[i], tol) << "element " << i;
  }
}

TEST(DqnTarget, DoubleQSelectsWithTheOnlineNetAndEvaluatesWithTheTarget) {
  // Two next states, three actions.
  const auto next_q_target = floats({1, 5, 3, /**/ 2, 0, 4}).view({2, 3});
  const auto next_q_online = floats({0, 1, 9, /**/ 7, 0, 1}).view({2, 3});
  const auto rewards = floats({1, -1});
  const auto discounts = floats({0.5, 0.25});
  // plain: max over the target's row -> 5 and 4
  expect_near(q_learning_target(next_q_target, torch::Tensor(), rewards, discounts), {1 + 0.5f * 5, -1 + 0.25f * 4});
  // double: online argmax is action 2 (target 3) and action 0 (target 2)
  expect_near(q_learning_target(next_q_target, next_q_online, rewards, discounts), {1 + 0.5f * 3, -1 + 0.25f * 2});
  // a terminal transition (discount 0) keeps only the reward
  expect_near(q_learning_target(next_q_target, next_q_online, rewards, floats({0, 0})), {1, -1});
}

TEST(DqnLoss, HuberIsQuadraticInsideOneAndLinearOutside) {
  const auto td = floats({-3, -1, -0.5, 0, 0.5, 2});
  expect_near(td_loss(td, "huber"), {2.5, 0.5, 0.125, 0, 0.125, 1.5});
  expect_near(td_loss(td, "mse"), {9, 1, 0.25, 0, 0.25, 4});
  EXPECT_THROW(td_loss(td, "l1"), Error);
}

TEST(DqnLoss, CategoricalLossAgainstAHandProjectedTarget) {
  // Support {-1, 0, 1} (dz = 1). At s' the target net gives action 0 p = (0.2, 0.3, 0.5), E = 0.3,
  // and action 1 p = (0.6, 0.2, 0.2), E = -0.4.
  const auto next_probs = floats({0.2, 0.3, 0.5, /**/ 0.6, 0.2, 0.2}).view({1, 2, 3});
  const auto next_logits = next_probs.log().repeat({2, 1, 1});  // the same s' twice
  // Row 0: r = 0.5, discount 0.5 -> atoms move to {0, 0.5, 1}: 0 lands on atom 0, 0.5 splits
  // half/half between 0 and 1, 1 stays on 1. Row 1: terminal with r = 2 -> clipped to v_max = 1.
  const auto rewards = floats({0.5, 2});
  const auto discounts = floats({0.5, 0});
  const auto plain = categorical_target(next_logits, torch::Tensor(), rewards, discounts, -1, 1);
  // plain selection takes action 0 (E = 0.3): (0, 0.2 + 0.3 / 2, 0.3 / 2 + 0.5)
  expect_near(plain, {0, 0.35, 0.65, /**/ 0, 0, 1});
  // double selection follows the online net, here preferring action 1: (0, 0.6 + 0.1, 0.1 + 0.2)
  const auto online_q = floats({0, 1, /**/ 0, 1}).view({2, 2});
  expect_near(categorical_target(next_logits, online_q, rewards, discounts, -1, 1), {0, 0.7, 0.3, /**/ 0, 0, 1});
  // cross-entropy against predicted p = (0.25, 0.25, 0.5) for both rows
  const auto logits = floats({0.25, 0.25, 0.5}).log().repeat({2, 1});
  const double row0 = -(0.35 * std::log(0.25) + 0.65 * std::log(0.5));
  const double row1 = std::log(2.0);
  expect_near(categorical_loss(logits, plain), {static_cast<float>(row0), static_cast<float>(row1)}, 1e-5);
}

TEST(DqnSchedule, EpsilonHoldsUntilLearningStartsThenDecaysLinearly) {
  DqnOptions o;
  o.learning_starts = 100;
  o.epsilon_start = 1.0;
  o.epsilon_end = 0.1;
  o.epsilon_decay_steps = 1000;
  EXPECT_DOUBLE_EQ(dqn_epsilon(o, 0), 1.0);
  EXPECT_DOUBLE_EQ(dqn_epsilon(o, 100), 1.0);
  EXPECT_DOUBLE_EQ(dqn_epsilon(o, 600), 0.55);
  EXPECT_DOUBLE_EQ(dqn_epsilon(o, 1100), 0.1);
  EXPECT_DOUBLE_EQ(dqn_epsilon(o, 50000), 0.1);
  o.epsilon_decay_steps = 0;
  EXPECT_DOUBLE_EQ(dqn_epsilon(o, 101), 0.1);
}

// -------------------------------------------------------------------------------------------
// Runs through the trainer (helpers as in trainer_test.cpp).

TrainConfig small_config(int64_t steps, std::vector<std::string> sets, const std::string& env = "classic/cartpole",
                         const std::string& net = "mlp") {
  TrainSources s;
  s.flags = {{"env", env},  {"algo", "dqn"},        {"net.name", net},        {"steps", std::to_string(steps)},
             {"seed", "3"}, {"eval.episodes", "2"}, {"checkpoint_every", "0"}};
  s.sets = std::move(sets);
  return resolve_train_config(s, registry());
}

TrainOptions run_options(const fs::path& dir, bool resume = false, std::optional<int64_t> stop_after = {}) {
  TrainOptions o;
  o.run_dir = dir.string();
  o.resume = resume;
  o.quiet = true;
  o.stop_after_steps = stop_after;
  return o;
}

TEST(DqnTrain, ResumedRunEndsWhereAnUninterruptedOneWould) {
  // Small enough to run in seconds, long enough that updates, target copies, priorities and
  // pending n-step windows all cross the checkpoint.
  const std::vector<std::string> common = {"dqn.learning_starts=100",
                                           "dqn.train_frequency=2",
                                           "dqn.target_update_period=50",
                                           "dqn.buffer_size=1000",
                                           "dqn.batch_size=32",
                                           "dqn.epsilon_decay_steps=300",
                                           "dqn.n_step=3",
                                           "dqn.prioritized=true",
                                           // lines average 7 steps: the stop at 301 falls inside a window
                                           "log_every=7"};
  const std::vector<std::pair<std::string, std::vector<std::string>>> variants = {
      {"dqn", {"dqn.double_q=true", "dqn.dueling=true", "dqn.loss=huber", "dqn.tau=0.5"}},
      {"c51",
       {"dqn.num_envs=2", "dqn.num_atoms=11", "dqn.v_min=0", "dqn.v_max=50", "dqn.double_q=true",
        "dqn.optimizer=rmsprop", "dqn.rmsprop_centered=true", "dqn.reward_scale=2"}}};
  const int64_t steps = 600;
  for (const auto& [name, extra] : variants) {
    auto sets = common;
    sets.insert(sets.end(), extra.begin(), extra.end());
    const auto whole = fresh_dir("whole_" + name), parts = fresh_dir("parts_" + name);
    auto config = small_config(steps, sets);
    train(config, registry(), run_options(whole));
    auto first = small_config(steps, sets);
    const auto stopped = train(first, registry(), run_options(parts, /*resume=*/false, /*stop_after=*/301));
    EXPECT_TRUE(stopped.interrupted);
    auto resumed_config = load_run_config(parts.string(), registry());
    const auto resumed = train(resumed_config, registry(), run_options(parts, /*resume=*/true));
    EXPECT_FALSE(resumed.interrupted);
    EXPECT_EQ(resumed.steps, steps);
    expect_same_weights(weights(whole.string()), weights(parts.string()));
    const auto lines = metric_lines(whole);
    EXPECT_EQ(lines, metric_lines(parts)) << name;
    // The run did learn: the last line reports a loss (updates happened) and a full schedule.
    ASSERT_FALSE(lines.empty());
    const auto last = nlohmann::json::parse(lines.back());
    EXPECT_TRUE(last["loss"].is_number()) << lines.back();
    EXPECT_TRUE(last["per_beta"].is_number()) << lines.back();
    EXPECT_DOUBLE_EQ(last["epsilon"].get<double>(), 0.05) << lines.back();
  }
}

TEST(DqnTrain, RefusesContinuousActions) {
  auto factory = make_dqn_factory();
  EXPECT_THROW(factory->validate(env::ActionSpec::continuous({1}, {-2.f}, {2.f})), Error);
  EXPECT_NO_THROW(factory->validate(env::ActionSpec::discrete(3)));
  TrainSources s;
  s.flags = {{"env", "classic/pendulum"}, {"algo", "dqn"}, {"net.name", "mlp"}};
  try {
    resolve_train_config(s, registry());
    FAIL() << "dqn accepted continuous actions";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("dqn needs discrete actions"), std::string::npos) << e.what();
  }
}

TEST(DqnTrain, InconsistentOptionsAreRejected) {
  EXPECT_THROW(small_config(100, {"dqn.batch_size=64", "dqn.buffer_size=32"}), Error);
  EXPECT_THROW(small_config(100, {"dqn.num_atoms=51", "dqn.v_min=1", "dqn.v_max=1"}), Error);
  EXPECT_THROW(small_config(100, {"dqn.loss=l1"}), Error);
  EXPECT_THROW(small_config(100, {"dqn.compact_obs=maybe"}), Error);
}

TEST(DqnPresets, ResolveOnMinAtarAndSayWhereTheyComeFrom) {
  for (const std::string name : {"dqn.minatar", "dqn.rainbow-minatar", "dqn.rainbow-rl-darts"}) {
    const auto& preset = find_preset(name);
    EXPECT_EQ(preset.algo, "dqn");
    TrainSources s;
    s.flags = {{"env", "minatar/breakout"}, {"preset", name}};
    const auto config = resolve_train_config(s, registry());
    const auto j = config.to_json();
    EXPECT_EQ(j["algo"], "dqn") << name;
    for (const auto& [key, value] : preset.values) EXPECT_TRUE(j.contains(key)) << name << " sets unknown " << key;
  }
  const auto j = [](const std::string& name) {
    TrainSources s;
    s.flags = {{"env", "minatar/breakout"}, {"preset", name}};
    return resolve_train_config(s, registry()).to_json();
  };
  EXPECT_EQ(j("dqn.minatar")["dqn.optimizer"], "rmsprop");
  EXPECT_EQ(j("dqn.minatar")["dqn.rmsprop_centered"], true);
  EXPECT_EQ(j("dqn.rainbow-minatar")["dqn.num_atoms"], 51);
  EXPECT_EQ(j("dqn.rainbow-minatar")["dqn.v_min"], -100.0);
  EXPECT_EQ(j("dqn.rainbow-rl-darts")["dqn.n_step"], 7);
  EXPECT_NE(find_preset("dqn.rainbow-rl-darts").description.find("dqn.reward_scale"), std::string::npos);
}

TEST(DqnTrain, RainbowPresetRunsOnMinAtarWithCompactReplay) {
  // A few hundred steps of the full Rainbow preset on MinAtar's bool observations: updates run,
  // and the checkpoint (with its uint8 replay) loads back.
  const auto dir = fresh_dir("rainbow_minatar");
  TrainSources s;
  s.flags = {{"env", "minatar/breakout"}, {"preset", "dqn.rainbow-minatar"}, {"steps", "400"},
             {"eval.episodes", "1"},      {"checkpoint_every", "0"},         {"seed", "5"}};
  s.sets = {"dqn.learning_starts=100", "dqn.buffer_size=500", "log_every=1"};
  const auto config = resolve_train_config(s, registry());
  const auto result = train(config, registry(), run_options(dir));
  EXPECT_EQ(result.steps, 400);
  EXPECT_EQ(metric_lines(dir).size(), 400u);
  const auto last = nlohmann::json::parse(metric_lines(dir).back());
  // n-step 3: up to two of the newest steps still wait in their window
  EXPECT_GE(last["buffer_size"].get<double>(), 398);
  EXPECT_LE(last["buffer_size"].get<double>(), 400);
  auto algo = load_trained_algorithm(dir.string(), registry());
  const auto actions = algo->act(torch::zeros({3, 4, 10, 10}), /*greedy=*/true);
  EXPECT_EQ(actions.sizes(), (std::vector<int64_t>{3}));
  EXPECT_EQ(actions.scalar_type(), torch::kLong);
}

}  // namespace
}  // namespace rlnas::rl
