// Compatibility fixtures: files written by an earlier rlnas (tests/data/compat, made by its
// make_fixtures.sh at the commit named in its README) must keep working: run folders resume and
// evaluate, their checkpoints load, stores open with their searches shown, reported and resumed, old
// configs (flat net.* keys) load, and the cache keys of representative configs are pinned (and the
// version-1 ones no longer computed: their results are not reused under today's semantics).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "../cli/cli_util.h"
#include "rlnas/env/registry.h"
#include "rlnas/rl/trainer.h"
#include "rlnas/search/trial.h"
#include "rlnas/store/cache_key.h"
#include "rlnas/store/store.h"

namespace rlnas {
namespace {

namespace fs = std::filesystem;
using cli_test::contains;
using cli_test::run;
using nlohmann::json;

const fs::path kCompat = RLNAS_COMPAT_DIR;

fs::path fresh(const std::string& name) {
  const auto d = fs::temp_directory_path() / "rlnas_compat_test" / name;
  fs::remove_all(d);
  fs::create_directories(d.parent_path());
  return d;
}

env::EnvRegistry& envs() {
  static env::EnvRegistry r = [] {
    env::EnvRegistry x;
    env::register_builtin_envs(x);
    return x;
  }();
  return r;
}

json read_json(const fs::path& p) {
  std::ifstream in(p);
  return json::parse(in);
}

int64_t last_step(const fs::path& run_dir) {
  std::ifstream in(run_dir / "metrics.jsonl");
  std::string line, last;
  while (std::getline(in, line)) {
    if (!line.empty()) last = line;
  }
  return last.empty() ? -1 : json::parse(last).at("step").get<int64_t>();
}

TEST(Compat, AnInterruptedRunFolderResumesToItsBudgetAndEvaluates) {
  const auto dir = fresh("run_ppo_interrupted");
  fs::copy(kCompat / "run_ppo_interrupted", dir, fs::copy_options::recursive);
  const int64_t before = last_step(dir);
  const int64_t budget = read_json(dir / "config.json").at("steps").get<int64_t>();
  ASSERT_LT(before, budget) << "the fixture should be an interrupted run";
  auto r = run("--store '' train --quiet --resume " + dir.string());
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_GE(last_step(dir), budget);  // whole iterations: the last may pass the budget
  EXPECT_LT(last_step(dir), budget + 1024);
  r = run("eval --run " + dir.string() + " --episodes 2 --json");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(contains(r.out, "\"mean\":")) << r.out;
}

// A fixed backbone (above), a space architecture and a Gumbel-mixed supernet (alpha and its
// optimizer in the checkpoint). Their checkpoints carry the network identity text.
TEST(Compat, OldCheckpointsLoadAndEvaluate) {
  for (const char* name : {"run_space_arch", "run_gumbel_supernet"}) {
    SCOPED_TRACE(name);
    const auto dir = fresh(name);
    fs::copy(kCompat / name, dir, fs::copy_options::recursive);
    const auto r = run("eval --run " + dir.string() + " --episodes 1 --json");
    EXPECT_EQ(r.code, 0) << r.out;
    EXPECT_NO_THROW(rl::load_trained_algorithm(dir.string(), envs()));
  }
}

// Checkpoints are loaded only when the identity text of the network a config builds equals the one
// they were written with: the texts of every network kind, as the fixtures' commit wrote them.
TEST(Compat, NetworkIdentityTextsAreUnchanged) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"env=classic/cartpole", "algo=ppo"},
       "algo=ppo env=classic/cartpole obs=float32[4] in [-4.8, 4.8] x [-inf, inf] x [-0.418879, 0.418879] x [-inf, "
       "inf] actions=discrete(2) "
       "net={\"activation\":\"tanh\",\"impala_channels\":[16,32,32],\"mlp_hidden\":[64,64],\"name\":\"mlp\",\"resnet_"
       "depth\":20,\"resnet_features\":256}"},
      {{"env=minatar/breakout", "algo=dqn", "net.name=impala_cnn"},
       "algo=dqn env=minatar/breakout obs=bool[4, 10, 10] in {0, 1} actions=discrete(6) "
       "net={\"activation\":\"tanh\",\"impala_channels\":[16,32,32],\"mlp_hidden\":[64,64],\"name\":\"impala_cnn\","
       "\"resnet_depth\":20,\"resnet_features\":256}"},
      {{"env=classic/cartpole", "algo=ppo", "net.named=mlp/64-64-tanh"},
       "algo=ppo env=classic/cartpole obs=float32[4] in [-4.8, 4.8] x [-inf, inf] x [-0.418879, 0.418879] x [-inf, "
       "inf] actions=discrete(2) space=mlp arch=aeea6e6ee4a1bd55ee8f9d67fe1e7d42315f793a9ae48c07f28e813cdd69f7c9"},
      {{"env=minatar/breakout", "algo=ppo", "net.space=minatar/ss1", "net.supernet=true"},
       "algo=ppo env=minatar/breakout obs=bool[4, 10, 10] in {0, 1} actions=discrete(6) space=minatar/ss1 supernet"},
      {{"env=minatar/breakout", "algo=a2c", "net.space=minatar/ss1", "net.mixed=softmax"},
       "algo=a2c env=minatar/breakout obs=bool[4, 10, 10] in {0, 1} actions=discrete(6) space=minatar/ss1 "
       "mixed=softmax"},
      {{"env=minatar/breakout", "algo=ppo", "net.space=minatar/ss1", "net.mixed=gumbel", "arch.hard=true"},
       "algo=ppo env=minatar/breakout obs=bool[4, 10, 10] in {0, 1} actions=discrete(6) space=minatar/ss1 "
       "mixed=gumbel-hard"},
  };
  for (const auto& [sets, expected] : cases) {
    rl::TrainSources sources;
    sources.sets = sets;
    EXPECT_EQ(rl::network_identity(rl::resolve_train_config(sources, envs()), envs()), expected)
        << "config: " << json(sets).dump();
  }
}

