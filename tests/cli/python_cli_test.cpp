// Python environments from the command line (tests/python on PYTHONPATH): checked, trained and
// searched; every error class of the checker on a broken Python environment; gym:ID with the
// stub Gymnasium, and without one.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "../common/fresh_dir.h"
#include "cli_util.h"
#include "rlnas/core/io.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

using rlnas::cli_test::contains;
using rlnas::cli_test::run_command;

const std::string kPython = std::string(RLNAS_SOURCE_DIR) + "/tests/python";

// rlnas with PYTHONPATH = `path`.
rlnas::cli_test::Run py(const std::string& args, const std::string& path = kPython) {
  return run_command("PYTHONPATH='" + path + "' " + std::string(RLNAS_BIN) + " " + args);
}

// Every test needs the bridge (built where python3-dev and pybind11-dev are installed: scripts/setup).
class PythonCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!RLNAS_PYTHON_BRIDGE) GTEST_SKIP() << "this rlnas was built without the Python bridge";
  }
};

fs::path fresh(const std::string& name) { return rlnas::test_util::fresh_dir("rlnas_python_cli_test", name); }

TEST_F(PythonCli, ThePythonCartPoleIsChecked) {
  const auto r = py("env check --env py:cartpole_gym:CartPole");
  EXPECT_EQ(r.code, 0) << r.out;
}

TEST_F(PythonCli, EveryCheckerErrorClassFiresOnABrokenPythonEnvironment) {
  struct Case {
    std::string fault, expected;
  };
  const std::vector<Case> cases = {
      {"step_tuple",
       "step 1: step() returned a tuple of 4 items; the Gymnasium API returns (observation, reward, terminated, "
       "truncated, info) (4 items is the old Gym API's (observation, reward, done, info))"},
      {"reset_tuple", "reset() returned a numpy array of shape (4,); the Gymnasium API returns (observation, info)"},
      {"shape", "the observation after reset() has shape (3,); observation_space.shape is (4,)"},
      {"dtype", "the observation after reset() has dtype float64; observation_space.dtype is uint8"},
      {"outside", "= 5 is outside its declared bounds [0, 1]"},  // the generic bounds check
      {"space", "action_space is a MultiDiscrete space; rlnas supports Box (shape, dtype, low, high) and Discrete (n)"},
      {"raises", "step 3: step() raised ValueError: the environment's own error"},
  };
  for (const auto& c : cases) {
    const auto r = py("env check --env py:probe_envs:make --env-opt fault=" + c.fault);
    EXPECT_EQ(r.code, 1) << c.fault << ": " << r.out;
    EXPECT_TRUE(contains(r.out, c.expected)) << c.fault << ": " << r.out;
  }
  // Without snapshots: a warning, not a failure.
  const auto r = py("env check --env py:probe_envs:make --env-opt fault=unpicklable");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(contains(r.out, "snapshots: unsupported by this environment")) << r.out;
}

// Issue 26: what a Python environment gives during training is checked where it enters: a
// non-finite reward or observation ends the run with the environment, the step and the value
// (exit 1, not a LibTorch backtrace), and a Discrete space too large to train is refused at once.
TEST_F(PythonCli, NonFiniteValuesAndHugeSpacesAreErrorsNamingTheEnvironment) {
  const auto dir = fresh("nonfinite");
  const std::string train =
      "--store '' train --env py:probe_envs:make --algo ppo --net mlp --steps 512 "
      "--set ppo.num_envs=1 --set ppo.num_steps=64 --quiet --out ";
  auto r = py(train + (dir / "nan").string() + " --env-opt fault=nan_reward");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_TRUE(contains(r.out, "py:probe_envs:make: step 5: step() returned reward nan; expected a finite number"))
      << r.out;
  EXPECT_FALSE(contains(r.out, "internal error")) << r.out;
  r = py(train + (dir / "inf").string() + " --env-opt fault=inf_obs");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_TRUE(contains(r.out, "the observation after step 7 holds inf at flat index 1; expected finite values"))
      << r.out;
  for (const std::string& command :
       std::vector<std::string>{"env check --env py:probe_envs:make --env-opt fault=huge_discrete",
                                train + (dir / "huge").string() + " --env-opt fault=huge_discrete"}) {
    r = py(command);
    EXPECT_EQ(r.code, 1) << r.out;
    EXPECT_TRUE(contains(r.out, "Discrete space with n = 1000000000000; rlnas supports n <= 1048576")) << r.out;
  }
}

// A step() that never returns would hold a search forever: search.trial_timeout kills the trial,
// which is recorded failed with the limit named, and the search ends.
TEST_F(PythonCli, ATrialThatHangsIsKilledAtTheTrialTimeout) {
  const auto dir = fresh("hang");
  const auto started = std::chrono::steady_clock::now();
  auto r = py("--store " + (dir / "s.db").string() +
              " search --env py:probe_envs:make --env-opt fault=hang --space mlp --strategy random --steps 512 "
              "--top-k 1 --seeds 1 --jobs 1 --set search.baselines=none --set ppo.num_envs=1 --set ppo.num_steps=64 "
              "--set search.trial_timeout=4 --quiet --out " +
              (dir / "trials").string());
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  EXPECT_LT(seconds, 60) << r.out;
  r = py("--store " + (dir / "s.db").string() + " runs show 1 --json");
  ASSERT_EQ(r.code, 0) << r.out;
  const auto shown = json::parse(r.out);
  ASSERT_FALSE(shown["trials"].empty()) << r.out;
  for (const auto& t : shown["trials"]) {
    EXPECT_EQ(t["status"], "failed") << t.dump();
    EXPECT_TRUE(contains(t["reason"].get<std::string>(), "ran past search.trial_timeout (4 s) and was killed"))
        << t.dump();
  }
}

