// Nothing lost silently (issue 14): the rlnas binary under a full disk (the write-failure shim
// preloaded, and a real size-limited tmpfs where one can be mounted), devices named by --out,
// stdout on a full device, SIGINT/SIGTERM/kill -9, locks, exit codes and plain error messages.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "../common/fresh_dir.h"
#include "cli_util.h"

namespace rlnas::cli_test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path fresh(const std::string& name) { return test_util::fresh_dir("reliability_test", name); }

// Environment that makes writes to files matching `pattern` fail once `budget` bytes are written.
std::string fault(const std::string& pattern, int64_t budget = 0, const std::string& ops = "write") {
  return "RLNAS_FAULT_PATH='" + pattern + "' RLNAS_FAULT_BUDGET=" + std::to_string(budget) + " RLNAS_FAULT_OPS=" + ops +
         " LD_PRELOAD=" + RLNAS_FAULT_SHIM + " ";
}

Run rlnas(const std::string& args, const std::string& env = "") { return run_command(env + RLNAS_BIN + " " + args); }

// A short PPO run on CartPole: 32 metrics lines (one per 128 steps), checkpoints every 1024 steps.
std::string train_args(const fs::path& out, int64_t steps = 4096, int64_t checkpoint_every = 1024) {
  return "train --env classic/cartpole --algo ppo --steps " + std::to_string(steps) +
         " --seed 7 --set ppo.num_envs=4 --set ppo.num_steps=32 --set log_every=128 --set checkpoint_every=" +
         std::to_string(checkpoint_every) + " --set eval.episodes=2 --quiet --out " + q(out);
}

std::vector<std::string> raw_lines(const fs::path& p) {
  std::ifstream in(p);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// metrics.jsonl without its clock fields.
std::vector<std::string> clock_free_lines(const fs::path& run) {
  std::vector<std::string> out;
  for (const auto& line : raw_lines(run / "metrics.jsonl")) {
    auto j = json::parse(line);
    for (const char* clock : {"time", "steps_per_s", "rollout_s", "update_s"}) j.erase(clock);
    out.push_back(j.dump());
  }
  return out;
}

size_t bytes_of(const fs::path& p) {
  std::error_code ec;
  const auto n = fs::file_size(p, ec);
  return ec ? 0 : static_cast<size_t>(n);
}

json runs_show(const fs::path& store, int64_t id) {
  const auto r = rlnas("--store " + q(store) + " runs show " + std::to_string(id) + " --json 2>/dev/null");
  return json::parse(r.out);
}

// A full device like /dev/full, made in the test's folder (never the system's). Empty if not root.
fs::path full_device(const fs::path& dir) {
  const auto p = dir / "full";
  if (::mknod(p.c_str(), S_IFCHR | 0666, makedev(1, 7)) != 0) return {};
  return p;
}

std::vector<pid_t> children_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children");
  std::vector<pid_t> out;
  for (pid_t c; in >> c;) out.push_back(c);
  return out;
}

// `args` writes `file` atomically; with the disk full after 10 bytes it fails naming the temporary
// and the reason, and leaves neither the temporary nor a partial file.
void expect_failed_atomic_write(const fs::path& file, const std::string& args) {
  const auto r = rlnas(args, fault(file.string() + "*", 10));
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_TRUE(contains(r.out, file.string() + ".tmp': No space left on device")) << r.out;
  EXPECT_FALSE(fs::exists(file.string() + ".tmp"));
  EXPECT_FALSE(fs::exists(file));
}

// ---- 1. a full disk during training ----

