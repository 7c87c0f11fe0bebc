// Hostile files and edited runs (issue 26): the 8 defects of a fault and security probe, each
// reproduced as the probe ran it against the rlnas binary. Each test failed before its fix.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "../common/fresh_dir.h"
#include "cli_util.h"
#include "rlnas/store/store.h"

namespace rlnas::cli_test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path fresh(const std::string& name) { return test_util::fresh_dir("hostile_test", name); }

Run rlnas(const std::string& args, const std::string& env = "") { return run_command(env + RLNAS_BIN + " " + args); }

json read_json(const fs::path& p) { return json::parse(slurp(p)); }
void write_json(const fs::path& p, const json& j) { std::ofstream(p) << j.dump(1); }

// `depth` nested arrays around 0.
std::string nested(size_t depth) { return std::string(depth, '[') + "0" + std::string(depth, ']'); }

// A small synthetic search (no training), exported to `file` (plain JSON); its id is 1 in `store`.
void synthetic_export(const fs::path& store, const fs::path& file) {
  auto r = rlnas("--store " + q(store) + " search --workload synthetic --space minatar/ss1 --strategy random " +
                 "--top-k 2 --seeds 1 --quiet");
  ASSERT_EQ(r.code, 0) << r.out;
  r = rlnas("--store " + q(store) + " runs export 1 --out " + q(file));
  ASSERT_EQ(r.code, 0) << r.out;
}

// A PPO run on CartPole with a checkpoint every 1024 steps.
std::string train_args(const fs::path& out, int64_t steps) {
  return "train --env classic/cartpole --algo ppo --steps " + std::to_string(steps) +
         " --seed 3 --set ppo.num_envs=4 --set ppo.num_steps=32 --set log_every=256 --set checkpoint_every=1024"
         " --set eval.episodes=2 --quiet --out " +
         q(out);
}

// Starts that run and stops it with SIGINT once it has a checkpoint: a stopped, resumable run.
void interrupted_run(const std::string& store_args, const fs::path& out) {
  const pid_t pid = spawn(store_args + train_args(out, 50000000), (out.string() + ".log"));
  ASSERT_TRUE(wait_for([&] { return fs::exists(out / "checkpoint.ckpt"); }, 60)) << slurp(out.string() + ".log");
  ::kill(pid, SIGINT);
  ASSERT_EQ(wait_exit(pid, 60), 130) << slurp(out.string() + ".log");
}

// ---- 1. deeply nested JSON ----

TEST(Hostile, DeeplyNestedJsonIsAnErrorNotACrash) {
  const auto d = fresh("nested");
  std::ofstream(d / "arch.json") << "{\"space\": \"minatar/ss1\", \"choices\": " << nested(70000) << "}";
  auto r = rlnas("--store '' train --env classic/cartpole --space mlp --arch @" + q(d / "arch.json"));
  EXPECT_EQ(r.code, 1) << r.out.substr(0, 2000);
  EXPECT_TRUE(contains(r.out, "JSON nested deeper than 256 levels")) << r.out.substr(0, 2000);
  EXPECT_LT(r.out.size(), 2000u);  // the input is not echoed

  // An export whose trial seed or metrics nest 100,000 deep: refused, the store unchanged.
  synthetic_export(d / "a.db", d / "export.json");
  auto doc = read_json(d / "export.json");
  for (const char* field : {"seed", "metrics"}) {
    std::string text = doc.dump();
    const std::string key = std::string("\"") + field + "\":";
    const auto at = text.find(key, text.find("\"trials\":"));
    ASSERT_NE(at, std::string::npos);
    const auto end = text.find_first_of(",}", at + key.size());
    text = text.substr(0, at + key.size()) + nested(100000) + text.substr(end);
    std::ofstream(d / "deep.json") << text;
    r = rlnas("--store " + q(d / "b.db") + " runs import " + q(d / "deep.json"));
    EXPECT_EQ(r.code, 1) << field << ": " << r.out.substr(0, 2000);
    EXPECT_TRUE(contains(r.out, "JSON nested deeper than 256 levels")) << r.out.substr(0, 2000);
  }
  r = rlnas("--store " + q(d / "b.db") + " runs import " + q(d / "export.json"));
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(contains(r.out, "imported as experiment 1")) << r.out;
}

