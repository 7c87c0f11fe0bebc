// Differentiable search inside the RL algorithms: temperature schedules, distillation losses,
// mixed-supernet training (PPO, A2C, DQN; one- and bi-level) with exact resume, and distillation
// from a teacher run.
#include <gtest/gtest.h>

#include "run_test_util.h"

#include <cmath>
#include <fstream>

#include "rlnas/core/error.h"
#include "rlnas/rl/arch.h"
#include "rlnas/space/mixed.h"

namespace rlnas::rl {
namespace {

using test_util::expect_same_weights;
using test_util::metric_lines;
using test_util::registry;

TEST(ArchOptions, TemperatureSchedules) {
  ArchOptions o;
  EXPECT_DOUBLE_EQ(o.temperature_at(500, 1000, "softmax"), 5.0);  // auto: constant for softmax
  // auto: exponential for gumbel, 5 -> 0.1 over the budget
  EXPECT_DOUBLE_EQ(o.temperature_at(0, 1000, "gumbel"), 5.0);
  EXPECT_NEAR(o.temperature_at(500, 1000, "gumbel"), 5.0 * std::sqrt(0.02), 1e-12);
  EXPECT_NEAR(o.temperature_at(1000, 1000, "gumbel"), 0.1, 1e-12);
  // A2D's absolute schedule: x0.98 every 100k steps, floored
  o.anneal = "step";
  EXPECT_NEAR(o.temperature_at(250000, 1000, "gumbel"), 5.0 * 0.98 * 0.98, 1e-12);
  EXPECT_DOUBLE_EQ(o.temperature_at(100000000, 1000, "gumbel"), 0.1);
  o.anneal = "constant";
  o.temperature = 10;
  EXPECT_DOUBLE_EQ(o.temperature_at(900, 1000, "gumbel"), 10.0);
}

TEST(Distill, ActorLossIsKlFromTeacherToStudent) {
  // p_teacher = (0.8, 0.2), p_student = (0.5, 0.5)
  const auto teacher = torch::tensor({{std::log(0.8f), std::log(0.2f)}});
  const auto student = torch::zeros({1, 2}, torch::requires_grad());
  const auto kl = distill_actor_loss(teacher, student);
  const double forward_kl = 0.8 * std::log(0.8 / 0.5) + 0.2 * std::log(0.2 / 0.5);   // 0.19274
  const double reverse_kl = 0.5 * std::log(0.5 / 0.8) + 0.5 * std::log(0.5 / 0.2);   // 0.22314
  EXPECT_NEAR(kl.item<double>(), forward_kl, 1e-6);
  EXPECT_GT(std::abs(kl.item<double>() - reverse_kl), 0.02);
  kl.backward();
  // d/d logit_s of KL(p_t || softmax(s)) = p_s - p_t
  EXPECT_TRUE(torch::allclose(student.grad(), torch::tensor({{0.5f - 0.8f, 0.5f - 0.2f}}), 1e-5, 1e-6));
  // averaged over the batch; zero when the policies agree
  const auto same = distill_actor_loss(torch::tensor({{1.0f, 2.0f}, {0.0f, 0.0f}}),
                                       torch::tensor({{1.0f, 2.0f}, {3.0f, 3.0f}}));
  EXPECT_NEAR(same.item<double>(), 0.0, 1e-6);
}

TEST(Distill, CriticLossIsHalfTheSquaredGapToTheTeacher) {
  const auto student = torch::tensor({1.0f, 2.0f}, torch::requires_grad());
  const auto teacher = torch::tensor({0.0f, 4.0f}, torch::requires_grad());
  const auto loss = distill_critic_loss(student, teacher);
  EXPECT_NEAR(loss.item<double>(), 0.5 * (1.0 + 4.0) / 2, 1e-6);
  loss.backward();
  EXPECT_TRUE(torch::allclose(student.grad(), torch::tensor({0.5f, -1.0f})));
  EXPECT_FALSE(teacher.grad().defined());  // the teacher is not trained
}

// DARTS's second-order alpha gradient against the exact gradient through the virtual step,
// computed by autograd with create_graph: a two-op softmax mixture (a linear op and a tanh op) on a
// regression, in double precision. The central difference's error is O(eps^2), far below the gap
// to the first-order gradient (the Hessian term the approximation exists for).
TEST(SecondOrder, UnrolledGradientMatchesTheExactOne) {
  torch::manual_seed(3);
  const auto opts = torch::TensorOptions().dtype(torch::kDouble);
  auto w1 = torch::randn({3, 2}, opts).requires_grad_(true);
  auto w2 = torch::randn({3, 2}, opts).requires_grad_(true);
  auto alpha = torch::tensor({0.3, -0.2}, opts).requires_grad_(true);
  const auto xt = torch::randn({8, 3}, opts), yt = torch::randn({8, 2}, opts);
  const auto xv = torch::randn({8, 3}, opts), yv = torch::randn({8, 2}, opts);
  const auto loss = [&](const torch::Tensor& a, const torch::Tensor& v1, const torch::Tensor& v2, const torch::Tensor& x,
                        const torch::Tensor& y) {
    const auto p = torch::softmax(a, 0);
    return (p[0] * x.matmul(v1) + p[1] * torch::tanh(x.matmul(v2)) - y).pow(2).mean();
  };
  const double xi = 0.5, decay = 0.1;
  // exact: d/dalpha L_val(w - xi (grad_w L_train(w, alpha) + decay w), alpha)
  const auto lt = loss(alpha, w1, w2, xt, yt);
  const auto g = torch::autograd::grad({lt}, {w1, w2}, {}, true, true);
  const auto u1 = w1 - xi * (g[0] + decay * w1), u2 = w2 - xi * (g[1] + decay * w2);
  const auto exact = torch::autograd::grad({loss(alpha, u1, u2, xv, yv)}, {alpha})[0];
  const auto first_order = torch::autograd::grad({loss(alpha, w1, w2, xv, yv)}, {alpha})[0];
  const auto before1 = w1.detach().clone(), before2 = w2.detach().clone();
  const auto approx = unrolled_alpha_gradient(
      {w1, w2}, {alpha}, [&] { return loss(alpha, w1, w2, xt, yt); }, [&] { return loss(alpha, w1, w2, xv, yv); }, xi,
      {(decay * w1).detach(), (decay * w2).detach()})[0];
  const double error = (approx - exact).abs().max().item<double>();
  const double hessian_term = (exact - first_order).abs().max().item<double>();
  EXPECT_LT(error, 1e-5) << "approx " << approx << " exact " << exact;
  EXPECT_GT(hessian_term, 100 * error) << "the test would not tell second order from first";
  // The weights are restored bit for bit and their gradients untouched.
  EXPECT_TRUE(torch::equal(w1, before1));
  EXPECT_TRUE(torch::equal(w2, before2));
  EXPECT_FALSE(w1.grad().defined());
}

TrainConfig mixed_config(const std::string& algo, const std::string& mode, int64_t steps,
                         std::vector<std::string> sets = {}) {
  TrainSources s;
  s.flags = {{"env", "minatar/breakout"}, {"algo", algo}, {"net.space", "minatar/ss1"}, {"net.mixed", mode},
             {"steps", std::to_string(steps)}, {"seed", "5"}, {"eval.episodes", "1"}, {"checkpoint_every", "0"}};
  if (algo == "dqn") {
    s.sets = {"dqn.num_envs=2", "dqn.learning_starts=32", "dqn.batch_size=16", "dqn.buffer_size=1000",
              "dqn.target_update_period=32", "log_every=64"};
  } else {
    s.sets = {algo + ".num_envs=2", algo + ".num_steps=32", "log_every=64"};
  }
  s.sets.insert(s.sets.end(), sets.begin(), sets.end());
  return resolve_train_config(s, registry());
}

std::vector<std::string> lines_of(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// A run stopped halfway and resumed ends with the same weights (alpha included), metrics and alpha
// snapshots as an uninterrupted one: alpha's optimizer, the temperature and the Gumbel draws are
// all in the checkpoint.
// Returns the uninterrupted run's directory.
std::filesystem::path expect_exact_resume(const std::string& name, const std::function<TrainConfig()>& config,
                                          int64_t stop) {
  const auto whole = test_util::fresh_dir("arch_test", name + "_whole");
  const auto parts = test_util::fresh_dir("arch_test", name + "_parts");
  train(config(), registry(), {.run_dir = whole.string(), .quiet = true});
  const auto stopped = train(config(), registry(), {.run_dir = parts.string(), .quiet = true, .stop_after_steps = stop});
  EXPECT_TRUE(stopped.interrupted);
  train(load_run_config(parts.string(), registry()), registry(), {.run_dir = parts.string(), .resume = true, .quiet = true});
  expect_same_weights(test_util::final_weights(whole.string()), test_util::final_weights(parts.string()));
  EXPECT_EQ(metric_lines(whole), metric_lines(parts));
  const auto alpha = lines_of(whole / "alpha.jsonl");
  EXPECT_EQ(alpha.size(), metric_lines(whole).size());
  EXPECT_EQ(alpha, lines_of(parts / "alpha.jsonl"));
  return whole;
}

TEST(MixedTraining, PpoSoftmaxLearnsAlphaAndResumesExactly) {
  const auto dir = expect_exact_resume("ppo_softmax", [] { return mixed_config("ppo", "softmax", 384); }, 192);
  auto algo = load_trained_algorithm(dir.string(), registry());
  const auto nets = space::find_mixed_supernets(algo->network());
  ASSERT_EQ(nets.size(), 1u);
  // alpha moved away from its 1e-3 initialisation, and the run logged its temperature
  EXPECT_GT(nets[0]->alphas()[0].abs().max().item<double>(), 1e-2);
  EXPECT_DOUBLE_EQ(nets[0]->temperature(), 5.0);
  const auto line = nlohmann::json::parse(metric_lines(dir).back());
  EXPECT_DOUBLE_EQ(line["arch.temperature"].get<double>(), 5.0);
  EXPECT_GT(line["arch.entropy"].get<double>(), 0.0);
  const auto snap = nlohmann::json::parse(lines_of(dir / "alpha.jsonl").back());
  EXPECT_EQ(space::Architecture::from_json(snap["arch"]), nets[0]->discretize());
}

TEST(MixedTraining, A2cGumbelWithCostAnnealsAndResumesExactly) {
  const auto config = [] {
    return mixed_config("a2c", "gumbel", 384, {"arch.cost_lambda=10", "arch.lr=0.1"});
  };
  const auto dir = expect_exact_resume("a2c_gumbel", config, 192);
  auto algo = load_trained_algorithm(dir.string(), registry());
  const auto net = space::find_mixed_supernets(algo->network()).at(0);
  // annealed from 5 towards 0.1: the temperature of the last iteration's start (320 of 384 steps)
  EXPECT_NEAR(net->temperature(), 5.0 * std::pow(0.02, 320.0 / 384.0), 1e-9);
  // The cost pulled probability towards cheaper kernels: the expected cost fell below uniform's.
  auto fresh = space::make_mixed_supernet(space::find_space("minatar/ss1"), {4, 10, 10}, {"gumbel"});
  torch::NoGradGuard no_grad;
  EXPECT_LT(net->expected_cost("flops").item<double>(), fresh->expected_cost("flops").item<double>() - 0.02);
}

TEST(MixedTraining, DqnSoftmaxAndBilevelRunAndResumeExactly) {
  expect_exact_resume("dqn_softmax", [] { return mixed_config("dqn", "softmax", 256, {"arch.temperature=10"}); }, 128);
  expect_exact_resume("ppo_bilevel", [] { return mixed_config("ppo", "softmax", 256, {"arch.level=bi"}); }, 128);
}

TEST(MixedTraining, FrozenAlphaStaysUniform) {
  const auto dir = test_util::fresh_dir("arch_test", "frozen");
  train(mixed_config("ppo", "softmax", 128, {"arch.freeze=true"}), registry(), {.run_dir = dir.string(), .quiet = true});
  auto algo = load_trained_algorithm(dir.string(), registry());
  const auto net = space::find_mixed_supernets(algo->network()).at(0);
  for (const auto& a : net->alphas()) EXPECT_TRUE(torch::equal(a, torch::zeros_like(a)));
}

TEST(MixedTraining, ConfigErrorsSayWhatIsWrong) {
  const auto message = test_util::flags_error;
  EXPECT_NE(message({{"net.mixed", "softmax"}}).find("needs net.space"), std::string::npos);
  EXPECT_NE(message({{"net.mixed", "softmax"}, {"net.space", "minatar/ss1"}, {"net.supernet", "true"}})
                .find("set one of them"),
            std::string::npos);
  EXPECT_NE(message({{"net.mixed", "softmax"}, {"net.space", "minatar/ss1"}, {"arch.hard", "true"}})
                .find("arch.hard needs net.mixed gumbel"),
            std::string::npos);
  EXPECT_NE(message({{"net.mixed", "fuzzy"}, {"net.space", "minatar/ss1"}}).find("fuzzy"), std::string::npos);
  EXPECT_NE(message({{"algo", "dqn"}, {"distill.teacher", "/tmp/x"}}).find("actor-critic algorithms (ppo, a2c)"), std::string::npos);
  EXPECT_EQ(message({{"algo", "dqn"}, {"net.mixed", "gumbel"}, {"net.space", "cell/micro"}}), "no error");
  EXPECT_NE(message({{"net.mixed", "softmax"}, {"net.space", "minatar/ss1"}, {"arch.level", "bi"}, {"arch.order", "2"}})
                .find("implemented for the supervised workload"),
            std::string::npos);
}

TEST(Distill, StudentMovesTowardsItsTeacher) {
  // A teacher run, then students distilled from it: the KL to the teacher falls over training and
  // every variant runs; a teacher from another environment is refused.
  const auto teacher = test_util::fresh_dir("arch_test", "teacher");
  {
    TrainSources s;
    s.flags = {{"env", "minatar/breakout"}, {"algo", "ppo"}, {"net.name", "minatar"}, {"steps", "256"},
               {"seed", "1"}, {"eval.episodes", "1"}};
    s.sets = {"ppo.num_envs=2", "ppo.num_steps=32"};
    train(resolve_train_config(s, registry()), registry(), {.run_dir = teacher.string(), .quiet = true});
  }
  auto student = [&](const std::string& variant, const std::string& env, int64_t steps) {
    TrainSources s;
    s.flags = {{"env", env}, {"algo", "a2c"}, {"net.name", "minatar"}, {"steps", std::to_string(steps)},
               {"seed", "2"}, {"eval.episodes", "1"}, {"distill.teacher", teacher.string()},
               {"distill.variant", variant}, {"distill.actor_coef", "5"}, {"log_every", "160"}};
    s.sets = {"a2c.num_envs=4", "a2c.num_steps=5"};
    return resolve_train_config(s, registry());
  };
  const auto dir = test_util::fresh_dir("arch_test", "student");
  train(student("actor_critic", "minatar/breakout", 1600), registry(), {.run_dir = dir.string(), .quiet = true});
  const auto lines = metric_lines(dir);
  ASSERT_GE(lines.size(), 5u);
  const double first = nlohmann::json::parse(lines.front())["distill_kl"].get<double>();
  const double last = nlohmann::json::parse(lines.back())["distill_kl"].get<double>();
  EXPECT_LT(last, 0.5 * first) << "first " << first << " last " << last;
  for (const char* variant : {"actor", "teacher_critic"}) {
    const auto d = test_util::fresh_dir("arch_test", std::string("student_") + variant);
    train(student(variant, "minatar/breakout", 100), registry(), {.run_dir = d.string(), .quiet = true});
    EXPECT_TRUE(nlohmann::json::parse(metric_lines(d).back()).contains("distill_kl")) << variant;
  }
  const auto other = test_util::fresh_dir("arch_test", "student_other_env");
  try {
    train(student("actor_critic", "minatar/freeway", 100), registry(), {.run_dir = other.string(), .quiet = true});
    FAIL() << "a teacher of another environment must be refused";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("was trained on minatar/breakout"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace rlnas::rl
