// Runs the rlnas executable like a user: output formats, error messages, exit codes.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "cli_util.h"

namespace {

using rlnas::cli_test::contains;
using rlnas::cli_test::run;

TEST(Cli, HelpDocumentsEverySubcommand) {
  const auto r = run("--help");
  EXPECT_EQ(r.code, 0);
  EXPECT_TRUE(contains(r.out, "--threads"));
  EXPECT_TRUE(contains(r.out, "env"));
  EXPECT_TRUE(contains(r.out, "bench"));
  for (const char* sub : {"env list", "env check", "env rollout", "env trace", "bench env", "bench matmul"}) {
    const auto h = run(std::string(sub) + " --help");
    EXPECT_EQ(h.code, 0) << sub;
    EXPECT_TRUE(contains(h.out, "Usage")) << sub;
  }
}

TEST(Cli, EnvListShowsSpecsAndOptions) {
  const auto r = run("env list");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(contains(r.out, "minatar/space_invaders"));
  EXPECT_TRUE(contains(r.out, "bool[6, 10, 10] in {0, 1}"));
  EXPECT_TRUE(contains(r.out, "box float32[1] in [-2, 2]"));
  EXPECT_TRUE(contains(r.out, "sticky"));
  EXPECT_TRUE(contains(r.out, "py:MODULE:CALLABLE\n  a Python environment with the Gymnasium API")) << r.out;
  EXPECT_TRUE(contains(r.out, "gym:ID\n")) << r.out;
  const auto j = nlohmann::json::parse(run("env list --json").out);
  ASSERT_EQ(j.size(), 11u);  // the 9 built-ins, then the two families
  EXPECT_EQ(j[9]["name"], "py:MODULE:CALLABLE");
  EXPECT_EQ(j[10]["family"], true);
}

TEST(Cli, RolloutJsonHasExactlyTheDocumentedShape) {
  const auto r = run("env rollout --env minatar/breakout --episodes 20 --seed 3 --json");
  ASSERT_EQ(r.code, 0) << r.out;
  const auto j = nlohmann::ordered_json::parse(r.out);
  std::vector<std::string> keys;
  for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"episodes", "truncated", "return", "length"}));
  EXPECT_EQ(j["episodes"], 20);
  for (const char* k : {"return", "length"}) {
    std::vector<std::string> sub;
    for (auto it = j[k].begin(); it != j[k].end(); ++it) sub.push_back(it.key());
    EXPECT_EQ(sub, (std::vector<std::string>{"mean", "std", "min", "max"})) << k;
  }
  EXPECT_LE(j["length"]["min"].get<double>(), j["length"]["mean"].get<double>());
  // Same seeds, same statistics.
  EXPECT_EQ(run("env rollout --env minatar/breakout --episodes 20 --seed 3 --json").out, r.out);
}

TEST(Cli, RolloutCapCountsTruncatedEpisodes) {
  // A constant no-op in Freeway never ends before the game's 2501 steps: a cap of 100 truncates.
  const auto j = nlohmann::json::parse(
      run("env rollout --env minatar/freeway --episodes 3 --seed 0 --policy const:0 --max-steps 100 --json").out);
  EXPECT_EQ(j["truncated"], 3);
  EXPECT_EQ(j["length"]["max"], 100.0);
  EXPECT_EQ(j["return"]["max"], 0.0);
}

TEST(Cli, TraceReproducesAReferenceTrace) {
  std::ifstream in(std::string(RLNAS_TEST_DATA_DIR) + "/minatar/reference_traces.json");
  const auto ref = nlohmann::json::parse(in)["traces"];
  for (const auto& trace : ref) {
    std::string digits;
    for (const auto& s : trace["steps"]) digits += std::to_string(s[0].get<int>());
    const auto out = std::filesystem::temp_directory_path() / "rlnas_cli_trace.json";
    const auto r = run("env trace --env minatar/" + trace["game"].get<std::string>() + " --seed " +
                       std::to_string(trace["seed"].get<int>()) + " --actions " + digits + " --out " + out.string());
    ASSERT_EQ(r.code, 0) << r.out;
    std::ifstream got_in(out);
    const auto got = nlohmann::json::parse(got_in);
    ASSERT_EQ(got["traces"].size(), 1u);
    EXPECT_EQ(got["traces"][0], trace) << trace["game"] << " seed " << trace["seed"];
  }
}