TEST(Compat, OldYamlConfigsWithFlatNetKeysStillTrain) {
  const auto out = fresh("flat_yaml");
  const auto r = run("--store '' train --quiet --config " + (kCompat / "flat_net.yaml").string() +
                     " --steps 256 --set eval.episodes=1 --out " + out.string());
  ASSERT_EQ(r.code, 0) << r.out;
  const auto config = read_json(out / "config.json");
  EXPECT_EQ(config.at("net.name"), "mlp");
  EXPECT_EQ(config.at("net.mlp_hidden"), json::array({32, 32}));
}

// Literal cache keys of representative configs. A store keeps finding the trainings it already did
// only while these stay the same; a change of what a training computes bumps the training-semantics
// version, which changes every key, so that no result of the old semantics is reused. The keys of
// version 1 (computed by the code of the fixtures' commit) are checked to be gone.
TEST(Compat, CacheKeysOfRepresentativeConfigsArePinnedAndTheVersion1KeysAreGone) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> version1 = {
      {{"env=classic/cartpole", "algo=ppo", "net.name=mlp"},
       "b58395ee7582084d22c7ee51ed6a01cd2635aa3b75cc7e7d4e27b6e681c96fba"},
      {{"env=classic/cartpole", "algo=dqn", "net.name=mlp", "net.mlp_hidden=32", "seed=7", "steps=5000"},
       "1fa817b596b42eff6c6abc44a65bc7d70ba616d46e55d7f04901adb03a258766"},
      {{"env=minatar/breakout", "algo=ppo", "net.space=minatar/ss1", "net.named=minatar/ss1/nature"},
       "fe395468354c382a7714fd5d1da527f372836741b1d7d2daaec1414034fe2e8a"},
      {{"env=minatar/breakout", "algo=ppo", "net.space=minatar/ss1", "net.supernet=true"},
       "dbdfe8242ffb0b1f985569c59449eed50cc6c04afb5cd3dca9ec417f47b3bf79"},
      {{"env=minatar/breakout", "algo=ppo", "net.space=minatar/ss1", "net.mixed=gumbel", "arch.cost_lambda=0.1"},
       "56358b09b0e82d819be36d481bf87ade12e59287ee4a63c15cc5178266387f68"},
      {{"env=minatar/asterix", "algo=a2c", "net.name=minatar", "env.sticky=0"},
       "98116b470b2353307e0b583add5c6df3809fc0c5ddd1c32457d19f21af10aa8d"},
      {{"env=classic/cartpole", "algo=ppo", "net.space=mlp", "net.named=mlp/64-64-tanh",
        "distill.teacher=/nonexistent/teacher"},
       "edc0f149e2d9888029fff2725f6ab1b26c876bfb6aebda00634f6be61f807b87"},
  };
  // Version 2 (issue 16: ENAS child rewards, separate actor and critic MLPs by default, the
  // algorithms' own default MLPs: the dqn case is now ReLU).
  const std::vector<std::string> version2 = {
      "61a961602856bf64937ce17046e71ce74d65919f4d7e87d688010f1804f3b920",
      "8e7a8144b0d701ada7d8979a915843e281c06c1bf74a5a13ee36af1f8bb10238",
      "2f5dd85d057bb9ac35b4acd2f6ccf6cc1bde05caff8acd27df3aafb7c3afcf25",
      "26d6634253986ecb7443873126a8b61e719511f8cb273b79fb32cbc70205b07a",
      "69711914d4b9087e8476b8ced4717eefe266f59b488383dd36550ec9b93f4129",
      "30a8edee64f845cfd8bb23389fba788a1c0a81a24561fdb3d085b5abecb8c5c8",
      "8ff2f6fbce09477269ad3fd63224b60a4d3d6728a91a303bee20ba476c28bdb6",
  };
  ASSERT_EQ(version1.size(), version2.size());
  for (size_t i = 0; i < version1.size(); ++i) {
    const auto& [sets, old_key] = version1[i];
    const auto& expected = version2[i];
    rl::TrainSources sources;
    for (const auto& s : sets) {
      if (s.rfind("env.", 0) == 0) {
        sources.env_options.push_back(s.substr(4));
      } else {
        sources.sets.push_back(s);
      }
    }
    const auto config = rl::resolve_train_config(sources, envs());
    const auto key = search::describe_trial(config, envs(), /*with_cost=*/false).cache_key.value_or("");
    EXPECT_EQ(key, expected) << "config: " << json(sets).dump();
    EXPECT_NE(key, old_key) << "config: " << json(sets).dump();
  }
}