// ---- 2. search --resume of an id that is no search ----

TEST(Hostile, ResumingAnIdThatIsNoSearchIsAUsageError) {
  const auto d = fresh("resume_id");
  const auto store = "--store " + q(d / "s.db") + " ";
  ASSERT_EQ(rlnas(store +
                  "--log-level off train --env classic/cartpole --algo ppo --steps 512 --set ppo.num_envs=4 "
                  "--set ppo.num_steps=32 --set eval.episodes=1 --quiet --out " +
                  q(d / "run"))
                .code,
            0);
  for (const std::string id : {"0", "=-1", "=-5"}) {
    const auto r = rlnas(store + "search --resume" + (id[0] == '=' ? id : " " + id));
    EXPECT_EQ(r.code, 2) << id << ": " << r.out;
    EXPECT_TRUE(contains(r.out, "expected the id of a search experiment")) << r.out;
    EXPECT_FALSE(contains(r.out, "started trial")) << r.out;
  }
  auto r = rlnas(store + "search --resume 7");
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_TRUE(contains(r.out, "no experiment 7 in")) << r.out;
  r = rlnas(store + "search --resume 1");
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_TRUE(contains(r.out, "experiment 1 is a train run, not a search")) << r.out;
  // Nothing new in the store.
  r = rlnas(store + "runs list --json");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(json::parse(r.out).size(), 1u);
}

// ---- 3. an edited run folder ----

TEST(Hostile, AResumeContinuesOnlyItsOwnConfigurationCheckpointAndMetrics) {
  const auto d = fresh("edited");
  const auto store = "--store " + q(d / "s.db") + " ";
  const auto a = d / "a";
  interrupted_run(store, a);
  const auto original = slurp(a / "config.json");
  auto edited = read_json(a / "config.json");
  edited["ppo.lr"] = 0.001;
  edited["ppo.ent_coef"] = 0.05;
  write_json(a / "config.json", edited);
  // Refused against the checkpoint, naming the keys, with the store or without.
  for (const auto& s : {store, std::string("--store '' ")}) {
    const auto r = rlnas(s + "train --resume " + q(a));
    EXPECT_EQ(r.code, 1) << r.out;
    EXPECT_TRUE(contains(r.out, "does not match the configuration this run's checkpoint was made with")) << r.out;
    EXPECT_TRUE(contains(r.out, "ppo.lr: 0.00025 -> 0.001")) << r.out;
    EXPECT_TRUE(contains(r.out, "ppo.ent_coef: ")) << r.out;
    EXPECT_FALSE(contains(r.out, "continue with")) << r.out;
  }
  // Without a checkpoint (the run would start again at step 0): refused against the store's record.
  fs::rename(a / "checkpoint.ckpt", d / "held.ckpt");
  auto r = rlnas(store + "train --resume " + q(a));
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_TRUE(contains(r.out, "is not the configuration the store recorded for this run")) << r.out;
  EXPECT_TRUE(contains(r.out, "ppo.lr: 0.00025 -> 0.001")) << r.out;
  fs::rename(d / "held.ckpt", a / "checkpoint.ckpt");
  r = rlnas(store + "runs show 1 --json");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(json::parse(r.out)["trials"][0]["status"], "stopped") << r.out;  // the refusals changed nothing
  // A budget lowered below the steps done: refused the same way, pointing at --steps.
  edited = json::parse(original);
  edited["steps"] = 1024;
  write_json(a / "config.json", edited);
  r = rlnas("--store '' train --resume " + q(a));
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_TRUE(contains(r.out, "steps: 50000000 -> 1024")) << r.out;
  EXPECT_TRUE(contains(r.out, "--steps N")) << r.out;

  // Another run with the same configuration, finished: its checkpoint copied into a's folder.
  std::ofstream(a / "config.json") << original;
  const auto b = d / "b";
  interrupted_run("--store '' ", b);
  fs::copy_file(a / "checkpoint.ckpt", d / "a.ckpt");
  fs::copy_file(b / "checkpoint.ckpt", a / "checkpoint.ckpt", fs::copy_options::overwrite_existing);
  r = rlnas("--store '' train --resume " + q(a));
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_TRUE(contains(r.out, "belongs to another run")) << r.out;
  // Its config.json too: the metrics do not belong.
  fs::copy_file(b / "config.json", a / "config.json", fs::copy_options::overwrite_existing);
  r = rlnas("--store '' train --resume " + q(a));
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_TRUE(contains(r.out, "the metrics and the checkpoint are not of the same run")) << r.out;

  // Its own files back: the run resumes (recorded), and a longer budget is a command.
  std::ofstream(a / "config.json") << original;
  fs::copy_file(d / "a.ckpt", a / "checkpoint.ckpt", fs::copy_options::overwrite_existing);
  const int64_t done_steps = 2048;
  ASSERT_EQ(rlnas("--store '' train --resume " + q(a) + " --steps 1").code, 2);  // below its budget
  // A longer budget, on a short finished run.
  const auto c = d / "c";
  r = rlnas(store + train_args(c, done_steps));
  ASSERT_EQ(r.code, 0) << r.out;
  r = rlnas(store + "train --resume " + q(c) + " --steps 4096 --quiet");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(contains(r.out, "done: 4096 steps")) << r.out;
  EXPECT_EQ(read_json(c / "config.json")["steps"], 4096);
  r = rlnas(store + "runs show 2 --json");
  ASSERT_EQ(r.code, 0) << r.out;
  const auto shown = json::parse(r.out);
  ASSERT_EQ(shown["trials"].size(), 2u) << r.out;  // the finished 2048-step trial stays as it was
  EXPECT_EQ(shown["trials"][0]["budget"], done_steps);
  EXPECT_EQ(shown["trials"][0]["status"], "done");
  EXPECT_EQ(shown["trials"][1]["budget"], 4096);
  EXPECT_EQ(shown["trials"][1]["status"], "done");
  EXPECT_NE(shown["trials"][0]["cache_key"], shown["trials"][1]["cache_key"]);
  // And it resumes no further without a new --steps.
  r = rlnas(store + "train --resume " + q(c) + " --quiet");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(contains(r.out, "done: 4096 steps")) << r.out;
}