TEST(Reliability, DiskFullDuringTrainingStopsWithThePathAndResumesExactly) {
  const auto d = fresh("disk_full");
  const auto store = d / "s.db";
  ASSERT_EQ(rlnas("--store " + q(store) + " " + train_args(d / "ref")).code, 0);
  const auto ref = raw_lines(d / "ref" / "metrics.jsonl");
  ASSERT_EQ(ref.size(), 32u);
  // Room for about 15 lines: the 16th is cut (step ~2048, after the checkpoint at 1024).
  int64_t budget = 40;
  for (size_t i = 0; i < 15; ++i) budget += static_cast<int64_t>(ref[i].size() + 1);
  const auto run = d / "run";
  const auto r = rlnas("--store " + q(store) + " " + train_args(run), fault((run / "metrics.jsonl").string(), budget));
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_TRUE(contains(r.out, (run / "metrics.jsonl").string() + "': No space left on device")) << r.out;
  EXPECT_TRUE(contains(r.out, "rlnas train --resume " + run.string())) << r.out;
  EXPECT_FALSE(contains(r.out, "done:")) << r.out;
  const auto left = raw_lines(run / "metrics.jsonl");
  EXPECT_GE(left.size(), 15u);
  EXPECT_LE(left.size(), 17u);
  const auto failed = runs_show(store, 2);
  EXPECT_EQ(failed["trials"][0]["status"], "failed");
  EXPECT_TRUE(contains(failed["trials"][0]["reason"].get<std::string>(), "No space left on device"));

  // Space freed: the resume writes exactly the lines an uninterrupted run writes.
  const auto resumed = rlnas("--store " + q(store) + " train --resume " + q(run) + " --quiet");
  EXPECT_EQ(resumed.code, 0) << resumed.out;
  EXPECT_EQ(clock_free_lines(run), clock_free_lines(d / "ref"));
  const auto done = runs_show(store, 2);
  EXPECT_EQ(done["trials"][0]["status"], "done");
  EXPECT_EQ(done["trials"][0]["curve_points"], 32);
}

// The same on a real full file system: a 40 KiB tmpfs holds the metrics lines but not the first
// checkpoint. Mounted inside `unshare -m`, so nothing stays mounted whatever happens.
TEST(Reliability, RealFullFileSystemKeepsTheRunResumable) {
  const auto d = fresh("tmpfs");
  fs::create_directories(d / "mnt");
  if (run_command("unshare -m true").code != 0) {
    GTEST_SKIP() << "cannot mount a tmpfs here (unshare -m fails); the write-failure shim covers the same paths";
  }
  ASSERT_EQ(rlnas("--store '' " + train_args(d / "ref")).code, 0);
  std::ofstream(d / "inner.sh") << "mount -t tmpfs -o size=40k tmpfs " << q(d / "mnt") << " || exit 99\n"
                                << RLNAS_BIN << " --store '' " << train_args(d / "mnt" / "run") << "\n"
                                << "echo \"rc=$?\"\n"
                                << "cp -a " << q(d / "mnt" / "run") << " " << q(d / "copy") << "\n";
  const auto r = run_command("unshare -m sh " + q(d / "inner.sh"));
  if (r.code == 99) GTEST_SKIP() << "cannot mount a tmpfs: " << r.out;
  EXPECT_TRUE(contains(r.out, "rc=1")) << r.out;
  EXPECT_TRUE(contains(r.out, "No space left on device")) << r.out;
  EXPECT_FALSE(fs::exists(d / "copy" / "checkpoint.ckpt.tmp")) << "a failed atomic write left its temporary";
  // The copy (as if space had been freed) continues: from a checkpoint, or from step 0 when none fit.
  const auto resumed = rlnas("--store '' train --resume " + q(d / "copy") + " --quiet");
  EXPECT_EQ(resumed.code, 0) << resumed.out;
  EXPECT_EQ(clock_free_lines(d / "copy"), clock_free_lines(d / "ref"));
}

// ---- 3. eval ----

TEST(Reliability, EvalFailsWhenItsRecordCannotBeWritten) {
  const auto d = fresh("eval");
  ASSERT_EQ(rlnas("--store '' " + train_args(d / "run", 512)).code, 0);
  const auto r = rlnas("eval --run " + q(d / "run") + " --episodes 1", fault((d / "run" / "evals.jsonl").string()));
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_TRUE(contains(r.out, "evals.jsonl': No space left on device")) << r.out;
  const auto ok = rlnas("eval --run " + q(d / "run") + " --episodes 1");
  EXPECT_EQ(ok.code, 0) << ok.out;
  EXPECT_EQ(raw_lines(d / "run" / "evals.jsonl").size(), 1u);
}

// ---- 4, 8, 9, 11. signals, exit codes and locks ----

