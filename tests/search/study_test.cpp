// compare_study on hand-made export entries: grouping into arms, the benchmark used only for arms
// of its space and budget, references from baselines and train experiments, labels that name the
// differing setting, and the errors.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "rlnas/core/error.h"
#include "rlnas/search/study.h"

namespace rlnas::search {
namespace {

using json = nlohmann::json;

json trial(int64_t id, const std::string& role, const std::string& arch_id, int64_t seed, double selection, double test,
           const json& arch = json::object()) {
  return {{"id", id},
          {"role", role},
          {"status", "done"},
          {"arch_id", arch_id},
          {"architecture", arch.empty() ? json{{"choices", {{"k", arch_id}}}} : arch},
          {"seed", seed},
          {"metrics", {{"train_return_mean", selection}, {"eval_return_mean", test}}}};
}

json search(int64_t id, const std::string& strategy, const std::string& space, int64_t top_k, const json& trials,
            const json& train_extra = json::object()) {
  json train = {{"env", "minatar/breakout"}, {"steps", 1000}, {"seed", 1}, {"distill.teacher", ""}};
  train.update(train_extra);
  return {{"experiment",
           {{"id", id},
            {"kind", "search"},
            {"name", strategy},
            {"status", "done"},
            {"config",
             {{"search", {{"search.strategy", strategy}, {"search.space", space}, {"search.seed", id}, {"search.top_k", top_k}}},
              {"train", train}}}}},
          {"summary", {{"rows", json::array({{{"kind", "baseline"}, {"arch_id", "base"}, {"label", "net:base"}}})}}},
          {"trials", trials}};
}

json train_run(int64_t id, int64_t seed, double test, const std::string& teacher) {
  return {{"experiment",
           {{"id", id},
            {"kind", "train"},
            {"status", "done"},
            {"config", {{"env", "minatar/breakout"}, {"steps", 1000}, {"seed", seed}, {"net.name", "small"}, {"distill.teacher", teacher}}}}},
          {"trials", json::array({trial(100 + id, "train", "small", seed, test, test, {{"net", {{"name", "small"}}}})})}};
}

std::vector<StudyInput> inputs() {
  // The benchmark: architectures a0..a4 (a4 the best), 3 seeds each.
  json bench = json::array();
  int64_t t = 1;
  for (int a = 0; a < 5; ++a)
    for (int s = 1; s <= 3; ++s) bench.push_back(trial(t++, "benchmark", "a" + std::to_string(a), s, a + 0.1 * s, a + 0.2 * s));
  std::vector<StudyInput> in{{search(1, "grid", "s", 3, bench), "test"}};
  // Two searches on the benchmark's space that found a4 and a3, with a baseline; one on another space.
  for (int64_t id : {2, 3}) {
    json trials = json::array();
    const std::string found = id == 2 ? "a4" : "a3";
    for (int s = 1; s <= 3; ++s) {
      trials.push_back(trial(t++, "retrain", found, s, (id == 2 ? 4 : 3) + 0.1 * s, (id == 2 ? 4 : 3) + 0.2 * s));
      trials.push_back(trial(t++, "retrain", "a0", s, 0.1 * s, 0.2 * s));
      trials.push_back(trial(t++, "baseline", "base", s, 1.0 + 0.3 * s, 1.0 + 0.1 * s));
    }
    in.push_back({search(id, "random", "s", 3, trials), "test"});
  }
  json other = json::array();
  for (int s = 1; s <= 3; ++s) other.push_back(trial(t++, "retrain", "z", s, 2.0, 2.0 + s));
  in.push_back({search(4, "random", "other", 3, other), "test"});
  // Plain trainings of one network with and without a teacher: two references.
  for (int s = 1; s <= 3; ++s) {
    in.push_back({train_run(10 + s, s, 0.5 * s, ""), "test"});
    in.push_back({train_run(20 + s, s, 1.0 * s, "teacher"), "test"});
  }
  return in;
}

TEST(Study, ArmsBenchmarkAndReferences) {
  const auto s = compare_study(inputs());
  ASSERT_EQ(s["environments"].size(), 1u);
  const auto& env = s["environments"][0];
  EXPECT_EQ(env["benchmark"]["architectures"], 5);
  ASSERT_EQ(env["arms"].size(), 2u);
  // Arms named by the setting that differs between the random searches.
  EXPECT_EQ(env["arms"][0]["name"], "random (search.space=s)");
  EXPECT_EQ(env["arms"][1]["name"], "random (search.space=other)");
  EXPECT_EQ(env["arms"][0]["searches"], 2);
  // The found architecture is the candidate with the best selection figure.
  EXPECT_EQ(env["arms"][0]["picks"][0]["arch_id"], "a4");
  EXPECT_EQ(env["arms"][0]["picks"][0]["rank_test"], 1.0);
  // Only the arm of the benchmark's space is compared with random search; the other is noted.
  int vs_random = 0;
  for (const auto& c : env["comparisons"])
    if (c["kind"] == "arm_vs_random") {
      ++vs_random;
      EXPECT_EQ(c["a"], "random (search.space=s)");
    }
  EXPECT_EQ(vs_random, 1);
  bool noted = false;
  for (const auto& n : env["notes"]) noted = noted || n.get<std::string>().find("not the benchmark's") != std::string::npos;
  EXPECT_TRUE(noted) << env["notes"].dump();
  // References: the baseline (label from the summary, its 3 seeds once though two searches ran it)
  // and the two trained groups, named by the setting that differs.
  std::vector<std::string> labels;
  for (const auto& b : env["baselines"]) labels.push_back(b["label"]);
  ASSERT_EQ(labels.size(), 3u) << env["baselines"].dump();
  EXPECT_EQ(labels[0], "net:base");
  EXPECT_EQ(env["baselines"][0]["seeds"], 3);
  EXPECT_EQ(labels[1], "net:small (distill.teacher='')");
  EXPECT_EQ(labels[2], "net:small (distill.teacher=teacher)");
  // The arm against a reference: Welch with Hsu's df; the sample sd is said.
  for (const auto& c : env["comparisons"])
    if (c["kind"] == "arm_vs_baseline") EXPECT_EQ(c["method"], "welch_hsu");
  EXPECT_EQ(s["methods"]["sd"], "sample standard deviation (n - 1)");
}

TEST(Study, ArmsByNameAndTheErrors) {
  CompareOptions o;
  o.arms = {{"two", {2}}, {"three", {3}}};
  const auto s = compare_study(inputs(), o);
  const auto& arms = s["environments"][0]["arms"];
  ASSERT_EQ(arms.size(), 3u);
  EXPECT_EQ(arms[0]["name"], "two");
  // One search against one: its found architecture's seeds, compared as a baseline, said.
  for (const auto& c : s["environments"][0]["comparisons"])
    if (c["kind"] == "arm_vs_arm" && c["a"] == "two" && c["b"] == "three") {
      EXPECT_EQ(c["method"], "welch_hsu");
      EXPECT_NE(c["note"].get<std::string>().find("one search on a side"), std::string::npos);
    }
  o.arms = {{"x", {1}}};
  EXPECT_THROW(compare_study(inputs(), o), Error);  // the benchmark is not an arm
  o.arms = {{"x", {99}}};
  EXPECT_THROW(compare_study(inputs(), o), Error);
  o.arms = {{"x", {2}}, {"y", {2}}};
  EXPECT_THROW(compare_study(inputs(), o), Error);
  EXPECT_THROW(compare_study({}), Error);
  auto bad = inputs();
  bad[1].entry["experiment"]["status"] = "running";
  try {
    compare_study(bad);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("experiment 2 (test): compare takes finished experiments"), std::string::npos)
        << e.what();
  }
  bad = inputs();
  bad[1].entry["trials"] = "not a list";
  EXPECT_THROW(compare_study(bad), Error);
}

}  // namespace
}  // namespace rlnas::search