TEST(Cli, TraceRejectsBadActionsAndNonMinAtarEnvs) {
  auto r = run("env trace --env minatar/breakout --seed 0 --actions 0172 --out /tmp/x.json");
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.out, "expected full-set action digits 0-5, found '7' at position 2")) << r.out;
  r = run("env trace --env classic/cartpole --seed 0 --actions 01 --out /tmp/x.json");
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.out, "only MinAtar environments can be traced")) << r.out;
}

TEST(Cli, UnknownEnvironmentAndBadOptionsAreClearErrors) {
  auto r = run("env rollout --env minatar/pong --episodes 1 --seed 0");
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.out, "unknown environment 'minatar/pong'; valid environments: classic/acrobot")) << r.out;
  r = run("env check --env minatar/breakout --env-opt sticky=abc");
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.out, "option 'sticky' expects a number in [0, 1], found 'abc'")) << r.out;
  r = run("env rollout --env minatar/breakout --episodes 1 --seed 0 --policy greedy");
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.out, "--policy: expected 'random' or 'const:A'")) << r.out;
  r = run("--threads 0 env list");
  EXPECT_NE(r.code, 0);
}

TEST(Cli, EnvCheckPassesABuiltinEnvironment) {
  const auto r = run("env check --env minatar/seaquest --steps 2000");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(contains(r.out, "ok: 2000 steps")) << r.out;
}

TEST(Cli, BenchEnvJsonReportsBothRates) {
  const auto r = run("bench env --env minatar/breakout --steps 20000 --repeats 1 --json");
  ASSERT_EQ(r.code, 0) << r.out;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_GT(j["raw_steps_per_s"].get<double>(), 0.0);
  EXPECT_GT(j["vector_steps_per_s"].get<double>(), 0.0);
}

std::string temp_run_dir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("rlnas_cli_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  return dir.string();
}

TEST(Cli, TrainWritesARunDirectoryThatEvalReads) {
  const auto dir = temp_run_dir("train");
  auto r = run("train --env classic/cartpole --algo a2c --net mlp --steps 2000 --seed 2 --out " + dir);
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(contains(r.out, "done: 2000 steps")) << r.out;
  EXPECT_TRUE(contains(r.out, "evaluation: 10 episodes")) << r.out;
  for (const char* f : {"config.json", "metrics.jsonl", "checkpoint.ckpt", "eval.json"}) {
    EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(dir) / f)) << f;
  }
  r = run("eval --run " + dir + " --episodes 3 --greedy --json");
  ASSERT_EQ(r.code, 0) << r.out;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["episodes"], 3);
  EXPECT_EQ(j["greedy"], true);
  EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(dir) / "evals.jsonl"));
  // A second training into the same directory is refused instead of overwriting it.
  r = run("train --env classic/cartpole --algo a2c --net mlp --steps 2000 --out " + dir);
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.out, "already holds a run")) << r.out;
}

TEST(Cli, CtrlCStopsAfterTheIterationWithACheckpoint) {
  const auto dir = temp_run_dir("interrupt");
  // SIGINT after 3 s: the run stops after its current iteration and saves a checkpoint.
  auto r = run("train --env classic/cartpole --algo ppo --net mlp --steps 100000000 --out " + dir +
               " & pid=$!; sleep 3; kill -INT $pid; wait $pid");
  EXPECT_EQ(r.code, 130) << r.out;  // interrupted, resumable
  EXPECT_TRUE(contains(r.out, "interrupted at step")) << r.out;
  EXPECT_TRUE(contains(r.out, "rlnas train --resume " + dir)) << r.out;
  r = run("train --resume " + dir + " --steps 10 --supernet");
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.out, "give no other training options (found --supernet)")) << r.out;
}

TEST(Cli, TrainOptionErrorsNameTheKey) {
  auto r = run("train --env classic/cartpole --algo ppo --set ppo.lr=fast");
  EXPECT_EQ(r.code, 2);  // a value the command line gave: usage
  EXPECT_TRUE(contains(r.out, "option 'ppo.lr' expects a number in [0, 1], found 'fast'")) << r.out;
  r = run("train --env classic/cartpole --algo ppo --preset nope");
  EXPECT_TRUE(contains(r.out, "unknown preset 'nope'; valid presets: ppo.cleanrl")) << r.out;
  r = run("train --env classic/cartpole --algo ppo --net nature_cnn --steps 100 --out " + temp_run_dir("cnn"));
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.out, "nature_cnn")) << r.out;
  r = run("train --env classic/cartpole --algo ppo --list-options");
  EXPECT_EQ(r.code, 0);
  EXPECT_TRUE(contains(r.out, "\"ppo.clip_coef\": 0.2")) << r.out;
}

