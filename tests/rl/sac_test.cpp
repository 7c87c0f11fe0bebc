// Hand-computed checks of the SAC pieces (soft Q target, temperature loss, Polyak update), its
// option checks, and a resumed SAC run ending bit-identical to an uninterrupted one.
#include "rlnas/rl/sac.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "rlnas/core/error.h"
#include "rlnas/rl/tensors.h"
#include "rlnas/rl/trainer.h"
#include "run_test_util.h"

namespace rlnas::rl {
namespace {

namespace fs = std::filesystem;
using test_util::expect_same_weights;
using test_util::metric_lines;
using test_util::registry;

fs::path fresh_dir(const std::string& name) { return test_util::fresh_dir("sac_test", name); }
std::vector<torch::Tensor> weights(const std::string& run_dir) { return test_util::final_weights(run_dir); }

TEST(SacTarget, MinOfTwinTargetsMinusEntropyTermAndNoBootstrapAfterTermination) {
  const auto rewards = torch::tensor({1.0f, 2.0f, -1.0f});
  const auto discounts = torch::tensor({0.99f, 0.0f, 0.5f});  // row 1 terminated
  const auto next_q1 = torch::tensor({10.0f, 10.0f, 4.0f});
  const auto next_q2 = torch::tensor({8.0f, 12.0f, 6.0f});
  const auto next_log_prob = torch::tensor({-1.0f, 3.0f, 2.0f});
  const auto target = soft_q_target(rewards, discounts, next_q1, next_q2, next_log_prob, torch::tensor(0.2f));
  // row 0: 1 + 0.99 * (min(10, 8) - 0.2 * -1) = 1 + 0.99 * 8.2
  EXPECT_NEAR(target[0].item<float>(), 9.118, 1e-5);
  // row 1: terminated, so only the reward (the large Q and log-prob are ignored)
  EXPECT_NEAR(target[1].item<float>(), 2.0, 1e-6);
  // row 2: -1 + 0.5 * (4 - 0.2 * 2)
  EXPECT_NEAR(target[2].item<float>(), 0.8, 1e-6);
}

// One plain gradient step on log_alpha from `log_prob` (target entropy -1); returns the new alpha.
double alpha_after_step(double alpha, const torch::Tensor& log_prob, double* loss_out) {
  auto log_alpha = torch::tensor(std::log(alpha), torch::kDouble).requires_grad_(true);
  const auto loss = temperature_loss(log_alpha, log_prob, /*target_entropy=*/-1.0);
  *loss_out = loss.item<double>();
  loss.backward();
  torch::NoGradGuard no_grad;
  log_alpha -= 0.1 * log_alpha.grad();
  return log_alpha.exp().item<double>();
}

TEST(SacTemperature, AlphaFallsAboveTheTargetEntropyAndRisesBelowIt) {
  double loss = 0;
  // entropy estimate -mean(log_prob) = 2 > target -1
  const double lower = alpha_after_step(0.5, torch::tensor({-3.0, -1.0}, torch::kDouble), &loss);
  // -0.5 * mean(-3 - 1, -1 - 1) = 1.5; d loss / d log_alpha = loss, so log alpha -= 0.15
  EXPECT_NEAR(loss, 1.5, 1e-12);
  EXPECT_NEAR(lower, 0.5 * std::exp(-0.15), 1e-12);
  EXPECT_LT(lower, 0.5);
  // entropy estimate -2 < target -1
  const double higher = alpha_after_step(0.5, torch::tensor({3.0, 1.0}, torch::kDouble), &loss);
  // -0.5 * mean(3 - 1, 1 - 1) = -0.5
  EXPECT_NEAR(loss, -0.5, 1e-12);
  EXPECT_NEAR(higher, 0.5 * std::exp(0.05), 1e-12);
  EXPECT_GT(higher, 0.5);
  // at the target the loss is 0 and alpha stays put
  const double same = alpha_after_step(0.5, torch::tensor({1.0, 1.0}, torch::kDouble), &loss);
  EXPECT_NEAR(loss, 0.0, 1e-12);
  EXPECT_NEAR(same, 0.5, 1e-12);
}

struct TinyImpl : torch::nn::Module {
  explicit TinyImpl(float value) {
    weight = register_parameter("weight", torch::full({2}, value));
    stats = register_buffer("stats", torch::full({1}, value));
  }
  torch::Tensor weight, stats;
};

TEST(SacSoftUpdate, MovesTargetParametersByTauAndCopiesBuffers) {
  TinyImpl target(0.0f), source(1.0f);
  soft_update(target, source, 0.1, /*average_buffers=*/false);
  EXPECT_TRUE(torch::allclose(target.weight, torch::full({2}, 0.1f)));
  EXPECT_EQ(target.stats.item<float>(), 1.0f);
  soft_update(target, source, 0.1, false);  // 0.1 * 1 + 0.9 * 0.1
  EXPECT_TRUE(torch::allclose(target.weight, torch::full({2}, 0.19f)));
  soft_update(target, source, 1.0, false);
  EXPECT_TRUE(torch::equal(target.weight, source.weight));
  EXPECT_EQ(source.weight[0].item<float>(), 1.0f);  // the source is untouched
}

TEST(SacOptions, RejectsDiscreteActions) {
  const auto factory = make_sac_factory();
  try {
    factory->validate(env::ActionSpec::discrete(2));
    FAIL() << "sac accepted discrete actions";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("sac needs continuous actions; the environment has discrete(2)"),
              std::string::npos)
        << e.what();
  }
  EXPECT_NO_THROW(factory->validate(env::ActionSpec::continuous({1}, {-2.0f}, {2.0f})));
  TrainSources s;
  s.flags = {{"env", "classic/cartpole"}, {"algo", "sac"}, {"net.name", "mlp"}};
  EXPECT_THROW(resolve_train_config(s, registry()), Error);
}

TEST(SacOptions, CleanRlPresetResolvesToCleanRlDefaults) {
  TrainSources s;
  s.flags = {{"env", "classic/pendulum"}, {"preset", "sac.cleanrl"}};
  const auto c = resolve_train_config(s, registry());
  EXPECT_EQ(c.rl.algo, "sac");
  const auto j = c.to_json();
  EXPECT_EQ(j["net.name"], "mlp");
  EXPECT_EQ(j["net.mlp_hidden"], nlohmann::json::array({256, 256}));
  EXPECT_EQ(j["net.activation"], "relu");
  EXPECT_EQ(j["sac.buffer_size"], 1000000);
  EXPECT_EQ(j["sac.batch_size"], 256);
  EXPECT_EQ(j["sac.learning_starts"], 5000);
  EXPECT_EQ(j["sac.tau"], 0.005);
  EXPECT_EQ(j["sac.policy_lr"], 3e-4);
  EXPECT_EQ(j["sac.q_lr"], 1e-3);
  EXPECT_EQ(j["sac.policy_frequency"], 2);
  EXPECT_EQ(j["sac.autotune"], true);
}

TEST(SacAct, ActionsStayInTheBoxAndGreedyActionsAreRepeatable) {
  AlgorithmContext ctx;
  ctx.obs_spec = {.shape = {3}, .low = {-8.0f}, .high = {8.0f}};
  ctx.action_spec = env::ActionSpec::continuous({2}, {-2.0f, 0.0f}, {2.0f, 1.0f});
  ctx.net.name = "mlp";
  ctx.net.mlp_hidden = {8};
  ctx.seed = 5;
  const auto algo = make_sac_factory()->create(ctx);
  const auto obs = torch::randn({64, 3}) * 5;
  const auto sampled = algo->act(obs, /*greedy=*/false);
  ASSERT_EQ(sampled.sizes(), (std::vector<int64_t>{64, 2}));
  EXPECT_EQ(sampled.scalar_type(), torch::kFloat);
  EXPECT_TRUE((sampled.select(1, 0).abs() <= 2.0f).all().item<bool>());
  EXPECT_TRUE((sampled.select(1, 1) >= 0.0f).logical_and(sampled.select(1, 1) <= 1.0f).all().item<bool>());
  EXPECT_TRUE(torch::equal(algo->act(obs, true), algo->act(obs, true)));
  EXPECT_FALSE(torch::equal(algo->act(obs, false), algo->act(obs, false)));
}

// A tiny SAC run on Pendulum: learning starts after 100 steps so the interruption at 300 falls
// in the middle of learning, with truncated episodes (200 steps) on both sides of it.
TrainConfig tiny_sac(int64_t steps) {
  TrainSources s;
  s.flags = {{"env", "classic/pendulum"},      {"algo", "sac"}, {"net.name", "mlp"},    {"net.mlp_hidden", "16,16"},
             {"steps", std::to_string(steps)}, {"seed", "4"},   {"eval.episodes", "1"}, {"checkpoint_every", "0"}};
  s.sets = {"sac.num_envs=2", "sac.learning_starts=100", "sac.batch_size=32", "sac.q_hidden=16", "sac.buffer_size=1000",
            "log_every=14"};  // 7 iterations per line; the stop at 300 is mid-window
  return resolve_train_config(s, registry());
}

TEST(SacTrainer, ResumedRunEndsWhereAnUninterruptedOneWould) {
  const int64_t steps = 600;
  const auto whole = fresh_dir("whole"), parts = fresh_dir("parts");
  const auto uninterrupted = train(tiny_sac(steps), registry(), {.run_dir = whole.string(), .quiet = true});
  const auto stopped =
      train(tiny_sac(steps), registry(), {.run_dir = parts.string(), .quiet = true, .stop_after_steps = steps / 2});
  EXPECT_TRUE(stopped.interrupted);
  const auto resumed = train(load_run_config(parts.string(), registry()), registry(),
                             {.run_dir = parts.string(), .resume = true, .quiet = true});
  EXPECT_FALSE(resumed.interrupted);
  EXPECT_EQ(resumed.steps, steps);

  const auto a = weights(whole.string()), b = weights(parts.string());
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(torch::equal(a[i], b[i])) << "actor parameter " << i;
  // The metrics carry the critic losses, Q values and alpha: the rest of the learner agrees too.
  const auto lines = metric_lines(whole);
  EXPECT_EQ(lines.size(), 43u);  // past each multiple of 14 (42 of them) and at the end
  EXPECT_EQ(lines, metric_lines(parts));
  EXPECT_NE(lines.back().find("\"qf1_loss\":"), std::string::npos);
  EXPECT_EQ(lines.back().find("\"qf1_loss\":null"), std::string::npos);  // learning had started
  EXPECT_EQ(resumed.eval.returns, uninterrupted.eval.returns);
}

}  // namespace
}  // namespace rlnas::rl