std::string search_args(const fs::path& d) {
  return "--store " + q(d / "s.db") +
         " search --env classic/cartpole --algo ppo --space mlp --strategy random --steps 300000 --top-k 2"
         " --seeds 1 --jobs 1 --baselines none --set checkpoint_every=4096 --out " +
         q(d / "trials");
}

TEST(Reliability, CtrlCOfASearchWithPendingTrialsEndsItAsStopped) {
  const auto d = fresh("search_sigint");
  const auto log = d / "search.log";
  const pid_t pid = spawn(search_args(d), log.string());
  ASSERT_TRUE(wait_for([&] { return contains(slurp(log), "started trial"); }, 120)) << slurp(log);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  const auto second = rlnas("--store " + q(d / "s.db") + " search --resume 1");
  EXPECT_EQ(second.code, 1) << second.out;
  EXPECT_TRUE(contains(second.out, "is in use by pid " + std::to_string(pid))) << second.out;
  ::kill(pid, SIGINT);
  const auto sent = std::chrono::steady_clock::now();
  EXPECT_EQ(wait_exit(pid, 60), 130) << slurp(log);
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - sent).count(), 30);
  const auto shown = runs_show(d / "s.db", 1);
  EXPECT_EQ(shown["experiment"]["status"], "stopped");
  int stopped = 0, pending = 0;
  for (const auto& t : shown["trials"]) {
    stopped += t["status"] == "stopped";
    pending += t["status"] == "pending";
  }
  EXPECT_EQ(stopped, 1) << shown.dump(2);
  EXPECT_GE(pending, 1) << shown.dump(2);
  EXPECT_TRUE(contains(slurp(log), "search --resume 1")) << slurp(log);
}

// Slurm, systemd and timeout send SIGTERM to every process of a job: the search and its trial both
// get it, and the trial also gets the search's forwarded SIGINT. It still checkpoints.
TEST(Reliability, SigtermToASearchAndItsTrialCheckpointsAndExits130) {
  const auto d = fresh("search_sigterm");
  const auto log = d / "search.log";
  const pid_t pid = spawn(search_args(d), log.string());
  ASSERT_TRUE(wait_for([&] { return contains(slurp(log), "started trial"); }, 120)) << slurp(log);
  std::vector<pid_t> trials;
  ASSERT_TRUE(wait_for([&] { return !(trials = children_of(pid)).empty(); }, 10));
  // the trial is training (its first metrics line is written)
  ASSERT_TRUE(wait_for([&] { return bytes_of(d / "trials" / "t0001-retrain-s1" / "metrics.jsonl") > 0; }, 60));
  ::kill(pid, SIGTERM);
  for (const pid_t t : trials) ::kill(t, SIGTERM);
  EXPECT_EQ(wait_exit(pid, 60), 130) << slurp(log);
  const auto shown = runs_show(d / "s.db", 1);
  EXPECT_EQ(shown["experiment"]["status"], "stopped");
  const auto& trial = shown["trials"][0];
  EXPECT_EQ(trial["status"], "stopped") << shown.dump(2);
  EXPECT_TRUE(fs::exists(fs::path(trial["run_dir"].get<std::string>()) / "checkpoint.ckpt"));
}

