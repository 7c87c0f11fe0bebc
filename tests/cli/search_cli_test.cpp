// `rlnas search` as a user runs it: trials in child processes, a crashing trial, kill -9 and resume.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include "cli_util.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

using rlnas::cli_test::contains;
using rlnas::cli_test::run;
using rlnas::cli_test::spawn;
using rlnas::cli_test::wait_for;

fs::path fresh(const std::string& name) { return rlnas::cli_test::fresh_folder("rlnas_search_cli_test", name); }

// A small real search: MinAtar Breakout, minatar/ss1, PPO with 4 x 32-step rollouts.
std::string search_args(const fs::path& dir, const std::string& strategy, int steps, int top_k, int seeds) {
  return "--store " + (dir / "s.db").string() + " search --env minatar/breakout --space minatar/ss1 --strategy " +
         strategy + " --steps " + std::to_string(steps) + " --top-k " + std::to_string(top_k) + " --seeds " +
         std::to_string(seeds) +
         " --baselines named:minatar/ss1/nature --set ppo.num_envs=4 --set ppo.num_steps=32 --set log_every=128 "
         "--set checkpoint_every=1024 --set search.eval_episodes=2 --set search.proxy_episodes=1";
}

json show(const fs::path& dir, int64_t id) {
  const auto r = run("--store " + (dir / "s.db").string() + " runs show " + std::to_string(id) + " --json");
  if (r.code != 0) return json();
  try {
    return json::parse(r.out);
  } catch (const std::exception&) {
    return json();
  }
}

// pids of running `rlnas run-trial` processes whose run directory is under `dir`.
std::vector<pid_t> trial_processes(const fs::path& dir) {
  std::vector<pid_t> pids;
  for (const auto& e : fs::directory_iterator("/proc")) {
    const auto name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(e.path() / "cmdline");
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (auto& c : cmdline) {
      if (c == '\0') c = ' ';
    }
    if (contains(cmdline, "run-trial") && contains(cmdline, dir.string())) pids.push_back(std::stoi(name));
  }
  return pids;
}

std::map<std::string, int> status_counts(const json& shown) {
  std::map<std::string, int> n;
  for (const auto& t : shown["trials"]) n[t["status"].get<std::string>()]++;
  return n;
}

TEST(SearchCli, SposSearchEndsWithTheSummaryTableAndRecordsEverything) {
  const auto dir = fresh("spos");
  const auto r = run(search_args(dir, "spos", 1024, 2, 1));
  ASSERT_EQ(r.code, 0) << r.out;
  for (const char* part : {"phase 1/3: search", "phase 2/3: retrain", "found (candidate", "minatar/ss1/nature",
                           "reward mean", "total reward", "proxy reward", "stored as experiment 1"}) {
    EXPECT_TRUE(contains(r.out, part)) << part << "\n" << r.out;
  }
  const auto shown = show(dir, 1);
  ASSERT_TRUE(shown.is_object());
  EXPECT_EQ(shown["experiment"]["kind"], "search");
  EXPECT_EQ(shown["experiment"]["status"], "done");
  EXPECT_EQ(status_counts(shown)["done"], static_cast<int>(shown["trials"].size()));
  // Trials ran in their own directories, each with its log.
  for (const auto& t : shown["trials"]) {
    EXPECT_TRUE(fs::exists(fs::path(t["run_dir"].get<std::string>()) / "trial.log")) << t.dump();
  }
  const auto list = run("--store " + (dir / "s.db").string() + " runs list");
  EXPECT_TRUE(contains(list.out, "minatar/breakout")) << list.out;
  EXPECT_TRUE(contains(list.out, "spos minatar/ss1")) << list.out;
}