// ---- 4 and 5. resuming an imported experiment ----

TEST(Hostile, AnImportedExperimentIsResultsAndIsNeverResumed) {
  const auto d = fresh("imported");
  synthetic_export(d / "a.db", d / "export.json");
  const auto doc = read_json(d / "export.json");
  const auto escape = d / "escape";
  const auto marker = d / "marker";
  // (name, how the configuration is crafted)
  struct Crafted {
    std::string what;
    std::function<void(json&)> edit;
  };
  const std::vector<Crafted> crafted = {
      {"an out_dir outside", [&](json& e) { e["experiment"]["name"] = escape.string(); }},
      {"a relative out_dir", [&](json& e) { e["experiment"]["name"] = "../escape"; }},
      {"a plugin",
       [&](json& e) {
         auto& t = e["experiment"]["config"]["train"];
         t["workload"] = "rl";
         t["env"] = "example/catch";
         t["env_source"] = {{"path", RLNAS_CATCH_PLUGIN}, {"sha256", "0"}};
       }},
      {"a Python callable",
       [&](json& e) {
         auto& t = e["experiment"]["config"]["train"];
         t["workload"] = "rl";
         t["env"] = "py:os:system";
         t["env_options"] = {{"command", "touch " + marker.string()}};
       }},
  };
  int i = 0;
  for (const auto& c : crafted) {
    auto edited = doc;
    auto& e = edited["experiments"][0];
    e["experiment"]["status"] = "stopped";
    e["experiment"]["started_at"] = "2026-01-01T00:00:0" + std::to_string(i) + ".000Z";
    c.edit(e);
    write_json(d / "crafted.json", edited);
    const auto store = "--store " + q(d / ("b" + std::to_string(i++) + ".db")) + " ";
    auto r = rlnas(store + "runs import " + q(d / "crafted.json"));
    ASSERT_EQ(r.code, 0) << c.what << ": " << r.out;
    r = rlnas(store + "search --resume 1", "LD_DEBUG=files ");
    EXPECT_EQ(r.code, 1) << c.what << ": " << r.out.substr(0, 3000);
    EXPECT_TRUE(contains(r.out, "experiment 1 was imported")) << r.out.substr(0, 3000);
    EXPECT_TRUE(contains(r.out, "cannot be resumed")) << r.out.substr(0, 3000);
    EXPECT_FALSE(contains(r.out, "rlnas_catch")) << c.what << ": the plugin was loaded";
    EXPECT_FALSE(fs::exists(escape)) << c.what;
    EXPECT_FALSE(fs::exists(d.parent_path() / "escape")) << c.what;
    EXPECT_FALSE(fs::exists(marker)) << c.what;
  }
}