TEST(Reliability, TrainTakesSigtermLikeCtrlCAndLocksItsRunFolder) {
  const auto d = fresh("train_sigterm");
  const auto run = d / "run";
  const auto store = "--store " + q(d / "s.db") + " ";
  const std::string args = store + "train --env classic/cartpole --algo ppo --steps 5000000 --out " + q(run);
  pid_t pid = spawn(args, (d / "log").string());
  ASSERT_TRUE(wait_for([&] { return bytes_of(run / "metrics.jsonl") > 0; }, 60)) << slurp(d / "log");
  const auto second = rlnas(store + "train --resume " + q(run));
  EXPECT_EQ(second.code, 1) << second.out;
  EXPECT_TRUE(contains(second.out, "is in use by pid " + std::to_string(pid))) << second.out;
  ::kill(pid, SIGTERM);
  EXPECT_EQ(wait_exit(pid, 60), 130) << slurp(d / "log");
  EXPECT_TRUE(contains(slurp(d / "log"), "interrupted at step")) << slurp(d / "log");
  EXPECT_TRUE(fs::exists(run / "checkpoint.ckpt"));
  EXPECT_EQ(runs_show(d / "s.db", 1)["experiment"]["status"], "stopped");

  // kill -9 leaves the record "running": shown as interrupted, and the run resumes.
  pid = spawn(store + "train --resume " + q(run), (d / "log2").string());
  ASSERT_TRUE(wait_for([&] { return contains(slurp(d / "log2"), "resuming"); }, 60)) << slurp(d / "log2");
  ::kill(pid, SIGKILL);
  wait_exit(pid, 10);
  const auto list = rlnas(store + "runs list");
  EXPECT_TRUE(contains(list.out, "interrupted (process gone)")) << list.out;
  const auto show = rlnas(store + "runs show 1");
  EXPECT_TRUE(contains(show.out, "interrupted (process gone)")) << show.out;
  EXPECT_EQ(json::parse(rlnas(store + "runs list --json 2>/dev/null").out)[0]["process_gone"], true);
}

// kill -9 before the first checkpoint: --resume starts the run again at step 0 (with a warning),
// its record too, and it ends as an uninterrupted run.
TEST(Reliability, AKillBeforeTheFirstCheckpointResumesFromStepZero) {
  const auto d = fresh("early_kill");
  const auto store = "--store " + q(d / "s.db") + " ";
  ASSERT_EQ(rlnas(store + train_args(d / "ref", 16384, 0)).code, 0);
  const auto run = d / "run";
  const pid_t pid = spawn(store + train_args(run, 16384, 0), (d / "log").string());
  ASSERT_TRUE(wait_for([&] { return bytes_of(run / "metrics.jsonl") > 0; }, 60)) << slurp(d / "log");
  ::kill(pid, SIGKILL);
  wait_exit(pid, 10);
  ASSERT_FALSE(fs::exists(run / "checkpoint.ckpt")) << "finished before the kill";
  const auto r = rlnas(store + "train --resume " + q(run) + " --quiet");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(contains(r.out, "starting it again at step 0")) << r.out;
  EXPECT_EQ(clock_free_lines(run), clock_free_lines(d / "ref"));
  const auto shown = runs_show(d / "s.db", 2);
  EXPECT_EQ(shown["trials"][0]["status"], "done");
  EXPECT_EQ(shown["trials"][0]["curve_points"], 128);
}

TEST(Reliability, ExitCodesFollowTheTable) {
  EXPECT_EQ(rlnas("--version").code, 0);
  EXPECT_EQ(rlnas("train --help").code, 0);
  EXPECT_EQ(rlnas("train --no-such-flag").code, 2);
  const auto unknown = rlnas("frobnicate");
  EXPECT_EQ(unknown.code, 2);
  EXPECT_TRUE(contains(unknown.out, "unknown command 'frobnicate'")) << unknown.out;
  const auto threads = rlnas("--threads 100000 space list");
  EXPECT_EQ(threads.code, 2);
  EXPECT_TRUE(contains(threads.out, "--threads") && contains(threads.out, "found '100000'")) << threads.out;
  EXPECT_EQ(rlnas("--store '' train --env classic/nope").code, 1);
}

// No range message prints the largest double (309 digits), nor a parser's internals.
TEST(Reliability, UsageErrorsArePlainMessages) {
  const std::regex long_number("[0-9]{25,}");
  for (const char* args :
       {"--threads 0 space list", "eval --run x --episodes 0", "report abc", "search --resume 1 --jobs abc",
        "search --resume 1 --jobs 0", "space sample minatar/ss1 --n 0",
        "env rollout --env minatar/breakout --seed 0 --episodes -3"}) {
    const auto r = rlnas(args);
    EXPECT_EQ(r.code, 2) << args << ": " << r.out;
    EXPECT_TRUE(contains(r.out, "expected a whole number from")) << args << ": " << r.out;
    EXPECT_FALSE(std::regex_search(r.out, long_number)) << args << ": " << r.out;
  }
}

// ---- 5. devices and standard output ----

