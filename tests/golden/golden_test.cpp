// Golden runs: short trainings and one search whose results are pinned by SHA-256 values committed
// in tests/golden/golden.json. Any change to what a training computes (a default, a random draw's
// order, a reward) changes a digest here; such a change must bump the training-semantics version
// (rlnas/store/cache_key.h) and re-record the values (see docs/testing.md, "Golden runs").
//
// Digests: metrics.jsonl with its time fields removed; the final network's parameters and buffers
// (names, shapes and bytes, in the module's order); a search's summary rows in a canonical form
// (kind, label, architecture id, seeds, metric values) and every trial's metrics.
//
// The runs use --threads 1 and ATEN_CPU_CAPABILITY=default, so LibTorch's own kernels do not depend
// on the CPU. OpenBLAS chooses its kernel by OPENBLAS_CORETYPE, which this workplace sets on some
// processors and which tests must not change: the values are recorded with the core type they were
// made with, and a machine with another one skips this suite, saying so.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include "../cli/cli_util.h"
#include "rlnas/core/sha256.h"
#include "rlnas/env/registry.h"
#include "rlnas/rl/trainer.h"
#include "rlnas/store/store.h"

namespace rlnas {
namespace {

namespace fs = std::filesystem;
using cli_test::contains;
using nlohmann::json;
using nlohmann::ordered_json;

const fs::path kGoldenFile = RLNAS_GOLDEN_FILE;

// Each case removes only its own folders: ctest runs the cases as parallel processes.
fs::path root() {
  const auto d = fs::temp_directory_path() / "rlnas_golden_test";
  fs::create_directories(d);
  return d;
}

json golden() {
  std::ifstream in(kGoldenFile);
  return json::parse(in);
}

std::string coretype() {
  const char* v = std::getenv("OPENBLAS_CORETYPE");
  return v ? v : "";
}

// Record mode (RLNAS_GOLDEN_RECORD=1): the observed values are written into golden.json instead of
// compared. Only for a deliberate change of training semantics, with the version bumped.
bool recording() {
  const char* v = std::getenv("RLNAS_GOLDEN_RECORD");
  return v && std::string(v) == "1";
}

// Compares (or records) the digests of one case.
void check(const std::string& name, const ordered_json& observed) {
  json g = golden();
  if (recording()) {
    g["openblas_coretype"] = coretype();
    g["cases"][name] = observed;
    std::ofstream(kGoldenFile) << g.dump(2) << "\n";
    return;
  }
  ASSERT_TRUE(g["cases"].contains(name)) << "no golden values for " << name << "; observed: " << observed.dump(2);
  EXPECT_EQ(json::parse(observed.dump()), g["cases"][name])
      << name << ": the results differ from the golden run. If training semantics changed on purpose, bump "
      << "kTrainingSemanticsVersion and re-record (docs/testing.md). Observed: " << observed.dump(2);
}

// Skips the case when OpenBLAS would run another kernel than the one the values were made with.
#define GOLDEN_PRECONDITION()                                                                                         \
  do {                                                                                                                \
    const std::string recorded = golden().value("openblas_coretype", "");                                             \
    if (!recording() && coretype() != recorded) {                                                                     \
      GTEST_SKIP() << "golden values were recorded with OPENBLAS_CORETYPE=" << recorded << "; this environment has '" \
                   << coretype() << "', so matrix products may round "                                                \
                   << "differently (tests must not change OPENBLAS_CORETYPE)";                                        \
    }                                                                                                                 \
  } while (0)

// rlnas with the golden environment; fails the test on a non-zero exit.
std::string rlnas(const std::string& args) {
  const auto r = cli_test::run_command("ATEN_CPU_CAPABILITY=default " + std::string(RLNAS_BIN) +
                                       " --threads 1 --log-level warning " + args);
  EXPECT_EQ(r.code, 0) << args << "\n" << r.out;
  return r.out;
}

// A metrics.jsonl line without the fields that measure time.
bool is_time_field(const std::string& k) {
  static const std::set<std::string> names = {"time", "elapsed", "sps"};
  const auto ends = [&](const std::string& suffix) {
    return k.size() >= suffix.size() && k.compare(k.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return names.count(k) > 0 || ends("_s") || ends("_seconds") || ends("_time");  // steps_per_s, rollout_s
}

std::string metrics_digest(const fs::path& run_dir) {
  std::ifstream in(run_dir / "metrics.jsonl");
  EXPECT_TRUE(in) << run_dir;
  Sha256 h;
  std::string line;
  int lines = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    ordered_json j = ordered_json::parse(line);
    ordered_json kept = ordered_json::object();
    for (const auto& [k, v] : j.items()) {
      if (!is_time_field(k)) kept[k] = v;
    }
    h.update(kept.dump() + "\n");
    ++lines;
  }
  EXPECT_GT(lines, 0) << run_dir;
  return h.hex_digest();
}

std::string weights_digest(const fs::path& run_dir) {
  env::EnvRegistry envs;
  env::register_builtin_envs(envs);
  auto algo = rl::load_trained_algorithm(run_dir.string(), envs);
  Sha256 h;
  const auto add = [&](const std::string& name, const torch::Tensor& t) {
    const auto c = t.detach().to(torch::kCPU).contiguous();
    std::string shape;
    for (auto d : c.sizes()) shape += std::to_string(d) + ",";
    h.update(name + ":" + std::string(c.dtype().name()) + ":" + shape + "\n");
    h.update(std::string(static_cast<const char*>(c.data_ptr()), c.numel() * c.element_size()));
  };
  for (const auto& p : algo->network().named_parameters(true)) add("p." + p.key(), p.value());
  for (const auto& b : algo->network().named_buffers(true)) add("b." + b.key(), b.value());
  return h.hex_digest();
}

ordered_json train_case(const std::string& name, const std::string& args) {
  const auto dir = root() / name;
  fs::remove_all(dir);
  rlnas("--store '' train --quiet --out " + dir.string() + " " + args);
  return {{"metrics", metrics_digest(dir)}, {"weights", weights_digest(dir)}};
}

// The search's summary rows in canonical form, and every trial's metrics (by role, arch id, seed).
ordered_json search_case(const std::string& name, const std::string& args) {
  const auto dir = root() / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  const auto db = dir / "s.db";
  rlnas("--store " + db.string() + " search --quiet --out " + (dir / "trials").string() + " " + args);
  auto store = store::Store::open(db.string());
  const auto snaps = store.snapshots(1, "summary");
  EXPECT_EQ(snaps.size(), 1u);
  if (snaps.empty()) return {};
  ordered_json rows = ordered_json::array();
  for (const auto& r : snaps.back().payload.at("rows")) {
    ordered_json row;
    for (const char* k : {"kind", "label", "arch_id", "seeds", "proxy", "reward_mean", "reward_mean_std",
                          "total_reward", "total_reward_std"}) {
      row[k] = r.contains(k) ? r.at(k) : ordered_json();
    }
    rows.push_back(row);
  }
  std::map<std::string, std::string> trials;
  for (const auto& t : store.trials(1)) {
    trials[std::string(store::to_string(t.role)) + "/" + t.arch_id + "/" + std::to_string(t.seed)] =
        metrics_digest(t.run_dir);
  }
  Sha256 all;
  for (const auto& [k, v] : trials) all.update(k + " " + v + "\n");
  return {{"summary", sha256_hex(rows.dump())}, {"trials", all.hex_digest()}, {"trial_count", trials.size()}};
}

const std::string kCartpole = "--env classic/cartpole --steps 2000 --seed 3 --set eval.episodes=2";
const std::string kBreakout =
    "--env minatar/breakout --steps 1024 --seed 5 --set eval.episodes=2 --set ppo.num_envs=4 --set ppo.num_steps=64 "
    "--set log_every=256";

TEST(Golden, PpoOnAFixedNetwork) {
  GOLDEN_PRECONDITION();
  check("ppo_mlp", train_case("ppo_mlp", kCartpole + " --algo ppo --net mlp"));
}

TEST(Golden, A2cOnAFixedNetwork) {
  GOLDEN_PRECONDITION();
  check("a2c_mlp", train_case("a2c_mlp", kCartpole + " --algo a2c --net mlp"));
}

TEST(Golden, DqnOnAFixedNetwork) {
  GOLDEN_PRECONDITION();
  check("dqn_mlp", train_case("dqn_mlp", kCartpole + " --algo dqn --net mlp --set dqn.learning_starts=500"));
}

TEST(Golden, SacOnAFixedNetwork) {
  GOLDEN_PRECONDITION();
  check("sac_mlp", train_case("sac_mlp",
                              "--env classic/pendulum --steps 1200 --seed 3 --set eval.episodes=1 "
                              "--algo sac --net mlp --set sac.learning_starts=1000"));
}

TEST(Golden, PpoOnASpaceArchitecture) {
  GOLDEN_PRECONDITION();
  check("ppo_space_arch", train_case("ppo_space_arch", kBreakout + " --algo ppo --named minatar/ss1/nature"));
}

TEST(Golden, PpoOnASinglePathSupernet) {
  GOLDEN_PRECONDITION();
  check("ppo_spos_supernet", train_case("ppo_spos_supernet", kBreakout + " --algo ppo --space minatar/ss1 --supernet"));
}

TEST(Golden, PpoOnASoftmaxMixedSupernet) {
  GOLDEN_PRECONDITION();
  check("ppo_softmax_supernet",
        train_case("ppo_softmax_supernet", kBreakout + " --algo ppo --space minatar/ss1 --mixed softmax"));
}

TEST(Golden, PpoOnAGumbelMixedSupernet) {
  GOLDEN_PRECONDITION();
  check("ppo_gumbel_supernet",
        train_case("ppo_gumbel_supernet", kBreakout + " --algo ppo --space minatar/ss1 --mixed gumbel "
                                                      "--set arch.cost_lambda=0.1"));
}

TEST(Golden, DistilledStudent) {
  GOLDEN_PRECONDITION();
  const auto teacher = root() / "distill_teacher";
  fs::remove_all(teacher);
  rlnas("--store '' train --quiet --out " + teacher.string() + " " + kCartpole + " --algo ppo --net mlp");
  check("ppo_distilled", train_case("ppo_distilled",
                                    "--env classic/cartpole --steps 2000 --seed 4 --set eval.episodes=2 --algo ppo "
                                    "--space mlp --named mlp/64-64-tanh --set distill.teacher=" +
                                        teacher.string()));
}

TEST(Golden, EnasSearch) {
  GOLDEN_PRECONDITION();
  check("enas_search",
        search_case("enas_search",
                    "--env minatar/breakout --space minatar/ss1 --strategy enas --steps 512 --search-steps 1024 "
                    "--top-k 2 --seeds 1 --jobs 1 --baselines named:minatar/ss1/nature --set ppo.num_envs=4 "
                    "--set ppo.num_steps=32 --set log_every=128 --set search.eval_episodes=2"));
}

}  // namespace
}  // namespace rlnas