TEST_F(PythonCli, PpoLearnsThePythonCartPole) {
  const auto dir = fresh("learn");
  const auto r =
      py("--store '' train --env py:cartpole_gym:CartPole --env-opt max_steps=500 --algo ppo --net mlp --steps 40000 "
         "--seed 1 "
         "--set ppo.separate_critic=true --set ppo.num_steps=32 --set ppo.minibatches=1 "
         "--set ppo.epochs=20 --set ppo.gamma=0.98 --set ppo.gae_lambda=0.8 --set ppo.lr=1e-3 "
         "--set ppo.ent_coef=0.01 --set eval.episodes=20 --quiet --out " +
         (dir / "run").string());
  ASSERT_EQ(r.code, 0) << r.out;
  const auto eval = json::parse(rlnas::io::read_file((dir / "run" / "eval.json").string()));
  // A random policy scores ~22; the same settings on classic/cartpole reach ~200 by 40k steps.
  EXPECT_GE(eval["mean"].get<double>(), 100.0) << eval.dump();
  const auto config = json::parse(rlnas::io::read_file((dir / "run" / "config.json").string()));
  EXPECT_EQ(config["env_source"]["path"], fs::canonical(kPython + "/cartpole_gym.py").string());
}

TEST_F(PythonCli, ASearchOnAPythonEnvironmentRunsItsTrialsInChildProcesses) {
  const auto dir = fresh("search");
  // A copy of the module, so that the test may change it afterwards.
  fs::copy_file(kPython + "/cartpole_gym.py", dir / "cartpole_gym.py");
  const std::string path = dir.string();
  const auto store = "--store " + (dir / "s.db").string();
  auto r = py(store +
                  " search --env py:cartpole_gym:CartPole --space mlp --strategy random --steps 1024 --top-k 2 "
                  "--seeds 1 --set search.baselines=none --set ppo.num_envs=4 --set ppo.num_steps=64 "
                  "--set search.eval_episodes=2 --json --quiet",
              path);
  ASSERT_EQ(r.code, 0) << r.out;
  const auto at = r.out.find("{\"experiment_id\"");
  ASSERT_NE(at, std::string::npos) << r.out;
  const auto id =
      std::to_string(json::parse(r.out.substr(at, r.out.find('\n', at) - at))["experiment_id"].get<int64_t>());
  r = py(store + " runs show " + id + " --json", path);
  ASSERT_EQ(r.code, 0) << r.out;
  int done = 0;
  const auto shown = json::parse(r.out);
  for (const auto& t : shown["trials"]) done += t["status"] == "done";
  EXPECT_EQ(done, 2) << r.out;
  const auto page = dir / "report.html";
  r = py(store + " report " + id + " --out " + page.string());
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(contains(rlnas::io::read_file(page.string()), "py:cartpole_gym:CartPole"));
  // An interrupted search resumed after the module changed is refused.
  const auto trials = (dir / "stopped-trials").string();
  setenv("PYTHONPATH", path.c_str(), 1);
  ASSERT_TRUE(rlnas::cli_test::stop_search_after_first_trial(
      store +
          " search --env py:cartpole_gym:CartPole --space mlp --strategy random --steps 2048 --top-k 3 "
          "--seeds 1 --jobs 1 --set search.baselines=none --set ppo.num_envs=4 --set ppo.num_steps=64 "
          "--set search.eval_episodes=2 --quiet --out " +
          trials + " --id-file " + (dir / "stopped.id").string(),
      trials, (dir / "stopped.log").string()));
  auto stopped = rlnas::io::read_file((dir / "stopped.id").string());
  stopped.erase(stopped.find_last_not_of(" \n") + 1);
  std::ofstream(dir / "cartpole_gym.py", std::ios::app) << "\n# a later version\n";
  r = py(store + " search --resume " + stopped, path);
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_TRUE(contains(r.out, "the module changed since this run was configured")) << r.out;
}

TEST_F(PythonCli, GymIdsWorkWithGymnasiumAndSayClearlyWhenItIsMissing) {
  auto r = py("env check --env gym:CartPole-v1", kPython + "/stub:" + kPython);
  EXPECT_EQ(r.code, 0) << r.out;
  r = py("env check --env gym:Pong-v5", kPython + "/stub:" + kPython);
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_TRUE(contains(r.out, "gymnasium.make raised LookupError: Environment Pong-v5 doesn't exist")) << r.out;
  r = py("env check --env gym:CartPole-v1", kPython);
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_TRUE(contains(r.out,
                       "env 'gym:CartPole-v1': Gymnasium is not importable (ModuleNotFoundError: No module "
                       "named 'gymnasium')"))
      << r.out;
}

}  // namespace