TEST(Reliability, ADeviceNamedByOutIsWrittenNeverReplaced) {
  const auto d = fresh("device");
  const auto full = full_device(d);
  if (full.empty()) GTEST_SKIP() << "cannot make a device node (not root)";
  ASSERT_EQ(rlnas("--store " + q(d / "s.db") + " " + train_args(d / "run", 512)).code, 0);
  for (const std::string& args : {"--store " + q(d / "s.db") + " report 1 --out " + q(full),
                                  "env trace --env minatar/breakout --seed 1 --actions 0123 --out " + q(full)}) {
    const auto r = rlnas(args);
    EXPECT_EQ(r.code, 1) << args << ": " << r.out;
    EXPECT_TRUE(contains(r.out, full.string() + "': No space left on device")) << r.out;
    EXPECT_TRUE(fs::is_character_file(full)) << args << " replaced the device";
    EXPECT_FALSE(fs::exists(d / "full.tmp"));
  }
  for (const std::string& args :
       {std::string("space sample minatar/ss1 --n 3"), "--store " + q(d / "s.db") + " runs show 1 --json",
        std::string("env rollout --env minatar/breakout --episodes 1 --seed 0 --json")}) {
    const auto r =
        run_command("{ " + std::string(RLNAS_BIN) + " " + args + " > " + q(full) + "; }");  // stderr: the pipe
    EXPECT_EQ(r.code, 1) << args << ": " << r.out;
    EXPECT_TRUE(contains(r.out, "cannot write to standard output: No space left on device")) << args << ": " << r.out;
  }
  // A reader that goes away is not an error.
  const auto piped = run_command(std::string(RLNAS_BIN) + " space sample minatar/ss1 --n 100000 2> " + q(d / "err") +
                                 " | head -c 10 > /dev/null");
  EXPECT_EQ(slurp(d / "err"), "");
}

// ---- 12. messages instead of raw library errors ----

TEST(Reliability, BadInputGetsAMessageNotALibraryError) {
  const auto d = fresh("messages");
  const auto no_store = std::string("--store '' ");
  auto r = rlnas(no_store + "train --env classic/cartpole --config " + q(d));
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.out, "it is a folder")) << r.out;
  std::ofstream(d / "file") << "x";
  r = rlnas(no_store + "train --env classic/cartpole --steps 512 --out " + q(d / "file"));
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.out, "is a file")) << r.out;
  r = rlnas(no_store + "train --env minatar/breakout --arch '{\"space\":' --list-options");
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.out, "not valid JSON (parse error")) << r.out;
  r = rlnas(no_store +
            "train --env minatar/breakout --arch '{\"space\":\"minatar/ss1\",\"choices\":{\"conv2.kernel\":4,"
            "\"conv2.kernel\":5,\"conv3.kernel\":3}}' --list-options");
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.out, "is given twice")) << r.out;
  // 4.0 is the option 4: one architecture, one id
  r = rlnas(no_store +
            "train --env minatar/breakout --arch '{\"space\":\"minatar/ss1\",\"choices\":{\"conv2.kernel\":4.0,"
            "\"conv3.kernel\":5}}' --list-options");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(contains(r.out, "\\\"conv2.kernel\\\":4,")) << r.out;

  ASSERT_EQ(rlnas(no_store + train_args(d / "run", 512)).code, 0);
  fs::copy(d / "run", d / "badconfig", fs::copy_options::recursive);
  std::ofstream(d / "badconfig" / "config.json") << "{\"env\": ";
  r = rlnas(no_store + "train --resume " + q(d / "badconfig"));
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.out, "config.json: not valid JSON (parse error")) << r.out;
  fs::copy(d / "run", d / "badheader", fs::copy_options::recursive);
  {
    std::string ckpt = slurp(d / "run" / "checkpoint.ckpt");
    const auto first = ckpt.find('\n'), second = ckpt.find('\n', first + 1);
    ckpt.replace(first + 1, second - first - 1, "{\"algo\": 3");
    std::ofstream(d / "badheader" / "checkpoint.ckpt", std::ios::binary) << ckpt;
  }
  r = rlnas("eval --run " + q(d / "badheader"));
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.out, "header: not valid JSON (parse error")) << r.out;
  for (const auto* out : {&r}) EXPECT_FALSE(contains(out->out, "json.exception")) << out->out;

  // A run folder whose name is not UTF-8 does not break the store's JSON listing.
  const auto odd = d / "run-\xff\xfe";
  ASSERT_EQ(rlnas("--store " + q(d / "s.db") + " " + train_args(odd, 512)).code, 0);
  r = rlnas("--store " + q(d / "s.db") + " runs list --json");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NO_THROW(json::parse(r.out.substr(r.out.find('['))));

  // The default network fits the default environment (CartPole: the MLP).
  r = rlnas(no_store + "train --steps 512 --quiet --out " + q(d / "default"));
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(contains(slurp(d / "default" / "config.json"), "\"net.name\": \"mlp\""));

  // A network that cannot take the observation is refused before any run folder exists.
  r = rlnas(no_store + "train --env classic/cartpole --net nature_cnn --steps 512 --out " + q(d / "cnn"));
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_FALSE(fs::exists(d / "cnn"));

  // Freeway's episodes last 2,500 steps: longer than the check's 2,000, but they do end.
  r = rlnas("env check --env minatar/freeway");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(contains(r.out, "0 warning classes")) << r.out;

  // A failed atomic write leaves neither its temporary nor a partial file.
  expect_failed_atomic_write(d / "t.json",
                             "env trace --env minatar/breakout --seed 1 --actions 0123 --out " + q(d / "t.json"));
}