// A record of this store names a plugin whose file changed: its hash is checked before dlopen.
TEST(Hostile, ARecordedPluginIsHashedBeforeItIsLoaded) {
  const auto d = fresh("plugin_hash");
  const auto run = d / "run";
  fs::create_directories(run);
  write_json(run / "config.json", {{"env", "example/catch"},
                                   {"algo", "ppo"},
                                   {"env_source", {{"path", RLNAS_CATCH_PLUGIN}, {"sha256", std::string(64, 'a')}}}});
  const auto r = rlnas("eval --run " + q(run), "LD_DEBUG=files ");
  EXPECT_EQ(r.code, 1) << r.out.substr(0, 3000);
  EXPECT_TRUE(contains(r.out, "checked before loading it")) << r.out.substr(0, 3000);
  EXPECT_FALSE(contains(r.out, "file=" + std::string(RLNAS_CATCH_PLUGIN))) << "dlopen ran";
}

// ---- 6. an import over an experiment that a process holds ----

TEST(Hostile, AnImportIsRefusedWhileTheExperimentsLockIsHeld) {
  const auto d = fresh("import_lock");
  synthetic_export(d / "a.db", d / "export.json");
  const auto store = "--store " + q(d / "b.db") + " ";
  auto r = rlnas(store + "runs import " + q(d / "export.json"));
  ASSERT_EQ(r.code, 0) << r.out;
  {
    auto s = store::Store::open((d / "b.db").string());
    const auto trials = s.trials(1).size();
    const auto lock = s.take_experiment_lock(1);
    r = rlnas(store + "runs import " + q(d / "export.json"));
    EXPECT_EQ(r.code, 1) << r.out;
    EXPECT_TRUE(contains(r.out, "experiment 1 of")) << r.out;
    EXPECT_TRUE(contains(r.out, "is in use by pid " + std::to_string(::getpid()))) << r.out;
    EXPECT_EQ(s.trials(1).size(), trials);
  }
  r = rlnas(store + "runs import " + q(d / "export.json"));
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(contains(r.out, "replaced as experiment")) << r.out;
}

// ---- 7. train --resume of a search's trial folder ----

TEST(Hostile, ATrialFolderIsContinuedOnlyByItsSearch) {
  const auto d = fresh("trial_folder");
  const auto store = "--store " + q(d / "s.db") + " ";
  const auto trials = d / "trials";
  ASSERT_TRUE(stop_search_after_first_trial(
      store +
          "search --env classic/cartpole --space mlp --strategy random --steps 20000 --top-k 3 --seeds 1 "
          "--jobs 1 --set search.baselines=none --set ppo.num_envs=4 --set ppo.num_steps=32 "
          "--set search.eval_episodes=2 --quiet --out " +
          q(trials),
      trials.string(), (d / "log").string()));
  auto r = rlnas(store + "runs show 1 --json");
  ASSERT_EQ(r.code, 0) << r.out;
  const auto before = json::parse(r.out);
  ASSERT_EQ(before["experiment"]["status"], "stopped") << r.out;
  // The trial folder that is not done (else the first).
  std::string dir = before["trials"][0]["run_dir"];
  for (const auto& t : before["trials"]) {
    if (t["status"] != "done" && fs::exists(fs::path(t["run_dir"].get<std::string>()) / "config.json")) {
      dir = t["run_dir"];
    }
  }
  for (const auto& s : {store, std::string("--store '' ")}) {
    r = rlnas(s + "train --resume " + q(dir));
    EXPECT_EQ(r.code, 1) << r.out;
    EXPECT_TRUE(contains(r.out, "is a trial folder of")) << r.out;
    EXPECT_TRUE(contains(r.out, "search --resume")) << r.out;
  }
  r = rlnas(store + "runs show 1 --json");
  ASSERT_EQ(r.code, 0) << r.out;
  const auto after = json::parse(r.out);
  EXPECT_EQ(after["experiment"]["status"], "stopped");
  EXPECT_EQ(after["trials"], before["trials"]);
}

