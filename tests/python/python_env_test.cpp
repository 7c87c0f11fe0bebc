// The Python bridge: a pure-Python CartPole (tests/python/cartpole_gym.py) against the C++
// classic/cartpole step for step; Gymnasium's seeding rule; snapshots through pickle; the
// checker on Python environments. PYTHONPATH holds tests/python (set by CMake).
#include <gtest/gtest.h>
#include <pybind11/embed.h>
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include "../common/error_of.h"
#include "rlnas/core/error.h"
#include "rlnas/core/rng.h"
#include "rlnas/env/checker.h"
#include "rlnas/env/classic.h"
#include "rlnas/env/python.h"
#include "rlnas/env/time_limit.h"
#include "rlnas/env/vector_env.h"

namespace py = pybind11;

namespace rlnas::env {
namespace {

using test_util::error_of;

EnvRegistry& registry() {
  static EnvRegistry r = [] {
    EnvRegistry x;
    register_builtin_envs(x);
    register_python_envs(x);
    return x;
  }();
  return r;
}

const classic::CartPole::State kStart = {0.012, -0.034, 0.021, 0.046};

TEST(PythonEnv, CartPoleInPythonEqualsTheCppOneInDoublePrecision) {
  ASSERT_TRUE(python_bridge_built());
  registry().make("py:cartpole_gym:CartPole");  // starts the interpreter
  classic::CartPole cpp;
  Mt19937 rng(7);
  py::gil_scoped_acquire gil;
  auto module = py::module_::import("cartpole_gym");
  py::object python =
      module.attr("CartPole")(py::arg("initial_state") = std::vector<double>(kStart.begin(), kStart.end()));
  int64_t compared = 0;
  for (int episode = 0; episode < 5; ++episode) {
    python.attr("reset")();
    cpp.reset();
    cpp.set_state(kStart);
    for (int t = 0; t < 500; ++t) {
      const int64_t a = static_cast<int64_t>(rng.randint(0, 2));
      const auto r = cpp.step(Action::discrete(a));
      const py::tuple out = python.attr("step")(a);
      const auto obs = out[0].cast<py::array_t<double>>();
      for (int i = 0; i < 4; ++i) ASSERT_EQ(obs.at(i), cpp.state()[static_cast<size_t>(i)]) << "step " << t;
      ASSERT_EQ(out[1].cast<double>(), r.reward);
      ASSERT_EQ(out[2].cast<bool>(), r.terminated) << "step " << t;
      ++compared;
      if (r.terminated) break;
    }
  }
  EXPECT_GT(compared, 20);
}

TEST(PythonEnv, ThroughTheBridgeTheObservationsAreTheCppOnes) {
  auto env = registry().make("py:cartpole_gym:CartPole", {{"initial_state", "[0.012, -0.034, 0.021, 0.046]"}});
  EXPECT_EQ(env->observation_spec().to_string(), classic::CartPole().observation_spec().to_string());
  EXPECT_EQ(env->action_spec().to_string(), classic::CartPole().action_spec().to_string());
  classic::CartPole cpp;
  Mt19937 rng(11);
  float a[4], b[4];
  int64_t steps = 0;
  for (int episode = 0; episode < 5; ++episode) {
    env->reset();
    cpp.reset();
    cpp.set_state(kStart);
    for (int t = 0; t < 500; ++t) {
      const auto action = Action::discrete(static_cast<int64_t>(rng.randint(0, 2)));
      const auto r1 = env->step(action);
      const auto r2 = cpp.step(action);
      env->write_observation(a);
      cpp.write_observation(b);
      for (int i = 0; i < 4; ++i) ASSERT_EQ(a[i], b[i]) << "episode " << episode << " step " << t;
      ASSERT_EQ(r1.reward, r2.reward);
      ASSERT_EQ(r1.terminated, r2.terminated);
      ASSERT_FALSE(r1.truncated);
      ++steps;
      if (r1.terminated) break;
    }
  }
  EXPECT_GT(steps, 20);
}

TEST(PythonEnv, EnvironmentIIsResetWithSeedPlusIOnceThenWithNone) {
  registry().make("py:probe_envs:SeedProbe");  // starts the interpreter (before any GIL is taken)
  {
    py::gil_scoped_acquire gil;
    py::module_::import("probe_envs").attr("RESETS").attr("clear")();
  }
  // Three environments told apart by their tag option is not possible through VectorEnv's one
  // factory; their order of creation is (tag = index).
  int made = 0;
  VectorEnv venv([&] { return registry().make("py:probe_envs:SeedProbe", {{"tag", std::to_string(made++)}}); }, 3, 10);
  for (int t = 0; t < 4; ++t)
    venv.step_discrete(std::vector<int64_t>{0, 1, 0});  // episodes of 3 steps: one auto-reset each
  py::gil_scoped_acquire gil;
  const auto resets = py::module_::import("probe_envs").attr("RESETS").cast<std::vector<py::tuple>>();
  std::vector<std::pair<int64_t, py::object>> got;
  for (const auto& r : resets) got.push_back({r[0].cast<int64_t>(), r[1]});
  ASSERT_EQ(got.size(), 6u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(got[static_cast<size_t>(i)].first, i);
    EXPECT_EQ(got[static_cast<size_t>(i)].second.cast<int64_t>(), 10 + i);
    EXPECT_TRUE(got[static_cast<size_t>(3 + i)].second.is_none());  // the auto-resets
  }
}

TEST(PythonEnv, CheckerPassesAndSnapshotsRestoreThroughPickle) {
  auto env = registry().make("py:cartpole_gym:CartPole");
  const auto report = check_env(*env);
  EXPECT_TRUE(report.ok()) << report.to_string();
  EXPECT_TRUE(env->supports_snapshots());
  EXPECT_TRUE(report.warnings.empty()) << report.to_string();
}

TEST(PythonEnv, AnUnpicklableEnvironmentTrainsButHasNoSnapshots) {
  auto env = registry().make("py:probe_envs:make", {{"fault", "unpicklable"}});
  EXPECT_FALSE(env->supports_snapshots());
  const auto report = check_env(*env);
  EXPECT_TRUE(report.ok()) << report.to_string();
  ASSERT_EQ(report.warnings.size(), 1u) << report.to_string();
  EXPECT_EQ(report.warnings[0].check, "snapshot");
  // A VectorEnv of it still snapshots and restores (the environments restart).
  VectorEnv venv([&] { return registry().make("py:probe_envs:make", {{"fault", "unpicklable"}}); }, 2, 3);
  venv.step_discrete(std::vector<int64_t>{0, 1});
  const auto snap = venv.snapshot();
  venv.step_discrete(std::vector<int64_t>{0, 1});
  venv.restore(snap);
  EXPECT_EQ(venv.total_steps(), 2);
}

// Gymnasium's images are (h, w, c); rlnas's networks read (c, h, w). probe_envs.Image's element
// (y, x, k) is 20 y + 4 x + k at reset.
TEST(PythonEnv, ChannelsLastImagesAreTransposedToChannelsFirst) {
  const auto expect_chw = [](Env& env, const std::string& what) {
    ASSERT_EQ(env.observation_spec().shape, (std::vector<int64_t>{2, 5, 4})) << what;
    env.reset();
    std::vector<float> obs(40);
    env.write_observation(obs.data());
    const auto& high = env.observation_spec().high;
    ASSERT_EQ(high.size(), 40u) << what;  // one bound per element, transposed too
    for (int k = 0; k < 2; ++k)
      for (int y = 0; y < 5; ++y)
        for (int x = 0; x < 4; ++x) {
          const size_t i = static_cast<size_t>((k * 5 + y) * 4 + x);
          ASSERT_EQ(obs[i], 20 * y + 4 * x + k) << what << ": element (" << k << ", " << y << ", " << x << ")";
          ASSERT_EQ(high[i], 20 * y + 4 * x + k + 6) << what;
        }
    const auto report = check_env(env);
    EXPECT_TRUE(report.ok()) << what << ": " << report.to_string();
  };
  // auto: the last dimension (2) is the smallest, so (5, 4, 2) is channels last.
  auto env = registry().make("py:probe_envs:Image");
  expect_chw(*env, "auto");
  env = registry().make("py:probe_envs:Image", {{"obs_layout", "hwc"}});
  expect_chw(*env, "hwc");
  // An environment that is channels first already is left alone, by auto and by chw.
  for (const std::string layout : {"auto", "chw"}) {
    env = registry().make("py:probe_envs:Image", {{"channels_first", "true"}, {"obs_layout", layout}});
    expect_chw(*env, "channels first, " + layout);
  }
  // chw keeps a (5, 4, 2) image as it is: its elements in Python's order.
  env = registry().make("py:probe_envs:Image", {{"obs_layout", "chw"}});
  EXPECT_EQ(env->observation_spec().shape, (std::vector<int64_t>{5, 4, 2}));
  env->reset();
  std::vector<float> raw(40);
  env->write_observation(raw.data());
  EXPECT_EQ(raw[1], 1.0f);  // (0, 0, 1)
  EXPECT_EQ(raw[2], 4.0f);  // (0, 1, 0)
  // Mistakes.
  EXPECT_NE(error_of([] {
              registry().make("py:probe_envs:Image", {{"obs_layout", "nhwc"}});
            }).find("option obs_layout: expected auto, hwc or chw, found 'nhwc'"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              registry().make("py:cartpole_gym:CartPole", {{"obs_layout", "hwc"}});
            }).find("obs_layout=hwc is for 3-D Box observations; observation_space is a Box of shape (4,)"),
            std::string::npos);
}

TEST(PythonEnv, BadNamesAndModulesSayWhatIsWrong) {
  EXPECT_NE(error_of([] { registry().make("py:cartpole_gym"); }).find("expected py:MODULE:CALLABLE"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              registry().make("py:no_such_module:f");
            }).find("cannot import module 'no_such_module' (ModuleNotFoundError: No module named 'no_such_module')"),
            std::string::npos);
  EXPECT_NE(
      error_of([] { registry().make("py:cartpole_gym:NoSuch"); }).find("'cartpole_gym' has no attribute 'NoSuch'"),
      std::string::npos);
  EXPECT_NE(error_of([] {
              registry().make("py:cartpole_gym:CartPole", {{"bad_keyword", "1"}});
            }).find("raised TypeError"),
            std::string::npos);
  // The module file is the environment's source, hashed.
  const auto source = registry().source("py:cartpole_gym:CartPole");
  EXPECT_NE(source.path.find("cartpole_gym.py"), std::string::npos);
  EXPECT_EQ(source.sha256.size(), 64u);
}

}  // namespace
}  // namespace rlnas::env