TEST(Cli, TrainMixedWritesAlphaSnapshotsAndSaysWhatIsWrong) {
  const auto dir = temp_run_dir("mixed");
  const std::string store = dir + ".db";
  std::filesystem::remove(store);
  auto r = run("--store " + store +
               " train --env minatar/breakout --space cell/micro --mixed softmax --steps 256 --set ppo.num_envs=2 "
               "--set ppo.num_steps=32 --set log_every=64 --set eval.episodes=1 --out " +
               dir);
  ASSERT_EQ(r.code, 0) << r.out;
  const auto trained = r;
  // The store keeps alpha over time and the discretized sequence, as a search does (exports carry them).
  r = run("--store " + store + " runs show 1 --json");
  ASSERT_EQ(r.code, 0) << r.out;
  const auto shown = nlohmann::json::parse(r.out);
  std::vector<std::string> kinds;
  for (const auto& s : shown["snapshots"]) kinds.push_back(s["kind"]);
  EXPECT_EQ(kinds, (std::vector<std::string>{"alpha", "discretized_sequence"}));
  EXPECT_TRUE(contains(trained.out, "softmax-mixed supernet of cell/micro")) << trained.out;
  std::ifstream in(std::filesystem::path(dir) / "alpha.jsonl");
  std::string line, last;
  int lines = 0;
  while (std::getline(in, line)) {
    ++lines;
    last = line;
  }
  EXPECT_EQ(lines, 4);
  const auto j = nlohmann::json::parse(last);
  EXPECT_EQ(j["step"], 256);
  EXPECT_EQ(j["groups"][0]["rows"].size(), 10u);
  EXPECT_EQ(j["arch"]["space"], "cell/micro");
  r = run("train --env minatar/breakout --space cell/micro --mixed fuzzy --steps 256");
  EXPECT_EQ(r.code, 2);  // a flag's value: usage
  EXPECT_TRUE(contains(r.out, "net.mixed")) << r.out;
  EXPECT_TRUE(contains(r.out, "fuzzy")) << r.out;
  r = run("train --env minatar/breakout --algo sac --space cell/micro --mixed softmax --steps 256");
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.out, "wired into ppo, a2c, dqn")) << r.out;
}

TEST(Cli, NoGlogNoiseOnStartup) {
  const auto r = run("env list --json");
  EXPECT_FALSE(contains(r.out, "Logging before InitGoogleLogging")) << r.out;
  EXPECT_EQ(r.out[0], '[');
}

TEST(Cli, SpaceCommandsListShowSampleAndCost) {
  const auto list = run("space list");
  ASSERT_EQ(list.code, 0) << list.out;
  EXPECT_TRUE(contains(list.out, "414,720,000,000"));
  EXPECT_TRUE(contains(list.out, "22,876,792,454,961"));
  EXPECT_TRUE(contains(list.out, "minatar/ss1/nature"));
  const auto show = run("space show minatar/ss1");
  ASSERT_EQ(show.code, 0) << show.out;
  EXPECT_TRUE(contains(show.out, "size:      25 architectures"));
  EXPECT_TRUE(contains(show.out, "conv2.kernel"));
  // sampled architectures are one JSON per line, and each one is accepted back by --arch
  const auto sample = run("space sample minatar/ss2 --n 3 --seed 5");
  ASSERT_EQ(sample.code, 0) << sample.out;
  std::istringstream lines(sample.out);
  std::string line;
  int count = 0;
  while (std::getline(lines, line)) {
    const auto j = nlohmann::json::parse(line);
    EXPECT_EQ(j["space"], "minatar/ss2");
    const auto cost = run("space cost --arch '" + line + "' --json");
    ASSERT_EQ(cost.code, 0) << cost.out;
    EXPECT_EQ(nlohmann::json::parse(cost.out)["features"], 128);
    ++count;
  }
  EXPECT_EQ(count, 3);
  EXPECT_EQ(run("space sample minatar/ss2 --n 3 --seed 5").out, sample.out);  // seeded
  const auto cost = nlohmann::json::parse(run("space cost --named minatar --json").out);
  EXPECT_EQ(cost["params"], 131792);
  EXPECT_EQ(cost["macs"], 167936);
  EXPECT_EQ(cost["flops"], 2 * 167936);
  const auto table = run("space cost --named nas-rl/ss1/nature");
  EXPECT_TRUE(contains(table.out, "11x11x64")) << table.out;
  EXPECT_TRUE(contains(table.out, "4,043,424")) << table.out;
}

