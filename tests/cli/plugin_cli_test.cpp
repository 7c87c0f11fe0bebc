// Environment plugins from the command line: the example plugin (examples/custom_env) checked,
// trained, evaluated and searched, with its path and hash recorded and checked on resume; plugins
// that must be refused.
#include <gtest/gtest.h>

#include <cstdlib>
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
using rlnas::cli_test::run;
using rlnas::cli_test::run_command;

fs::path fresh(const std::string& name) { return rlnas::test_util::fresh_dir("rlnas_plugin_cli_test", name); }

// A copy of the example plugin in `dir` (so that a test may change it).
std::string plugin_copy(const fs::path& dir) {
  const auto path = (dir / "catch.so").string();
  fs::copy_file(RLNAS_CATCH_PLUGIN, path, fs::copy_options::overwrite_existing);
  return path;
}

json read_json(const fs::path& path) { return json::parse(rlnas::io::read_file(path.string())); }

const std::string kTrain =
    " train --env example/catch --net mlp --steps 2048 --set ppo.num_envs=4 --set ppo.num_steps=64 "
    "--set log_every=512 --set eval.episodes=5 --quiet";

TEST(PluginCli, TheExampleIsListedCheckedTrainedAndEvaluated) {
  const auto dir = fresh("train");
  const auto plugin = plugin_copy(dir);
  const auto store = " --store " + (dir / "s.db").string();

  auto r = run("--plugin " + plugin + " env list");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(contains(r.out, "example/catch\n  catch a falling ball with a paddle")) << r.out;
  EXPECT_TRUE(contains(r.out, "plugin:      " + fs::canonical(plugin).string())) << r.out;
  EXPECT_TRUE(contains(r.out, "classic/cartpole")) << r.out;  // the built-ins stay

  r = run("--plugin " + plugin + " env check --env example/catch --env-opt cols=7");
  EXPECT_EQ(r.code, 0) << r.out;

  // Without the plugin the environment does not exist.
  r = run("env check --env example/catch");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_TRUE(contains(r.out, "unknown environment 'example/catch'")) << r.out;

  const auto run_dir = dir / "run";
  r = run("--plugin " + plugin + store + kTrain + " --out " + run_dir.string());
  ASSERT_EQ(r.code, 0) << r.out;
  const auto config = read_json(run_dir / "config.json");
  EXPECT_EQ(config["env"], "example/catch");
  EXPECT_EQ(config["env_source"]["path"], fs::canonical(plugin).string());
  EXPECT_EQ(config["env_source"]["sha256"].get<std::string>().size(), 64u);

  // eval reloads the plugin from the run's configuration: no --plugin needed.
  r = run("eval --run " + run_dir.string() + " --episodes 3 --json");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(json::parse(r.out)["episodes"], 3);

  // The store recorded the run.
  r = run(store + " runs list --json");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(contains(r.out, "example/catch")) << r.out;
}

TEST(PluginCli, AChangedPluginIsRefusedOnResume) {
  const auto dir = fresh("changed");
  const auto plugin = plugin_copy(dir);
  const auto run_dir = dir / "run";
  auto r = run("--store '' --plugin " + plugin + kTrain + " --out " + run_dir.string());
  ASSERT_EQ(r.code, 0) << r.out;
  const auto sha = read_json(run_dir / "config.json")["env_source"]["sha256"].get<std::string>();
  std::ofstream(plugin, std::ios::app) << "a later build";
  for (const auto& command : {"--store '' train --resume " + run_dir.string(), "eval --run " + run_dir.string()}) {
    r = run(command);
    EXPECT_EQ(r.code, 1) << command << ": " << r.out;
    EXPECT_TRUE(contains(r.out, "was configured with plugin '" + fs::canonical(plugin).string() + "' (sha256 " +
                                    sha.substr(0, 12) + ")"))
        << r.out;
    EXPECT_TRUE(contains(r.out, "the plugin changed since this run was configured")) << r.out;
  }
  // A plugin that is gone.
  fs::remove(plugin);
  r = run("eval --run " + run_dir.string());
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_TRUE(contains(r.out, "the plugin of environment 'example/catch'")) << r.out;
  EXPECT_TRUE(contains(r.out, "no such file")) << r.out;
}