TEST(Compat, TheTrainingSemanticsVersionIsPinnedAndEntersTheKeyOnlyFromVersion2) {
  EXPECT_EQ(store::kTrainingSemanticsVersion, 2);
  store::CacheKeyParts parts;
  parts.env = "classic/cartpole";
  parts.algo = "ppo";
  parts.seed = 1;
  parts.budget = 100;
  EXPECT_EQ(parts.to_json().at("semantics_version"), 2);  // today's parts carry it
  const auto v2 = store::trial_cache_key(parts);
  parts.semantics_version = 1;
  EXPECT_FALSE(parts.to_json().contains("semantics_version"));  // version 1: the keys stores held
  EXPECT_NE(store::trial_cache_key(parts), v2);
}

// The store fixture holds a finished search (experiment 1) and an interrupted one (experiment 2).
// Trials record absolute run directories, so the fixture is restored where it was made.
fs::path restore_store() {
  const fs::path at = "/tmp/rlnas_compat_store";
  fs::remove_all(at);
  fs::copy(kCompat / "store", at, fs::copy_options::recursive);
  return at;
}

// One test, as the store is restored to one place (tests run as parallel processes).
TEST(Compat, AnOldStoresResultsAreNotReusedUnderNewSemanticsAndItsSearchesShownReportedAndResumed) {
  const auto at = restore_store();
  // The old store's done trials were trained under training-semantics version 1: the key today's
  // code computes from their run folders' config.json is another one, and the store holds no trial
  // under it, so none of them stands in for a training of today's semantics.
  {
    auto s = store::Store::open((at / "s.db").string());
    int checked = 0;
    for (const auto& t : s.trials(1)) {
      if (!t.cache_key || t.status != store::Status::done) continue;
      const auto config = rl::load_run_config(t.run_dir, envs());
      const auto key = search::describe_trial(config, envs(), /*with_cost=*/false).cache_key.value_or("");
      EXPECT_NE(key, *t.cache_key) << t.run_dir;
      EXPECT_FALSE(s.find_trial_by_cache_key(key).has_value()) << t.run_dir;
      EXPECT_TRUE(s.find_trial_by_cache_key(*t.cache_key).has_value());  // still held under its own key
      ++checked;
    }
    EXPECT_GE(checked, 3);
  }
  const std::string store = "--store " + (at / "s.db").string();
  auto r = run(store + " runs list");
  ASSERT_EQ(r.code, 0) << r.out;
  r = run(store + " runs show 1 --json");
  ASSERT_EQ(r.code, 0) << r.out;
  const auto shown = json::parse(r.out);
  EXPECT_EQ(shown.at("experiment").at("status"), "done");
  r = run(store + " report 1 --out " + (at / "r.html").string());
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(fs::exists(at / "r.html"));
  r = run(store + " search --quiet --resume 2");
  EXPECT_EQ(r.code, 0) << r.out;
  r = run(store + " runs show 2 --json");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(json::parse(r.out).at("experiment").at("status"), "done");
}

}  // namespace
}  // namespace rlnas