TEST(Cli, SpaceErrorsSayWhatIsWrong) {
  const auto bad = run(R"(space cost --arch '{"space":"minatar/ss1","choices":{"conv2.kernel":9,"conv3.kernel":3}}')");
  EXPECT_NE(bad.code, 0);
  EXPECT_TRUE(contains(bad.out, "decision 'conv2.kernel' = 9 is not one of its options: 1, 2, 3, 4, 5")) << bad.out;
  const auto unknown = run("space show nope");
  EXPECT_NE(unknown.code, 0);
  EXPECT_TRUE(contains(unknown.out, "unknown search space 'nope'; valid: nas-rl/ss1")) << unknown.out;
  const auto both = run("space cost --named minatar --arch '{}'");
  EXPECT_TRUE(contains(both.out, "exactly one of --arch and --named")) << both.out;
  const auto input = run("space cost --named minatar --input 4x10xten");
  EXPECT_TRUE(contains(input.out, "--input: expected sizes >= 1 joined by 'x'")) << input.out;
  const auto train = run(
      R"(train --env minatar/breakout --algo ppo --space minatar/ss2 --arch '{"space":"minatar/ss1","choices":{}}' --steps 10)");
  EXPECT_NE(train.code, 0);
  EXPECT_TRUE(contains(train.out, "but net.space is 'minatar/ss2'")) << train.out;
}

// ---- experiment store: rlnas train records runs, rlnas runs list/show reads them ----

std::string temp_store(const std::string& name) { return temp_run_dir(name) + ".db"; }

int count_lines(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) n += !line.empty();
  return n;
}

TEST(Cli, TrainRecordsItsRunAndRunsShowsIt) {
  const auto store = temp_store("runs");
  const auto dir = temp_run_dir("runs_train");
  std::filesystem::remove(store);
  const std::string train = " train --env classic/cartpole --algo a2c --net mlp --quiet";
  auto r = run("--store " + store + train + " --steps 2000 --seed 3 --out " + dir);
  ASSERT_EQ(r.code, 0) << r.out;
  // --no-store records nothing
  r = run("--store " + store + train + " --steps 1000 --no-store --out " + dir + "_nostore");
  ASSERT_EQ(r.code, 0) << r.out;

  r = run("--store " + store + " runs list");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(contains(r.out, "STARTED (UTC)")) << r.out;
  EXPECT_TRUE(contains(r.out, "classic/cartpole")) << r.out;
  EXPECT_TRUE(contains(r.out, "done")) << r.out;
  const auto list = nlohmann::json::parse(run("--store " + store + " runs list --json").out);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["kind"], "train");
  EXPECT_EQ(list[0]["status"], "done");
  EXPECT_EQ(list[0]["algo"], "a2c");
  EXPECT_EQ(list[0]["trials"], 1);
  EXPECT_TRUE(list[0]["best_return"].is_number());
  const int64_t id = list[0]["id"];

  r = run("--store " + store + " runs show " + std::to_string(id) + " --json");
  ASSERT_EQ(r.code, 0) << r.out;
  const auto show = nlohmann::json::parse(r.out);
  EXPECT_EQ(show["experiment"]["config"]["env"], "classic/cartpole");
  EXPECT_EQ(show["experiment"]["config"]["seed"], 3);
  EXPECT_EQ(show["experiment"]["status"], "done");
  EXPECT_FALSE(show["experiment"]["ended_at"].is_null());
  EXPECT_EQ(show["experiment"]["machine"]["torch_threads"], 1);
  ASSERT_EQ(show["trials"].size(), 1u);
  const auto& t = show["trials"][0];
  EXPECT_EQ(t["role"], "train");
  EXPECT_EQ(t["status"], "done");
  EXPECT_EQ(t["seed"], 3);
  EXPECT_EQ(t["budget"], 2000);
  EXPECT_EQ(t["steps"], 2000);
  EXPECT_EQ(t["architecture"]["net"]["name"], "mlp");
  EXPECT_EQ(t["space"], "");
  EXPECT_GT(t["params"].get<int64_t>(), 0);
  EXPECT_GT(t["flops"].get<int64_t>(), 0);
  EXPECT_EQ(t["metrics"]["eval_episodes"], 10);
  EXPECT_TRUE(t["metrics"]["eval_return_mean"].is_number());
  EXPECT_EQ(t["cache_key"].get<std::string>().size(), 64u);
  EXPECT_EQ(t["run_dir"], std::filesystem::absolute(dir).lexically_normal().string());
  EXPECT_EQ(t["curve_points"], count_lines(dir + "/metrics.jsonl"));
  EXPECT_GE(t["curve_points"].get<int>(), 1);

  r = run("--store " + store + " runs show " + std::to_string(id));
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(contains(r.out, "experiment " + std::to_string(id) + " (train): done")) << r.out;
  EXPECT_TRUE(contains(r.out, "net mlp")) << r.out;
  EXPECT_TRUE(contains(r.out, "run directory: " + t["run_dir"].get<std::string>())) << r.out;
  // RLNAS_STORE names the store too
  const std::string env_cmd = "RLNAS_STORE=" + store + " " + RLNAS_BIN + " runs list --json 2>&1";
  FILE* pipe = popen(env_cmd.c_str(), "r");
  std::string out;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) out.append(buf.data(), n);
  EXPECT_EQ(pclose(pipe), 0) << out;
  EXPECT_EQ(nlohmann::json::parse(out), list);
}