TEST(SearchCli, ACrashingTrialIsMarkedFailedAndTheSearchGoesOn) {
  const auto dir = fresh("crash");
  const auto log = dir / "search.log";
  const pid_t pid = spawn(search_args(dir, "random", 8192, 2, 1) + " --jobs 1", log.string());
  // Kill the first trial process as an out-of-memory killer would.
  std::vector<pid_t> trials;
  ASSERT_TRUE(wait_for([&] { return !(trials = trial_processes(dir)).empty(); }, 60));
  kill(trials.front(), SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  std::ifstream in(log);
  const std::string out((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << out;
  EXPECT_TRUE(contains(out, "killed by signal 9")) << out;
  const auto shown = show(dir, 1);
  auto counts = status_counts(shown);
  EXPECT_EQ(counts["failed"], 1) << shown.dump(2);
  EXPECT_EQ(counts["done"], static_cast<int>(shown["trials"].size()) - 1);
  for (const auto& t : shown["trials"]) {
    if (t["status"] == "failed") {
      EXPECT_TRUE(contains(t["reason"].get<std::string>(), "signal 9")) << t.dump();
    }
  }
  EXPECT_EQ(shown["experiment"]["status"], "done");
}

TEST(SearchCli, ASearchKilledMidwayResumesWithTheSameTrialsNoneDuplicatedNoneLost) {
  const auto dir = fresh("kill");
  const std::string args = search_args(dir, "spos", 4096, 2, 2);
  const pid_t pid = spawn(args + " --jobs 2", (dir / "first.log").string());
  // Wait until some retrain trials are done and others are running, then kill -9 the search.
  ASSERT_TRUE(wait_for(
      [&] {
        const auto shown = show(dir, 1);
        if (!shown.is_object()) return false;
        auto n = status_counts(shown);
        return n["done"] >= 2 && n["running"] >= 1;
      },
      240));
  const auto before = show(dir, 1);
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  // The children die with the search.
  ASSERT_TRUE(wait_for([&] { return trial_processes(dir).empty(); }, 10));
  std::map<int64_t, json> done_before;
  for (const auto& t : before["trials"]) {
    if (t["status"] == "done") done_before[t["id"].get<int64_t>()] = t;
  }

  const auto resumed = run("--store " + (dir / "s.db").string() + " search --resume 1");
  ASSERT_EQ(resumed.code, 0) << resumed.out;
  EXPECT_TRUE(contains(resumed.out, "found (candidate")) << resumed.out;
  const auto after = show(dir, 1);
  EXPECT_EQ(after["experiment"]["status"], "done");
  std::set<std::string> trainings;
  for (const auto& t : after["trials"]) {
    EXPECT_EQ(t["status"], "done") << t.dump();
    const std::string key = t["arch_id"].get<std::string>() + "/" + std::to_string(t["seed"].get<int64_t>());
    EXPECT_TRUE(trainings.insert(key).second) << "duplicated: " << key;
    // trials finished before the kill were kept as they were
    if (const auto it = done_before.find(t["id"].get<int64_t>()); it != done_before.end()) {
      EXPECT_EQ(t["metrics"], it->second["metrics"]);
      EXPECT_EQ(t["updated_at"], it->second["updated_at"]);
    }
  }
  // supernet + 2 candidates x 2 seeds + the baseline x 2 seeds (a candidate may be the baseline)
  EXPECT_GE(after["trials"].size(), 5u);
  EXPECT_LE(after["trials"].size(), 7u);
  EXPECT_GE(after["trials"].size(), before["trials"].size());
}

// The README's quickstart config, with budgets cut down by flags (flags win over the file).
TEST(SearchCli, TheQuickstartConfigRuns) {
  const auto dir = fresh("quickstart");
  const auto r = run("--store " + (dir / "s.db").string() + " search --config " + RLNAS_SOURCE_DIR +
                     "/examples/search/quickstart.yaml --steps 2048 --search-steps 2048 --top-k 1 --seeds 1 "
                     "--set search.proxy_episodes=1 --set search.eval_episodes=1 --baselines none --json --id-file " +
                     (dir / "id").string());
  ASSERT_EQ(r.code, 0) << r.out;
  // JSON lines on stdout: the experiment id first (as soon as it exists), the summary last.
  std::vector<json> lines;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line[0] == '{') lines.push_back(json::parse(line));  // progress (stderr) is mixed in
  }
  ASSERT_EQ(lines.size(), 2u) << r.out;
  EXPECT_EQ(lines[0]["experiment_id"], 1);
  const auto& j = lines[1];
  EXPECT_EQ(j["schema_version"], 3);
  EXPECT_EQ(j["strategy"], "spos");
  // How much the search learned, with the warning its tiny budget deserves.
  EXPECT_TRUE(j["learning"].contains("iterations_per_path")) << j.dump();
  EXPECT_TRUE(j["learning"].contains("supernet_return")) << j.dump();
  ASSERT_FALSE(j["warnings"].empty()) << j.dump();
  EXPECT_NE(j["warnings"][0].get<std::string>().find("per path"), std::string::npos) << j.dump();
  EXPECT_EQ(j["status"], "done");
  EXPECT_EQ(j["rows"][0]["kind"], "found");
  std::ifstream id(dir / "id");
  int64_t written = 0;
  id >> written;
  EXPECT_EQ(written, 1);
  // The same summary through runs show --json, for scripts.
  EXPECT_EQ(show(dir, 1)["summary"], j);
}

TEST(SearchCli, BadSearchArgumentsSayWhatIsWrong) {
  const auto dir = fresh("errors");
  const std::string store = "--store " + (dir / "s.db").string();
  auto r = run(store + " search --env minatar/breakout --space minatar/ss1 --strategy magic");
  EXPECT_EQ(r.code, 2);  // a flag's value: usage
  EXPECT_TRUE(contains(r.out, "search.strategy")) << r.out;
  r = run(store + " search --env minatar/breakout --space nope");
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.out, "nope")) << r.out;
  r = run(store + " search --env minatar/breakout --space minatar/ss1 --set net.space=minatar/ss2");
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.out, "search.space")) << r.out;
  r = run(store + " search --resume 7");
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.out, "no experiment 7")) << r.out;
  r = run(store + " search --resume 7 --strategy spos --set seed=2");
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.out, "stored configuration")) << r.out;
  EXPECT_TRUE(contains(r.out, "found --strategy, --set")) << r.out;  // named from the flag table
}

