// rlnas compare on the synthetic workload (microseconds per trial): the study's arms, benchmark,
// baselines and comparisons from the store and from exports, the known answer (a strategy that
// finds good architectures beats random search; random search against itself does not), and the
// errors.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>

#include "cli_util.h"

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using rlnas::cli_test::contains;
using rlnas::cli_test::run;

fs::path fresh(const std::string& name) { return rlnas::cli_test::fresh_folder("rlnas_compare_cli_test", name); }

// A synthetic study in one store: experiment 1 the tabular benchmark (grid, 3 seeds), then for
// each (K, n) of `arms`, n random searches (seeds 1..n) whose top-K is retrained over the same 3
// seeds (cache hits in the benchmark).
std::string make_study(const fs::path& dir, const std::vector<std::pair<int, int>>& arms, double noise = 0.3) {
  const std::string store = "--store " + (dir / "s.db").string();
  const std::string common = " search --workload synthetic --space minatar/ss1 --seeds 3 --set synthetic.noise=" +
                             std::to_string(noise);
  auto r = run(store + common + " --strategy grid");
  EXPECT_EQ(r.code, 0) << r.out;
  for (const auto& [k, searches] : arms)
    for (int seed = 1; seed <= searches; ++seed) {
      r = run(store + common + " --strategy random --top-k " + std::to_string(k) + " --set search.seed=" + std::to_string(seed));
      EXPECT_EQ(r.code, 0) << r.out;
    }
  return store;
}

std::string ids(int from, int to) {
  std::string out;
  for (int i = from; i <= to; ++i) out += " " + std::to_string(i);
  return out;
}