TEST(Cli, RunsErrorsSayWhatIsWrong) {
  const auto store = temp_store("runs_errors");
  std::filesystem::remove(store);
  auto r = run("--store " + store + " runs list");
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.out, "no store at '" + store + "'")) << r.out;
  EXPECT_FALSE(std::filesystem::exists(store));  // reading never creates a store
  r = run("--store " + store + " train --env classic/cartpole --algo a2c --net mlp --steps 1000 --quiet --out " +
          temp_run_dir("runs_errors_train"));
  ASSERT_EQ(r.code, 0) << r.out;
  r = run("--store " + store + " runs show 42");
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.out, "no experiment 42 in store '" + store + "'")) << r.out;
  r = run("--store " + store + " runs show x");
  EXPECT_NE(r.code, 0);
  // A file that is not a store: a clear error for reading and for training, and no run starts.
  const auto bad = temp_store("runs_corrupt");
  std::ofstream(bad) << std::string(2000, 'z');
  r = run("--store " + bad + " runs list");
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.out, "error: '" + bad + "' is not an rlnas store: it is not an SQLite database")) << r.out;
  const auto dir = temp_run_dir("runs_corrupt_train");
  r = run("--store " + bad + " train --env classic/cartpole --algo a2c --net mlp --steps 1000 --out " + dir);
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.out, "is not an rlnas store")) << r.out;
  EXPECT_FALSE(std::filesystem::exists(dir + "/metrics.jsonl"));
  EXPECT_EQ(std::filesystem::file_size(bad), 2000u);
}

TEST(Cli, InterruptedRunIsStoppedAndResumeFinishesTheSameTrial) {
  const auto store = temp_store("runs_resume");
  const auto dir = temp_run_dir("runs_resume");
  std::filesystem::remove(store);
  auto r = run("--store " + store + " train --env classic/cartpole --algo ppo --net mlp --steps 200000 --quiet --out " +
               dir + " & pid=$!; sleep 2; kill -INT $pid; wait $pid");
  ASSERT_EQ(r.code, 130) << r.out;
  ASSERT_TRUE(contains(r.out, "interrupted at step")) << r.out;
  auto show = nlohmann::json::parse(run("--store " + store + " runs show 1 --json").out);
  EXPECT_EQ(show["experiment"]["status"], "stopped");
  EXPECT_EQ(show["trials"][0]["status"], "stopped");
  EXPECT_TRUE(contains(show["trials"][0]["reason"], "interrupted")) << show;
  EXPECT_LT(show["trials"][0]["steps"].get<int64_t>(), 200000);
  EXPECT_EQ(show["trials"][0]["curve_points"], count_lines(dir + "/metrics.jsonl"));

  r = run("--store " + store + " train --resume " + dir + "/ --quiet");
  ASSERT_EQ(r.code, 0) << r.out;
  const auto list = nlohmann::json::parse(run("--store " + store + " runs list --json").out);
  ASSERT_EQ(list.size(), 1u);  // the same experiment, not a new one
  show = nlohmann::json::parse(run("--store " + store + " runs show 1 --json").out);
  EXPECT_EQ(show["experiment"]["status"], "done");
  ASSERT_EQ(show["trials"].size(), 1u);
  const auto& t = show["trials"][0];
  EXPECT_EQ(t["status"], "done");
  EXPECT_EQ(t["reason"], "");
  EXPECT_GE(t["steps"].get<int64_t>(), 200000);  // the last iteration may pass the budget
  EXPECT_EQ(t["curve_points"], count_lines(dir + "/metrics.jsonl"));
  EXPECT_GT(t["wall_seconds"].get<double>(), 0.0);
}

}  // namespace