// A tabular benchmark computed on one machine continues on another from its export: the import's
// done trials are cache hits, and random search's row is computed from the imported benchmark.
TEST(SearchCli, AnExportedBenchmarkImportedElsewhereIsReusedByLaterSearches) {
  const auto dir = fresh("export_import");
  const std::string a = "--store " + (dir / "a.db").string();
  const std::string b = "--store " + (dir / "b.db").string();
  const std::string synthetic = " search --workload synthetic --space minatar/ss1 --seeds 1";
  auto r = run(a + synthetic + " --strategy grid");
  ASSERT_EQ(r.code, 0) << r.out;
  const auto file = (dir / "bench.json.gz").string();
  r = run(a + " runs export 1 --out " + file);
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(contains(r.out, "exported 1 experiment(s), 25 trials")) << r.out;

  r = run(b + " runs import " + file);
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(contains(r.out, "experiment 1 imported as experiment 1: 25 trials, 25 done")) << r.out;
  // The same benchmark again trains nothing, and its summary is the original's.
  r = run(b + synthetic + " --strategy grid");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_FALSE(contains(r.out, "started trial")) << r.out;
  const auto original = run(a + " runs show 1 --json");
  const auto again = run(b + " runs show 2 --json");
  ASSERT_EQ(original.code, 0);
  ASSERT_EQ(again.code, 0);
  const auto trials = json::parse(again.out)["trials"];
  EXPECT_EQ(trials.size(), 25u);
  for (const auto& t : trials)
    EXPECT_TRUE(contains(t["reason"].get<std::string>(), "cached: the same training as trial"));
  EXPECT_EQ(json::parse(original.out)["summary"]["rows"], json::parse(again.out)["summary"]["rows"]);
  // Random search finds the imported benchmark for its exact best-of-3 row.
  r = run(b + synthetic + " --strategy random --top-k 3");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(contains(r.out, "random search (best of 3, exact)")) << r.out;
  EXPECT_FALSE(contains(r.out, "no tabular benchmark")) << r.out;
  // The export holds the summary (plain JSON when the name does not end in .gz).
  r = run(a + " runs export 1 --out " + (dir / "bench.json").string());
  ASSERT_EQ(r.code, 0) << r.out;
  std::ifstream in(dir / "bench.json");
  const auto doc = json::parse(in);
  EXPECT_EQ(doc["format"], "rlnas-runs-export");
  EXPECT_EQ(doc["experiments"][0]["summary"]["rows"], json::parse(original.out)["summary"]["rows"]);
  // Importing it into the store it came from changes nothing.
  r = run(a + " runs import " + file);
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(contains(r.out, "skipped: this store holds the original (experiment 1)")) << r.out;
  // Errors name what is wrong.
  r = run(a + " runs export 7 --out " + (dir / "x.json").string());
  EXPECT_NE(r.code, 0);
  EXPECT_TRUE(contains(r.out, "no experiment 7")) << r.out;
  EXPECT_FALSE(fs::exists(dir / "x.json"));
  r = run(a + " runs import " + (dir / "a.db").string());
  EXPECT_NE(r.code, 0);
  EXPECT_TRUE(contains(r.out, "is not JSON")) << r.out;
}

}  // namespace