TEST(PluginCli, ASearchRunsItsTrialsOnThePluginInChildProcessesAndResumesOnlyWithTheSamePlugin) {
  const auto dir = fresh("search");
  const auto plugin = plugin_copy(dir);
  const auto store = "--store " + (dir / "s.db").string();
  // RLNAS_PLUGINS instead of --plugin; the trials (child processes) get it from their configuration.
  const std::string search =
      " search --env example/catch --env-opt cols=10 --space minatar/ss1 --strategy random "
      "--steps 1024 --seeds 1 --set search.baselines=none "
      "--set ppo.num_envs=4 --set ppo.num_steps=32 --set log_every=256 "
      "--set search.eval_episodes=2 --quiet";
  auto r = run_command("RLNAS_PLUGINS=" + plugin + " " + RLNAS_BIN + " " + store + search + " --top-k 2 --json");
  ASSERT_EQ(r.code, 0) << r.out;
  // --json: the first line {"experiment_id": ...}, the summary last.
  const auto at = r.out.find("{\"experiment_id\"");
  ASSERT_NE(at, std::string::npos) << r.out;
  const int64_t id = json::parse(r.out.substr(at, r.out.find('\n', at) - at))["experiment_id"].get<int64_t>();
  r = run(store + " runs show " + std::to_string(id) + " --json");
  ASSERT_EQ(r.code, 0) << r.out;
  const auto shown = json::parse(r.out);
  int done = 0;
  for (const auto& t : shown["trials"]) done += t["status"] == "done";
  EXPECT_EQ(done, 2) << r.out;  // two architectures, one seed each
  EXPECT_EQ(shown["experiment"]["config"]["train"]["env_source"]["path"], fs::canonical(plugin).string()) << r.out;
  // The report reads only the store: no plugin needed.
  const auto page = dir / "report.html";
  r = run(store + " report " + std::to_string(id) + " --out " + page.string());
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(contains(rlnas::io::read_file(page.string()), "example/catch"));

  // A finished search just shows its summary; an interrupted one, resumed with a changed plugin,
  // is refused (the experiment loads the plugin from its configuration). Another seed: no cache hits.
  const auto trials = (dir / "stopped-trials").string();
  ASSERT_TRUE(rlnas::cli_test::stop_search_after_first_trial(store + " --plugin " + plugin + search +
                                                                 " --top-k 3 --seed 7 --jobs 1 --out " + trials +
                                                                 " --id-file " + (dir / "stopped.id").string(),
                                                             trials, (dir / "stopped.log").string()));
  auto stopped = rlnas::io::read_file((dir / "stopped.id").string());
  stopped.erase(stopped.find_last_not_of(" \n") + 1);
  std::ofstream(plugin, std::ios::app) << "a later build";
  r = run(store + " search --resume " + stopped);
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_TRUE(contains(r.out, "the plugin changed since this run was configured")) << r.out;
}

TEST(PluginCli, AConfigurationFileLoadsItsPlugins) {
  const auto dir = fresh("config");
  const auto plugin = plugin_copy(dir);
  const auto cfg = dir / "catch.yaml";
  std::ofstream(cfg) << "plugins: [" << plugin << "]\nenv: example/catch\nnet:\n  name: mlp\nsteps: 1024\n";
  auto r = run("--store '' train --config " + cfg.string() + " --set ppo.num_envs=4 --set ppo.num_steps=64 " +
               "--set eval.episodes=2 --quiet --out " + (dir / "run").string());
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(read_json(dir / "run" / "config.json")["env_source"]["path"], fs::canonical(plugin).string());
  // A plugin named in --set is not loaded by anyone: said so, not ignored.
  r = run("--store '' train --env classic/cartpole --steps 64 --set plugins=" + plugin + " --quiet --out " +
          (dir / "run2").string());
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_TRUE(contains(r.out, "is not loaded")) << r.out;
}

TEST(PluginCli, PluginsThatCannotWorkAreRefusedWithAMessage) {
  const std::string dir = RLNAS_TEST_PLUGIN_DIR;
  auto r = run("--plugin " + dir + "/rlnas_test_plugin_wrong_abi.so env list");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_TRUE(contains(r.out, "error: plugin '")) << r.out;
  EXPECT_TRUE(contains(r.out, "built for plugin ABI 999, but this rlnas has plugin ABI 1")) << r.out;
  r = run("--plugin " + dir + "/rlnas_test_plugin_missing_symbol.so env list");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_TRUE(contains(r.out, "function_from_another_rlnas")) << r.out;
  r = run_command("RLNAS_PLUGINS=/nonexistent.so " + std::string(RLNAS_BIN) + " env list");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_TRUE(contains(r.out, "RLNAS_PLUGINS: plugin '/nonexistent.so': no such file")) << r.out;
}

}  // namespace