// ---- the harness on search, report and the store ----

TEST(Reliability, ASearchRecordsTrialsThatHitAFullDiskAsFailedWithTheReason) {
  const auto d = fresh("search_full");
  // Each trial process (the shim is inherited) runs out of space after ~2 metrics lines.
  const auto r = rlnas("--store " + q(d / "s.db") +
                           " search --env classic/cartpole --algo ppo --space mlp --strategy random --steps 2048"
                           " --top-k 1 --seeds 1 --jobs 1 --baselines none --set ppo.num_envs=4 --set ppo.num_steps=32"
                           " --set log_every=128 --quiet --out " +
                           q(d / "trials"),
                       fault((d / "trials").string() + "/*/metrics.jsonl", 600));
  const auto shown = runs_show(d / "s.db", 1);
  ASSERT_FALSE(shown["trials"].empty()) << r.out;
  for (const auto& t : shown["trials"]) {
    EXPECT_EQ(t["status"], "failed") << t.dump();
    EXPECT_TRUE(contains(t["reason"].get<std::string>(), "No space left on device")) << t.dump();
  }
  // and its report cannot be written: said, with nothing half-written left behind
  expect_failed_atomic_write(d / "r.html", "--store " + q(d / "s.db") + " report 1 --out " + q(d / "r.html"));
}

// SQLite reports the disk full: the command fails naming the store; the store stays intact and
// usable once space is back.
TEST(Reliability, AFullDiskUnderTheStoreIsAnErrorAndTheStoreSurvives) {
  const auto d = fresh("store_full");
  const auto store = d / "s.db";
  ASSERT_EQ(rlnas("--store " + q(store) + " " + train_args(d / "first", 512)).code, 0);
  const auto r = rlnas("--store " + q(store) + " " + train_args(d / "second", 512), fault(store.string() + "*", 0));
  EXPECT_EQ(r.code, 1) << r.out;
  // SQLite's own words: "database or disk is full", or "disk I/O error" when the WAL cannot grow
  EXPECT_TRUE(contains(r.out, "disk is full") || contains(r.out, "disk I/O error")) << r.out;
  EXPECT_TRUE(contains(r.out, "error: store '" + store.string() + "'")) << r.out;
  EXPECT_FALSE(contains(r.out, "internal error")) << r.out;
  const auto list = rlnas("--store " + q(store) + " runs list --json");
  EXPECT_EQ(list.code, 0) << list.out;
  const auto again = rlnas("--store " + q(store) + " " + train_args(d / "third", 512));
  EXPECT_EQ(again.code, 0) << again.out;
}

}  // namespace
}  // namespace rlnas::cli_test