// ---- 8. links where rlnas writes its own files ----

TEST(Hostile, RunFilesAreNeverWrittenThroughALink) {
  const auto d = fresh("links");
  const auto run = d / "run";
  interrupted_run("--store '' ", run);
  std::ofstream(d / "victim") << "precious\n";
  for (const char* name : {"run.lock", "metrics.jsonl", "checkpoint.ckpt"}) {
    const auto saved = d / (std::string(name) + ".saved");
    fs::rename(run / name, saved);
    fs::create_symlink(d / "victim", run / name);
    const auto r = rlnas("--store '' train --resume " + q(run));
    EXPECT_EQ(r.code, 1) << name << ": " << r.out;
    EXPECT_TRUE(contains(r.out, "symbolic link")) << name << ": " << r.out;
    EXPECT_EQ(slurp(d / "victim"), "precious\n") << name;
    fs::remove(run / name);
    fs::rename(saved, run / name);
  }
}

// ---- weak spots ----

// Read-only commands open the store read-only: a store on a read-only path is listed, shown,
// exported and reported (inside a private mount namespace, so that no read-only mount is left).
TEST(Hostile, AStoreOnAReadOnlyPathCanBeRead) {
  const auto d = fresh("read_only");
  const auto dir = d / "ro";
  fs::create_directories(dir);
  const auto store = dir / "s.db";
  synthetic_export(store, d / "export.json");
  // Without the WAL's shared-memory file (as a store copied onto a read-only medium): the
  // read-only connection cannot make one and reads the file as it is.
  std::error_code ec;
  if (fs::file_size(dir / "s.db-wal", ec) == 0) {
    fs::remove(dir / "s.db-wal");
    fs::remove(dir / "s.db-shm");
  }
  const std::string prefix = "unshare -m sh -c \"mount --bind " + q(dir) + " " + q(dir) +
                             " && mount -o remount,ro,bind " + q(dir) + " " + q(dir) + " && ";
  if (run_command(prefix + "touch " + q(dir / "probe") + "\"").code == 0 || fs::exists(dir / "probe")) {
    GTEST_SKIP() << "cannot make a read-only bind mount here";
  }
  if (run_command("unshare -m true").code != 0) GTEST_SKIP() << "unshare -m is not allowed here";
  for (const std::string& command :
       std::vector<std::string>{"runs list", "runs show 1", "runs export 1 --out " + q(d / "again.json"),
                                "report 1 --out " + q(d / "page.html")}) {
    const auto r = run_command(prefix + RLNAS_BIN + " --store " + q(store) + " " + command + "\"");
    EXPECT_EQ(r.code, 0) << command << ": " << r.out;
  }
  EXPECT_EQ(read_json(d / "again.json")["experiments"].size(), 1u);
  EXPECT_TRUE(fs::exists(d / "page.html"));
  // A writing command says why it cannot.
  const auto r =
      run_command(prefix + RLNAS_BIN + " --store " + q(store) + " runs import " + q(d / "export.json") + "\"");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_TRUE(contains(r.out, "s.db")) << r.out;
}