TEST(CompareCli, RandomSearchAgainstItsOwnBenchmarkIsInconclusive) {
  const auto dir = fresh("null");
  const auto store = make_study(dir, {{3, 6}});
  auto r = run(store + " compare" + ids(1, 7) + " --json");
  ASSERT_EQ(r.code, 0) << r.out;
  const auto s = json::parse(r.out);
  EXPECT_EQ(s["schema_version"], 1);
  ASSERT_EQ(s["environments"].size(), 1u);
  const auto& env = s["environments"][0];
  EXPECT_EQ(env["benchmark"]["experiment"], 1);
  EXPECT_EQ(env["benchmark"]["architectures"], 25);
  ASSERT_EQ(env["arms"].size(), 1u);
  EXPECT_EQ(env["arms"][0]["name"], "random");
  EXPECT_EQ(env["arms"][0]["searches"], 6);
  const auto& c = env["comparisons"][0];
  EXPECT_EQ(c["kind"], "arm_vs_random");
  EXPECT_EQ(c["method"], "randomization");
  EXPECT_EQ(c["verdict"], "inconclusive") << c.dump();
  // The picks carry ranks and the chance that random search matches them.
  for (const auto& p : env["arms"][0]["picks"]) {
    EXPECT_TRUE(p["rank_test"].is_number());
    EXPECT_GE(p["p_random_at_least"].get<double>(), 0.0);
  }
  // The separation figures: the synthetic workload separates architectures (noise 0.3 against
  // scores spread over [-1, 1]).
  EXPECT_TRUE(env["benchmark"]["separation"]["separates"].get<bool>()) << env["benchmark"]["separation"].dump();
  // The text says the same, with the method named.
  r = run(store + " compare" + ids(1, 7));
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(contains(r.out, "random - random search (best of 3)")) << r.out;
  EXPECT_TRUE(contains(r.out, "inconclusive; randomization")) << r.out;
  EXPECT_TRUE(contains(r.out, "the benchmark separates architectures")) << r.out;
  EXPECT_TRUE(contains(r.out, "sd = sample standard deviation (n - 1)")) << r.out;

  // rlnas report of several finished searches carries the same study as a section.
  std::ofstream(dir / "chart.min.js") << "window.Chart = function () {};";
  const auto page = dir / "page.html";
  r = run(store + " report 1 2 3 --out " + page.string() + " --chartjs " + (dir / "chart.min.js").string());
  ASSERT_EQ(r.code, 0) << r.out;
  std::ifstream in(page);
  const std::string html((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_TRUE(contains(html, "<section id=\"comparison\"><h2>Comparison (rlnas compare)</h2>")) << html.size();
  EXPECT_TRUE(contains(html, "random - random search (best of 3)"));
  // One experiment: no comparison section.
  r = run(store + " report 2 --out " + (dir / "one.html").string() + " --chartjs " + (dir / "chart.min.js").string());
  ASSERT_EQ(r.code, 0) << r.out;
  std::ifstream one(dir / "one.html");
  const std::string single((std::istreambuf_iterator<char>(one)), std::istreambuf_iterator<char>());
  EXPECT_FALSE(contains(single, "id=\"comparison\""));
}

TEST(CompareCli, RetrainingTheWholeSpaceBeatsOneRandomArchitectureAndExportsGiveTheSameStudy) {
  const auto dir = fresh("known");
  // The known answer: random search that retrains all 25 architectures (and so always picks the
  // benchmark's best by selection) finds better architectures than one that retrains a single
  // random one (arm against arm), while each is random search's own best-of-K (against the
  // benchmark's exact best-of-K: no difference).
  const auto store = make_study(dir, {{25, 2}, {1, 8}});
  auto r = run(store + " compare" + ids(1, 11) + " --json --margin 0.05");
  ASSERT_EQ(r.code, 0) << r.out;
  const auto s = json::parse(r.out);
  const auto& env = s["environments"][0];
  ASSERT_EQ(env["arms"].size(), 2u);
  EXPECT_EQ(env["arms"][0]["name"], "random (search.top_k=25)");
  EXPECT_EQ(env["arms"][1]["name"], "random (search.top_k=1)");
  json arms;
  int vs_random = 0;
  for (const auto& c : env["comparisons"]) {
    if (c["kind"] == "arm_vs_random") {
      ++vs_random;
      EXPECT_EQ(c["verdict"], "inconclusive") << c.dump();
      EXPECT_TRUE(c.contains("equivalence"));
    }
    if (c["kind"] == "arm_vs_arm") arms = c;
  }
  EXPECT_EQ(vs_random, 2);
  ASSERT_FALSE(arms.is_null());
  EXPECT_EQ(arms["method"], "welch");
  EXPECT_EQ(arms["verdict"], "better") << arms.dump();
  EXPECT_GT(arms["low"].get<double>(), 0.0);
  EXPECT_FALSE(arms["equivalence"]["equivalent"].get<bool>());
  // Holm over the environment's comparisons.
  EXPECT_TRUE(env["holm"]["applied"].get<bool>());
  for (const auto& c : env["comparisons"])
    if (c["p"].is_number()) EXPECT_GE(c["p_holm"].get<double>(), c["p"].get<double>() - 1e-12);

  // The same experiments exported: the same figures.
  const auto file = (dir / "study.json.gz").string();
  r = run(store + " runs export" + ids(1, 11) + " --out " + file);
  ASSERT_EQ(r.code, 0) << r.out;
  r = run("--store '' compare " + file + " --json --margin 0.05");
  ASSERT_EQ(r.code, 0) << r.out;
  const auto f = json::parse(r.out);
  EXPECT_EQ(f["environments"][0]["comparisons"], env["comparisons"]);
  EXPECT_EQ(f["environments"][0]["arms"], env["arms"]);

  // --arm renames and regroups; --out writes the JSON too.
  const auto out = (dir / "c.json").string();
  r = run(store + " compare" + ids(1, 11) + " --arm all=2,3 --out " + out);
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(contains(r.out, "all - random search (best of 25)")) << r.out;
  std::ifstream in(out);
  EXPECT_EQ(json::parse(in)["schema_version"], 1);
}

TEST(CompareCli, BadInputSaysWhatWasExpected) {
  const auto dir = fresh("errors");
  const auto store = make_study(dir, {{3, 1}});
  auto r = run(store + " compare 1 2 9");
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_TRUE(contains(r.out, "has no experiment 9")) << r.out;
  r = run(store + " compare 1 2 --arm nonsense");
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_TRUE(contains(r.out, "expected NAME=ID,ID")) << r.out;
  r = run(store + " compare 1 2 --arm a=2 --arm b=2");
  EXPECT_NE(r.code, 0);
  EXPECT_TRUE(contains(r.out, "in two arms")) << r.out;
  r = run(store + " compare 1 2 --arm a=1");
  EXPECT_NE(r.code, 0);
  EXPECT_TRUE(contains(r.out, "tabular benchmark")) << r.out;
  r = run(store + " compare " + (dir / "nothing.json").string());
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_TRUE(contains(r.out, "neither an experiment id nor an export file")) << r.out;
  {
    std::ofstream(dir / "other.json") << R"({"format": "something else"})";
  }
  r = run(store + " compare " + (dir / "other.json").string());
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_TRUE(contains(r.out, "not an rlnas runs export")) << r.out;
  r = run(store + " compare 1 2 --margin -1");
  EXPECT_EQ(r.code, 2) << r.out;
  // The store is read, never written.
  const auto before = fs::last_write_time(dir / "s.db");
  r = run(store + " compare 1 2");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(fs::last_write_time(dir / "s.db"), before);
}

}  // namespace