// Refused starts leave nothing behind and do not say how to continue what never started.
TEST(Hostile, RefusedStartsLeaveNoExperimentAndNoContinueHint) {
  const auto d = fresh("refused");
  const auto store = "--store " + q(d / "s.db") + " ";
  const std::string synthetic =
      "search --workload synthetic --space minatar/ss1 --strategy random --top-k 2 --seeds 1 ";
  auto r = rlnas(store + synthetic + "--baselines net:nosuch");
  EXPECT_NE(r.code, 0) << r.out;
  EXPECT_TRUE(contains(r.out, "search.baselines: net:nosuch")) << r.out;
  r = rlnas(store + synthetic + "--id-file " + q(d / "no" / "such" / "id"));
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_TRUE(contains(r.out, "--id-file")) << r.out;
  r = rlnas(store + "runs list --json");
  EXPECT_TRUE(r.code != 0 || json::parse(r.out).empty()) << r.out;  // no store, or an empty one

  // A second train into a folder that holds a run is refused without a "continue with" hint.
  const auto run = d / "run";
  ASSERT_EQ(rlnas(store + train_args(run, 1024)).code, 0);
  r = rlnas(store + train_args(run, 1024));
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_TRUE(contains(r.out, "already holds a run")) << r.out;
  EXPECT_FALSE(contains(r.out, "continue with")) << r.out;
  r = rlnas(store + "runs list --json");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(json::parse(r.out).size(), 1u);

  // Repeated --set keys and empty values are usage errors.
  r = rlnas("--store '' train --env classic/cartpole --set ppo.lr=0.1 --set ppo.lr=0.2");
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_TRUE(contains(r.out, "the key 'ppo.lr' is given twice (--set ppo.lr=0.1, --set ppo.lr=0.2)")) << r.out;
  for (const char* flag : {"--steps ''", "--env ''"}) {
    r = rlnas(std::string("--store '' train --env classic/cartpole ") + flag);
    EXPECT_EQ(r.code, 2) << flag << ": " << r.out;
    EXPECT_TRUE(contains(r.out, "expected a value, found ''")) << r.out;
  }
  // A YAML file with a second document is refused, not cut.
  std::ofstream(d / "two.yaml") << "algo: ppo\n---\nalgo: dqn\n";
  r = rlnas("--store '' train --env classic/cartpole --config " + q(d / "two.yaml"));
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_TRUE(contains(r.out, "two.yaml:2: a second YAML document")) << r.out;
  // yaml-cpp 0.7's LoadAll loops forever, allocating, on this; it is refused at once.
  std::ofstream(d / "comma.yaml") << ",algo: 1\n";
  r = rlnas("--store '' train --env classic/cartpole --config " + q(d / "comma.yaml"));
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_TRUE(contains(r.out, "comma.yaml: expected a map of settings")) << r.out;
}

// Outside input that would take unbounded work or print a library's internals.
TEST(Hostile, HugeInputsGetAClearErrorQuickly) {
  const auto d = fresh("huge");
  auto r = rlnas("space cost --named minatar/ss1/nature --input 4x100000x100000");
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_TRUE(contains(r.out, "has more than 1048576 values")) << r.out;
  EXPECT_FALSE(contains(r.out, "c10")) << r.out;
  r = rlnas("--store '' train --env classic/cartpole --config /dev/zero");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_TRUE(contains(r.out, "holds more than 67108864 bytes")) << r.out;
  // A 50 MB architecture is not echoed back.
  std::ofstream(d / "big.json") << "{\"space\": \"" << std::string(50 << 20, 'x') << "\"}";
  r = rlnas("space cost --arch @" + q(d / "big.json"));
  EXPECT_NE(r.code, 0);
  EXPECT_LT(r.out.size(), 2000u) << r.out.substr(0, 2000);
  r = rlnas("--plugin " + q(d) + " env list");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_TRUE(contains(r.out, "it is a folder (expected a shared object, FILE.so)")) << r.out;
  const std::string long_name(300, 'a');
  r = rlnas("--store '' train --env classic/cartpole --steps 100 --out " + q(d / long_name));
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_TRUE(contains(r.out, "': File name too long")) << r.out;
  EXPECT_FALSE(contains(r.out, "filesystem error")) << r.out;
  r = rlnas("env check --env classic/cartpole --steps 200");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(contains(r.out, "ok: 200 steps") || contains(r.out, "(200 asked; stepping went on")) << r.out;
}

}  // namespace
}  // namespace rlnas::cli_test
